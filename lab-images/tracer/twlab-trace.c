// twlab-trace: every TCP state change and every RST sent on this host, as text lines for
// twlab-observer (the same lines its bpftrace program printed):
//
//   T <monotonic_ns> <netns_inode> <socket> <local> <remote> <from> <to> <cpu>
//   R <monotonic_ns> <netns_inode> <local> <remote> <state> <cpu>
//   H <monotonic_ns> <cpu>     every 50 ms for every CPU: its changes before this time are printed
//   Lost <count> events        the ring buffer had no room for them
//
// The kernel half (twlab-trace.bpf.c) writes into a ring buffer that wakes no one; this reads it
// every DRAIN_MS. Usage: twlab-trace [NETNS_INODE,...]  (namespaces not to trace)
#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include "twlab-trace.h"
#include "twlab-trace.skel.h"

#define DRAIN_MS 5
#define HEARTBEAT_NS 50000000ULL
// A change's time is taken right after its record is reserved, and the record committed moments
// later: a drain reads every record reserved before it began, or stops at one not yet committed,
// whose time is at most moments before the drain's. Heartbeats lag the drain by this much.
#define SETTLE_NS 2000000ULL

static volatile sig_atomic_t stopping;

static void stop(int signal) {
  (void)signal;
  stopping = 1;
}

static unsigned long long monotonic_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (unsigned long long)now.tv_sec * 1000000000ULL + now.tv_nsec;
}

static void endpoint(char *out, size_t size, int family, const unsigned char *address, unsigned port) {
  char ip[INET6_ADDRSTRLEN];
  inet_ntop(family == AF_INET ? AF_INET : AF_INET6, address, ip, sizeof(ip));
  snprintf(out, size, family == AF_INET ? "%s:%u" : "[%s]:%u", ip, port);
}

static int print_event(void *context, void *data, size_t size) {
  (void)context;
  const struct twlab_event *e = data;
  if (size < sizeof(*e)) {
    return 0;
  }
  char local[64], remote[64];
  endpoint(local, sizeof(local), e->family, e->saddr, e->sport);
  endpoint(remote, sizeof(remote), e->family, e->daddr, e->dport);
  if (e->kind == 'T') {
    printf("T %llu %u %llx %s %s %d %d %u\n", (unsigned long long)e->ns, e->netns, (unsigned long long)e->socket,
           local, remote, e->from, e->to, e->cpu);
  } else {
    printf("R %llu %u %s %s %d %u\n", (unsigned long long)e->ns, e->netns, local, remote, e->to, e->cpu);
  }
  return 0;
}

int main(int argc, char **argv) {
  static char out[1 << 20];
  setvbuf(stdout, out, _IOFBF, sizeof(out));
  signal(SIGINT, stop);
  signal(SIGTERM, stop);
  signal(SIGPIPE, stop);
  struct twlab_trace_bpf *skel = twlab_trace_bpf__open_and_load();
  if (!skel) {
    fprintf(stderr, "twlab-trace: cannot load the BPF program: %s\n", strerror(errno));
    return 1;
  }
  if (argc > 1) {
    char *list = strdup(argv[1]);
    for (char *inode = strtok(list, ","); inode; inode = strtok(NULL, ",")) {
      __u32 key = (__u32)strtoul(inode, NULL, 10);
      __u8 one = 1;
      bpf_map__update_elem(skel->maps.excluded, &key, sizeof(key), &one, sizeof(one), BPF_ANY);
    }
    free(list);
  }
  if (twlab_trace_bpf__attach(skel)) {
    fprintf(stderr, "twlab-trace: cannot attach to the tracepoints: %s\n", strerror(errno));
    return 1;
  }
  struct ring_buffer *ring = ring_buffer__new(bpf_map__fd(skel->maps.events), print_event, NULL, NULL);
  if (!ring) {
    fprintf(stderr, "twlab-trace: cannot read the ring buffer: %s\n", strerror(errno));
    return 1;
  }
  int cpus = libbpf_num_possible_cpus();
  __u64 *lost = calloc(cpus, sizeof(__u64));
  unsigned long long lost_before = 0, next_heartbeat = 0;
  fprintf(stderr, "Attaching 2 probes...\n");
  while (!stopping) {
    unsigned long long drained_from = monotonic_ns();
    ring_buffer__consume(ring);
    if (drained_from >= next_heartbeat) {
      next_heartbeat = drained_from + HEARTBEAT_NS;
      for (int cpu = 0; cpu < cpus; cpu++) {
        printf("H %llu %d\n", drained_from - SETTLE_NS, cpu);
      }
      __u32 zero = 0;
      if (bpf_map__lookup_elem(skel->maps.lost, &zero, sizeof(zero), lost, cpus * sizeof(__u64), 0) == 0) {
        unsigned long long total = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
          total += lost[cpu];
        }
        if (total > lost_before) {
          printf("Lost %llu events\n", total - lost_before);
          lost_before = total;
        }
      }
    }
    if (fflush(stdout) != 0) {
      break;
    }
    usleep(DRAIN_MS * 1000);
  }
  ring_buffer__free(ring);
  twlab_trace_bpf__destroy(skel);
  return 0;
}
