package io.twlab.store;

/**
 * Which runs to list, newest first: each non-empty filter narrows; {@code offset} skips that many
 * matching runs and {@code limit} bounds the page.
 */
public record RunQuery(String labId, String scenario, String experiment, int offset, int limit) {
  public static final int MAX_LIMIT = 1_000;

  public RunQuery {
    if (offset < 0 || limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("offset >= 0 and 1 <= limit <= " + MAX_LIMIT);
    }
  }
}
