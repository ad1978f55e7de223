package io.twlab.api.http;

import io.javalin.http.Context;
import io.twlab.core.PermissionDeniedException;
import io.twlab.core.UnauthenticatedException;
import io.twlab.identity.Authenticator;
import io.twlab.identity.Principal;
import io.twlab.identity.Role;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} for Prometheus: the admin's token, or the scrape credential (a token good for
 * this page only), as a bearer token. What a scrape costs is bounded whatever the rate: the text is
 * made at most once a second and shared.
 */
public final class MetricsEndpoint {
  public static final String PATH = "/metrics";
  private static final long REUSE_NANOS = 1_000_000_000L;
  private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

  private final Supplier<String> scrape;
  private final Optional<byte[]> scrapeAuthorization;
  private String last = "";
  private long madeAt = System.nanoTime() - 2 * REUSE_NANOS;

  /** {@code scrapeToken}: the scrape credential; empty where only the admin may read. */
  public MetricsEndpoint(Supplier<String> scrape, Optional<String> scrapeToken) {
    this.scrape = scrape;
    this.scrapeAuthorization = scrapeToken.map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8));
  }

  void serve(Context ctx, Authenticator authenticator) {
    String authorization = ctx.header("Authorization");
    boolean scraper = authorization != null && scrapeAuthorization
        .filter(expected -> MessageDigest.isEqual(expected, authorization.getBytes(StandardCharsets.UTF_8))).isPresent();
    if (!scraper) {
      Principal principal = authenticator.bearer(authorization).orElseThrow(UnauthenticatedException::new);
      if (principal.role() != Role.ADMIN) {
        throw new PermissionDeniedException("only the admin or the scrape credential (metrics.token in the server's "
            + "data directory) may read the server's metrics");
      }
    }
    ctx.contentType(TEXT_FORMAT).result(text());
  }

  private synchronized String text() {
    if (System.nanoTime() - madeAt >= REUSE_NANOS) {
      last = scrape.get();
      madeAt = System.nanoTime();
    }
    return last;
  }
}
