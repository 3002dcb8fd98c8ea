package io.protogate.http;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.util.CertificateUtils;
import io.protogate.server.ServerKeyPair;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.CrossOriginHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Protogate's HTTP port, beside the gRPC one (grpc-java cannot share its port with other HTTP
 * traffic, grpc-java #3458): Jetty 12 core serving HTTP/1.1 and h2c in cleartext, or HTTP/1.1
 * and h2 negotiated by ALPN with TLS. Doors are Jetty {@link Handler}s tried in the order they
 * were {@linkplain Builder#handler added}, each answering the requests it knows (a path prefix
 * such as {@code /protogate/}, a content type such as {@code application/grpc-web}) and leaving
 * the others to the next; what no door answers gets a 404 {@code google.rpc.Status} naming the
 * path. CORS, off by default, wraps them all.
 */
public final class HttpPort implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;
  private final String host;

  private HttpPort(Builder builder) {
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("protogate-http");
    this.server = new Server(threads);
    this.host = builder.host;
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendDateHeader(false);
    // google.api.http gives %2F in a multi-segment variable a meaning: Jetty must not refuse it.
    config.setUriCompliance(UriCompliance.UNSAFE);
    HttpConnectionFactory http1 = new HttpConnectionFactory(config);
    SSLContext sslContext = builder.sslContext();
    if (sslContext == null) {
      connector = new ServerConnector(server, http1, new HTTP2CServerConnectionFactory(config));
    } else {
      config.addCustomizer(new SecureRequestCustomizer(false));
      HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(config);
      ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory("h2", "http/1.1");
      alpn.setDefaultProtocol(http1.getProtocol());
      SslContextFactory.Server ssl = new SslContextFactory.Server();
      ssl.setSslContext(sslContext);
      ssl.setNeedClientAuth(builder.tlsClientCa != null);
      connector = new ServerConnector(server,
          new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, h2, http1);
    }
    connector.setHost(builder.host);
    connector.setPort(builder.port);
    server.addConnector(connector);
    List<Handler> chain = new ArrayList<>(builder.handlers);
    chain.add(new NotFound());
    Handler handler = new Handler.Sequence(chain);
    if (!builder.corsOrigins.isEmpty()) {
      CrossOriginHandler cors = new CrossOriginHandler();
      cors.setAllowedOriginPatterns(builder.corsOrigins);
      cors.setAllowedHeaders(builder.corsHeaders);
      // What browser gRPC-Web and Connect clients must read from a cross-origin answer.
      cors.setExposedHeaders(Set.of("grpc-status", "grpc-message", "grpc-status-details-bin",
          "protogate-contract-version"));
      cors.setAllowedMethods(Set.of("GET", "POST", "PUT", "PATCH", "DELETE"));
      cors.setHandler(handler);
      handler = cors;
    }
    server.setHandler(handler);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Binds the port and starts serving. */
  public HttpPort start() {
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception ignored) {
        // Already failing: the bind error is what the user needs.
      }
      throw new UncheckedIOException("cannot serve HTTP on " + host + ":" + connector.getPort()
          + ": " + e.getMessage() + "; pick another port or stop what uses it",
          e instanceof IOException io ? io : new IOException(e));
    }
    return this;
  }

  /** The port actually bound: useful when built with port 0. */
  public int port() {
    return connector.getLocalPort();
  }

  /** Stops accepting, lets requests in flight end for a moment, then closes every connection. */
  @Override
  public void close() throws Exception {
    server.stop();
  }

  /** The answer when no door takes a request: 404 with a JSON status naming the path. */
  private static final class NotFound extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      ErrorResponses.send(response, callback, 404, ErrorResponses.plainJson(
          Status.NOT_FOUND.withDescription("no route for " + request.getMethod() + " "
              + request.getHttpURI().getPath() + "; every method also answers POST"
              + " /package.Service/Method with a JSON body")));
      return true;
    }
  }

  /** Port settings; add at least one handler. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private final List<Handler> handlers = new ArrayList<>();
    private File tlsCert;
    private File tlsKey;
    private File tlsClientCa;
    private Set<String> corsOrigins = Set.of();
    private Set<String> corsHeaders = Set.of();

    private Builder() {}

    /** The address to bind: loopback by default. */
    public Builder host(String host) {
      this.host = requireNonNull(host, "host");
      return this;
    }

    /** The port to bind; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
      }
      this.port = port;
      return this;
    }

    /** Adds a door; doors are tried in the order they are added. */
    public Builder handler(Handler handler) {
      handlers.add(requireNonNull(handler, "handler"));
      return this;
    }

    /**
     * Serve TLS (h2 by ALPN, or HTTP/1.1) with this certificate chain and private key, the PEM
     * files the gRPC port uses (PKCS#8, or PKCS#1 for RSA).
     */
    public Builder tls(File certChain, File privateKey) {
      this.tlsCert = requireNonNull(certChain, "certChain");
      this.tlsKey = requireNonNull(privateKey, "privateKey");
      return this;
    }

    /** Require client certificates signed by this CA (PEM), as the gRPC port does. */
    public Builder requireClientCertificates(File clientCa) {
      this.tlsClientCa = requireNonNull(clientCa, "clientCa");
      return this;
    }

    private SSLContext sslContext() {
      if (tlsCert == null) {
        if (tlsClientCa != null) {
          throw new IllegalArgumentException("client certificates need TLS: set the HTTP port's"
              + " certificate and key too");
        }
        return null;
      }
      // Read and checked as the gRPC port reads them, so both ports accept the same files.
      KeyManager[] keys = ServerKeyPair.read(tlsCert, tlsKey).keyManagers();
      try {
        TrustManager[] trust = null;
        if (tlsClientCa != null) {
          KeyStore cas = KeyStore.getInstance("PKCS12");
          cas.load(null, null);
          try (InputStream ca = new FileInputStream(tlsClientCa)) {
            X509Certificate[] authorities = CertificateUtils.getX509Certificates(ca);
            for (int i = 0; i < authorities.length; i++) {
              cas.setCertificateEntry("ca" + i, authorities[i]);
            }
          }
          TrustManagerFactory factory =
              TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
          factory.init(cas);
          trust = factory.getTrustManagers();
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, trust, null);
        return context;
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot use TLS files " + tlsCert + ", " + tlsKey
            + (tlsClientCa == null ? "" : ", " + tlsClientCa) + " for the HTTP port: "
            + e.getMessage(), e);
      }
    }

    /**
     * Answer CORS requests (preflights included) from these origins (patterns as Jetty's
     * CrossOriginHandler takes them, {@code *} for any), allowing these request headers; no
     * origins, the default, turns CORS off.
     */
    public Builder cors(Set<String> origins, Set<String> allowedHeaders) {
      this.corsOrigins = Set.copyOf(origins);
      this.corsHeaders = Set.copyOf(allowedHeaders);
      return this;
    }

    public HttpPort build() {
      if (handlers.isEmpty()) {
        throw new IllegalArgumentException("an HTTP port needs at least one handler");
      }
      return new HttpPort(this);
    }
  }
}
