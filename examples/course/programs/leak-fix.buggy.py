# The bug: when a client closes (recv() returns b''), the server stops watching the socket but
# never closes it, so every connection stays in CLOSE_WAIT.
import selectors
import socket
import sys

port = int(sys.argv[1])
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("0.0.0.0", port))
listener.listen(128)
listener.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(listener, selectors.EVENT_READ)
finished = []
while True:
    for key, _ in sel.select():
        if key.fileobj is listener:
            conn, _ = listener.accept()
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ)
            continue
        conn = key.fileobj
        try:
            data = conn.recv(4096)
        except ConnectionError:
            data = b""
        if not data:
            sel.unregister(conn)
            finished.append(conn)
