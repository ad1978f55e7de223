// One record of twlab-trace's ring buffer: a state change ('T') or an RST sent ('R').
#ifndef TWLAB_TRACE_H
#define TWLAB_TRACE_H

struct twlab_event {
  __u64 ns;      // bpf_ktime_get_ns(): CLOCK_MONOTONIC
  __u64 socket;  // the struct sock's address (0 for an RST sent without a socket)
  __u32 netns;   // the network namespace's inode
  __u32 cpu;
  __s32 from;    // 'T': the old state; 'R': 0
  __s32 to;      // 'T': the new state; 'R': the sending socket's state (0: none)
  __u16 sport;   // host byte order
  __u16 dport;
  __u16 family;  // AF_INET or AF_INET6
  __u8 kind;
  __u8 pad;
  __u8 saddr[16];
  __u8 daddr[16];
};

#endif
