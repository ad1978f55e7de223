package io.twlab.runtime.docker;

import java.io.InputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A command's standard input (a terminal's, the host observer's) as the engine's client reads it: the chunks {@link #offer}ed, in
 * order, then the end once {@link #end} is called. Bounded, so that a client typing faster than the
 * terminal reads is refused rather than held in memory.
 */
final class QueuedInput extends InputStream {
  private static final byte[] END = new byte[0];
  private static final int MAX_CHUNKS = 256;

  private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
  private byte[] current = new byte[0];
  private int at;
  private boolean ended;

  boolean offer(byte[] bytes) {
    return bytes.length == 0 || chunks.size() < MAX_CHUNKS && chunks.offer(bytes.clone());
  }

  void end() {
    chunks.offer(END);
  }

  @Override
  public int read() throws java.io.InterruptedIOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public synchronized int read(byte[] into, int offset, int length) throws java.io.InterruptedIOException {
    if (length == 0) {
      return 0;
    }
    while (!ended && at == current.length) {
      try {
        current = chunks.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("terminal input closed");
      }
      at = 0;
      ended = current == END;
    }
    if (ended) {
      return -1;
    }
    int n = Math.min(length, current.length - at);
    System.arraycopy(current, at, into, offset, n);
    at += n;
    return n;
  }

  @Override
  public void close() {
    end();
  }
}
