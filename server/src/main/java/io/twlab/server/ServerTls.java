package io.twlab.server;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import java.io.IOException;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** One certificate and key, read once from their PEM files, served by both APIs. */
final class ServerTls {
  private final AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();

  ServerTls(TlsFiles files) {
    try {
      keys.updateIdentityCredentials(files.certificate().toFile(), files.privateKey().toFile());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use " + files.certificate() + " and " + files.privateKey()
          + " for TLS (" + e.getMessage() + "): --tls-cert takes a PEM certificate chain, --tls-key its PEM key "
          + "(PKCS#8: convert with openssl pkcs8 -topk8 -nocrypt)", e);
    }
  }

  ServerCredentials grpc() {
    return TlsServerCredentials.newBuilder().keyManager(keys).build();
  }

  /** An HTTPS connector on {@code bind}:{@code port} for Jetty, in place of its plaintext one. */
  Connector https(Server server, HttpConfiguration http, String bind, int port) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setSslContext(sslContext());
    HttpConfiguration secure = new HttpConfiguration(http);
    // The Host header is checked against the allowed hosts; the certificate's own names need not
    // include an address a client reaches the server by.
    secure.addCustomizer(new SecureRequestCustomizer(false));
    ServerConnector connector = new ServerConnector(server, ssl, new HttpConnectionFactory(secure));
    connector.setHost(bind);
    connector.setPort(port);
    return connector;
  }

  private SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {keys}, null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM offers no TLS: " + e.getMessage(), e);
    }
  }
}
