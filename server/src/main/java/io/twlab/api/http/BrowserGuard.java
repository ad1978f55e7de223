package io.twlab.api.http;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.twlab.core.Bounded;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.PermissionDeniedException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a web page can make a browser send, refused before any handler reads it:
 * <ul>
 *   <li>a Host this server is not known by (a site whose name was rebound to our address);</li>
 *   <li>an Origin other than the server's own, on any call, WebSocket and SSE included;</li>
 *   <li>a body of a type a cross-site form can send without asking (text/plain, forms,
 *       multipart): bodies are JSON, or YAML for experiment files;</li>
 *   <li>a change made with the session cookie without its CSRF token, which only the server's
 *       own pages can read (from the {@value #CSRF_HEADER} header of their own calls).</li>
 * </ul>
 */
final class BrowserGuard {
  static final String CSRF_HEADER = "X-Twlab-Csrf";
  private static final Set<String> BODY_TYPES = Set.of("application/json", "application/yaml", "application/x-yaml",
      "text/yaml", "application/problem+json");
  private static final Set<HandlerType> READS = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);

  private final Set<String> hosts;

  /** {@code hosts}: the names and addresses (IPv6 in brackets) the server answers to, on any port. */
  BrowserGuard(List<String> hosts) {
    this.hosts = hosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
  }

  /** Host and Origin, on every request and WebSocket upgrade. */
  void checkSite(Context ctx) {
    String host = ctx.header("Host");
    if (host == null || !hosts.contains(hostName(host))) {
      throw new InvalidArgumentException("Host", "this server answers to " + String.join(", ", hosts.stream().sorted()
          .toList()) + ", not " + Bounded.quote(host) + "; its operator adds a name with --public-host");
    }
    String origin = ctx.header("Origin");
    if (origin != null && !origin.equalsIgnoreCase(ownOrigin(ctx))) {
      throw new PermissionDeniedException("a request with Origin " + Bounded.quote(origin) + " is refused: only "
          + ownOrigin(ctx) + "'s own pages may call this server from a browser");
    }
  }

  /** The body's type, on every request that may change something. */
  void checkBody(Context ctx) {
    if (READS.contains(ctx.method())) {
      return;
    }
    String type = ctx.header("Content-Type");
    if (type == null) {
      return;
    }
    String media = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!BODY_TYPES.contains(media)) {
      throw new InvalidArgumentException("Content-Type", Bounded.quote(type) + " is not accepted: send "
          + "application/json (experiment files also application/yaml)");
    }
  }

  /** A change made with the session cookie carries the session's CSRF token. */
  void checkCsrf(Context ctx, String session) {
    boolean changes = !READS.contains(ctx.method());
    if (!changes && !"websocket".equalsIgnoreCase(ctx.header("Upgrade"))) {
      return;
    }
    if (ctx.header("Origin") == null) {
      throw new PermissionDeniedException("a call made with the session cookie must say its Origin; other clients "
          + "send a bearer token");
    }
    String sent = ctx.header(CSRF_HEADER);
    if (changes && (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
        csrfToken(session).getBytes(StandardCharsets.UTF_8)))) {
      throw new PermissionDeniedException("a change made with the session cookie needs the " + CSRF_HEADER
          + " header: the value this server sent in that header with the session");
    }
  }

  /** Derived from the session's secret, which pages cannot read: knowing it does not reveal the session. */
  static String csrfToken(String session) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(("twlab-csrf:" + session)
          .getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  private static String ownOrigin(Context ctx) {
    return ctx.scheme() + "://" + ctx.header("Host");
  }

  /** {@code example.org:8080} → {@code example.org}; {@code [::1]:8080} → {@code [::1]}. */
  private static String hostName(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    int colon = h.lastIndexOf(':');
    return colon > h.lastIndexOf(']') ? h.substring(0, colon) : h;
  }
}
