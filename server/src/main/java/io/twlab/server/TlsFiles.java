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

  /** Both flags (or their variables) or neither. */
  static Optional<TlsFiles> of(String cert, String key) {
    boolean hasCert = cert != null && !cert.isBlank();
    boolean hasKey = key != null && !key.isBlank();
    if (hasCert != hasKey) {
      throw new IllegalArgumentException((hasCert ? "--tls-key (TWLAB_TLS_KEY)" : "--tls-cert (TWLAB_TLS_CERT)")
          + " is missing: TLS needs both --tls-cert and --tls-key");
    }
    return hasCert ? Optional.of(new TlsFiles(Path.of(cert.trim()), Path.of(key.trim()))) : Optional.empty();
  }
}
