// The kernel half of twlab-trace: every TCP state change and every RST sent, from the tracepoints
// sock:inet_sock_set_state and tcp:tcp_send_reset, into one ring buffer that wakes no one (the
// reader drains it every few milliseconds): a flood's changes cost no wake-up each.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "twlab-trace.h"

char LICENSE[] SEC("license") = "GPL";

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 32 << 20);
} events SEC(".maps");

// Network namespaces (their inodes) whose changes are not traced: the host's, the control plane's.
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 64);
  __type(key, __u32);
  __type(value, __u8);
} excluded SEC(".maps");

// Changes the ring buffer had no room for, per CPU.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} lost SEC(".maps");

static __always_inline struct twlab_event *reserve(__u32 ns) {
  if (bpf_map_lookup_elem(&excluded, &ns)) {
    return 0;
  }
  struct twlab_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    __u32 zero = 0;
    __u64 *count = bpf_map_lookup_elem(&lost, &zero);
    if (count) {
      (*count)++;
    }
    return 0;
  }
  e->ns = bpf_ktime_get_ns();
  e->netns = ns;
  e->cpu = bpf_get_smp_processor_id();
  return e;
}

SEC("tracepoint/sock/inet_sock_set_state")
int on_state(struct trace_event_raw_inet_sock_set_state *ctx) {
  if (ctx->protocol != IPPROTO_TCP) {
    return 0;
  }
  struct sock *sk = (struct sock *)ctx->skaddr;
  __u32 ns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
  struct twlab_event *e = reserve(ns);
  if (!e) {
    return 0;
  }
  e->kind = 'T';
  e->socket = (__u64)ctx->skaddr;
  e->family = ctx->family;
  e->sport = ctx->sport;
  e->dport = ctx->dport;
  e->from = ctx->oldstate;
  e->to = ctx->newstate;
  // Copied with a helper: the verifier refuses a load from the context at an offset computed on two paths.
  if (ctx->family == 2) {
    bpf_probe_read_kernel(e->saddr, 4, ctx->saddr);
    bpf_probe_read_kernel(e->daddr, 4, ctx->daddr);
  } else {
    bpf_probe_read_kernel(e->saddr, 16, ctx->saddr_v6);
    bpf_probe_read_kernel(e->daddr, 16, ctx->daddr_v6);
  }
  bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
  return 0;
}

SEC("tracepoint/tcp/tcp_send_reset")
int on_reset(struct trace_event_raw_tcp_send_reset *ctx) {
  struct sock *sk = (struct sock *)ctx->skaddr;
  __u32 ns;
  if (sk) {
    ns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
  } else {
    struct sk_buff *skb = (struct sk_buff *)ctx->skbaddr;
    ns = BPF_CORE_READ(skb, dev, nd_net.net, ns.inum);
  }
  struct twlab_event *e = reserve(ns);
  if (!e) {
    return 0;
  }
  struct sockaddr_in6 src = {}, dst = {};
  bpf_probe_read_kernel(&src, sizeof(src), ctx->saddr);
  bpf_probe_read_kernel(&dst, sizeof(dst), ctx->daddr);
  e->kind = 'R';
  e->socket = (__u64)ctx->skaddr;
  e->family = src.sin6_family;
  e->sport = bpf_ntohs(src.sin6_port);
  e->dport = bpf_ntohs(dst.sin6_port);
  e->from = 0;
  e->to = ctx->state;
  if (e->family == 2) {
    __builtin_memcpy(e->saddr, &((struct sockaddr_in *)&src)->sin_addr, 4);
    __builtin_memcpy(e->daddr, &((struct sockaddr_in *)&dst)->sin_addr, 4);
  } else {
    __builtin_memcpy(e->saddr, &src.sin6_addr, 16);
    __builtin_memcpy(e->daddr, &dst.sin6_addr, 16);
  }
  bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
  return 0;
}
