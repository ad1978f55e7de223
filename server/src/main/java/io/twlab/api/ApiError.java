package io.twlab.api;

import io.twlab.core.FieldViolation;
import io.twlab.core.InvalidArgumentException;
import io.twlab.core.LabBusyException;
import io.twlab.core.NotFoundException;
import io.twlab.core.UnauthenticatedException;
import io.twlab.runtime.RuntimeFailure;
import java.util.List;

/**
 * An exception as both APIs report it: the kind of error, its HTTP status, the bad fields, and for
 * NOT_FOUND the missing resource (type and name; empty otherwise).
 */
public record ApiError(Kind kind, String detail, List<FieldViolation> violations, String resourceType,
    String resourceName) {

  public enum Kind {
    INVALID_ARGUMENT(400, "Invalid argument"),
    UNAUTHENTICATED(401, "Unauthenticated"),
    NOT_FOUND(404, "Not found"),
    CONFLICT(409, "Conflict"),
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
      return new ApiError(Kind.INVALID_ARGUMENT, invalid.getMessage(), invalid.violations(), "", "");
    }
    if (e instanceof UnauthenticatedException) {
      return new ApiError(Kind.UNAUTHENTICATED, e.getMessage(), List.of(), "", "");
    }
    if (e instanceof NotFoundException notFound) {
      return new ApiError(Kind.NOT_FOUND, notFound.getMessage(), List.of(), notFound.kind(), notFound.id());
    }
    if (e instanceof LabBusyException busy) {
      return new ApiError(Kind.CONFLICT, busy.getMessage(), List.of(), "", "");
    }
    if (e instanceof RuntimeFailure failure) {
      return new ApiError(Kind.UNAVAILABLE, failure.getMessage(), List.of(), "", "");
    }
    return new ApiError(Kind.INTERNAL, String.valueOf(e.getMessage()), List.of(), "", "");
  }
}
