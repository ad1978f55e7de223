/* Connects to HOST PORT, sends a line, reads the echo, and closes: the bug is the missing SO_LINGER {1, 0}, so a FIN goes out and TIME_WAIT stays. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s HOST PORT\n", argv[0]);
    return 2;
  }
  struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &peer.sin_addr) != 1) {
    fprintf(stderr, "not an IPv4 address: %s\n", argv[1]);
    return 2;
  }
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(s, (struct sockaddr *)&peer, sizeof peer) != 0) {
    perror("connect");
    return 1;
  }
  char line[64];
  send(s, "hello\n", 6, 0);
  recv(s, line, sizeof line, 0);
  close(s);
  return 0;
}
