package io.twlab.core;

/** A call without a live bearer token; refused before any of its input is read. */
public final class UnauthenticatedException extends RuntimeException {
  public UnauthenticatedException() {
    super("no valid bearer token: send the header `Authorization: Bearer <token>` (gRPC metadata `authorization`); "
        + "the admin's token is in the server's data directory, admin.token, and the CLI sends TWLAB_TOKEN");
  }
}
