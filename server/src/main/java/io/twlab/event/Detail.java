package io.twlab.event;

/** How a watcher receives connection transitions. */
public enum Detail {
  /** Every transition, until a node exceeds {@link WatchStream#AUTO_LIMIT} per second; then summaries for that second. */
  AUTO,
  /** Every transition, however many. */
  CONNECTIONS,
  /** Only per-node summaries ("FROM->TO" counts), about twice a second. */
  AGGREGATED
}
