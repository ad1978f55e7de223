package io.twlab.api;

import io.twlab.core.Bounded;
import io.twlab.core.ConflictException;
import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.NotFoundException;
import io.twlab.core.PermissionDeniedException;
import io.twlab.core.TooManyRequestsException;
import io.twlab.core.TooManyRequestsException.Quota;
import io.twlab.core.UnauthenticatedException;
import io.twlab.runtime.RuntimeFailure;
import java.util.List;
import java.util.Optional;

/**
 * An exception as both APIs report it: the kind of error, its HTTP status, the bad fields, and for
 * NOT_FOUND the missing resource (type and name; empty otherwise), for RESOURCE_EXHAUSTED when to
 * try again and which quota was reached.
 */
public record ApiError(Kind kind, String detail, List<FieldViolation> violations, String resourceType,
    String resourceName, long retryAfterSeconds, Optional<Quota> quota) {
  /**
   * Bytes of the detail. With {@link Bounded}'s violations, an answer stays within 8 kB once gRPC
   * has encoded it into its trailers (grpc-java's default header limit): the detail twice (once
   * percent-encoded, up to 3×), the violations once, in base64 (4/3×).
   */
  static final int DETAIL = 600;

  /** Whatever the request held, every part quoted back from it is bounded and escaped. */
  public ApiError {
    detail = Bounded.text(detail, DETAIL);
    violations = Bounded.violations(violations);
    resourceName = Bounded.text(resourceName, Bounded.QUOTE);
  }

  public enum Kind {
    INVALID_ARGUMENT(400, "Invalid argument"),
    UNAUTHENTICATED(401, "Unauthenticated"),
    PERMISSION_DENIED(403, "Permission denied"),
    NOT_FOUND(404, "Not found"),
    CONFLICT(409, "Conflict"),
    RESOURCE_EXHAUSTED(429, "Too many requests"),
    UNAVAILABLE(503, "Container engine unavailable"),
    INTERNAL(500, "Internal error");

    public final int httpStatus;
    public final String title;

    Kind(int httpStatus, String title) {
      this.httpStatus = httpStatus;
      this.title = title;
    }
  }

  public static ApiError of(Throwable e) {
    if (e instanceof InvalidArgumentException invalid) {
      return new ApiError(Kind.INVALID_ARGUMENT, invalid.getMessage(), invalid.violations(), "", "", 0, Optional.empty());
    }
    if (e instanceof UnauthenticatedException) {
      return new ApiError(Kind.UNAUTHENTICATED, e.getMessage(), List.of(), "", "", 0, Optional.empty());
    }
    if (e instanceof PermissionDeniedException) {
      return new ApiError(Kind.PERMISSION_DENIED, e.getMessage(), List.of(), "", "", 0, Optional.empty());
    }
    if (e instanceof TooManyRequestsException limit) {
      return new ApiError(Kind.RESOURCE_EXHAUSTED, e.getMessage(), List.of(), "", "", limit.retryAfterSeconds(),
          limit.quota());
    }
    if (e instanceof NotFoundException notFound) {
      return new ApiError(Kind.NOT_FOUND, notFound.getMessage(), List.of(), notFound.kind(), notFound.id(), 0,
          Optional.empty());
    }
    if (e instanceof ConflictException busy) {
      return new ApiError(Kind.CONFLICT, busy.getMessage(), List.of(), "", "", 0, Optional.empty());
    }
    if (e instanceof RuntimeFailure failure) {
      return new ApiError(Kind.UNAVAILABLE, failure.getMessage(), List.of(), "", "", 0, Optional.empty());
    }
    return new ApiError(Kind.INTERNAL, String.valueOf(e.getMessage()), List.of(), "", "", 0, Optional.empty());
  }
}
