package io.twlab.api;

import java.util.Optional;

/** The server's version, as its jar's manifest says (the build's); "dev" when it runs from classes. */
public final class ServerVersion {
  public static final String CURRENT = Optional.ofNullable(ServerVersion.class.getPackage().getImplementationVersion())
      .orElse("dev");

  private ServerVersion() {}
}
