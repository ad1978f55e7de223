package io.twlab.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A server's TLS certificate chain and private key, both PEM files. */
public record TlsFiles(Path certificate, Path privateKey) {
  public TlsFiles {
    for (Path file : new Path[] {certificate, privateKey}) {
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("cannot read " + file + ": give --tls-cert and --tls-key as readable PEM "
            + "files (see README, 'Running twlab for a workshop')");
      }
    }
  }

  /** Both flags or neither; {@code certName} and {@code keyName} say where each value came from. */
  static Optional<TlsFiles> of(String certName, String cert, String keyName, String key) {
    boolean hasCert = cert != null && !cert.isBlank();
    boolean hasKey = key != null && !key.isBlank();
    if (hasCert != hasKey) {
      throw new IllegalArgumentException((hasCert ? keyName : certName) + " is missing: TLS needs both "
          + certName + " and " + keyName);
    }
    return hasCert ? Optional.of(new TlsFiles(Path.of(cert.trim()), Path.of(key.trim()))) : Optional.empty();
  }
}
