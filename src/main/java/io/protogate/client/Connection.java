package io.protogate.client;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.grpc.stub.MetadataUtils;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * How to reach a gRPC server: address, plaintext or TLS (with optional client certificate),
 * authority, connect timeout, message size limit and headers for every call. Immutable; {@link
 * #open()} makes a channel.
 */
public final class Connection {
  private final String target;
  private final boolean plaintext;
  private final boolean insecure;
  private final File caCert;
  private final File cert;
  private final File key;
  private final String authority;
  private final Duration connectTimeout;
  private final int maxInboundMessageSize;
  private final Metadata headers;

  private Connection(Builder b) {
    this.target = b.target;
    this.plaintext = b.plaintext;
    this.insecure = b.insecure;
    this.caCert = b.caCert;
    this.cert = b.cert;
    this.key = b.key;
    this.authority = b.authority;
    this.connectTimeout = b.connectTimeout;
    this.maxInboundMessageSize = b.maxInboundMessageSize;
    // A copy: Metadata is mutable, and the builder may go on adding headers after build().
    this.headers = new Metadata();
    this.headers.merge(b.headers);
  }

  /**
   * A connection to {@code target}: {@code host:port}, a grpc-java target such as {@code
   * dns:///host:port}, or several {@code host:port} separated by commas, used in round robin.
   */
  public static Builder builder(String target) {
    return new Builder(target);
  }

  /**
   * Refuses a target that is neither {@code host:port} (or a comma-separated list of them) nor a
   * grpc-java target with a scheme, with a message naming the address that is wrong.
   */
  public static void checkTarget(String target) {
    AddressList.check(target);
  }

  public String target() {
    return target;
  }

  /** Opens a channel; the first call connects. Closing it is the caller's job. */
  public ManagedChannel open() {
    boolean list = AddressList.isList(target);
    NettyChannelBuilder builder =
        NettyChannelBuilder.forTarget(list ? AddressList.target() : target, credentials())
            .maxInboundMessageSize(maxInboundMessageSize)
            .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    if (authority != null) {
      builder.overrideAuthority(authority);
    }
    if (list) {
      useAddressList(builder);
    }
    if (headers.keys().isEmpty()) {
      return builder.build();
    }
    return builder.intercept(MetadataUtils.newAttachHeadersInterceptor(headers)).build();
  }

  // grpc-java's only per-channel hook for a custom resolver is this deprecated method (the
  // non-deprecated Grpc.newChannelBuilder(target, credentials, registry) returns a builder without
  // Netty's options); a global registration would leak into every other channel of the process.
  @SuppressWarnings("deprecation")
  private void useAddressList(NettyChannelBuilder builder) {
    builder.nameResolverFactory(AddressList.registry(target).asFactory())
        .defaultLoadBalancingPolicy("round_robin");
  }

  private ChannelCredentials credentials() {
    if (plaintext) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
    try {
      if (insecure) {
        tls.trustManager(InsecureTrustManagerFactory.INSTANCE.getTrustManagers());
      } else if (caCert != null) {
        tls.trustManager(caCert);
      }
      if (cert != null) {
        tls.keyManager(cert, key);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS material: " + e.getMessage(), e);
    }
    return tls.build();
  }

  /** Connection settings; only the target is required. Plaintext is off: TLS is the default. */
  public static final class Builder {
    private final String target;
    private boolean plaintext;
    private boolean insecure;
    private File caCert;
    private File cert;
    private File key;
    private String authority;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private int maxInboundMessageSize = 4 * 1024 * 1024;
    private final Metadata headers = new Metadata();

    private Builder(String target) {
      checkTarget(requireNonNull(target, "target"));
      this.target = target;
    }

    public Builder plaintext(boolean plaintext) {
      this.plaintext = plaintext;
      return this;
    }

    /** TLS without verifying the server's certificate: for tests and self-signed servers. */
    public Builder insecure(boolean insecure) {
      this.insecure = insecure;
      return this;
    }

    /** The CA certificate (PEM) to verify the server with, instead of the system's. */
    public Builder caCert(File caCert) {
      this.caCert = caCert;
      return this;
    }

    /** A client certificate and its key (PEM), for servers that require mutual TLS. */
    public Builder clientCertificate(File cert, File key) {
      this.cert = cert;
      this.key = key;
      return this;
    }

    public Builder authority(String authority) {
      this.authority = authority;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout: " + timeout + " (expected: > 0)");
      }
      this.connectTimeout = timeout;
      return this;
    }

    public Builder maxInboundMessageSize(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxInboundMessageSize: " + bytes + " (expected: > 0)");
      }
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /** A header sent with every call; a name ending in {@code -bin} takes base64 bytes. */
    public Builder header(String name, String value) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        byte[] bytes;
        try {
          bytes = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "header " + name + ": a -bin header takes base64, and '" + value + "' is not", e);
        }
        headers.put(Metadata.Key.of(lower, Metadata.BINARY_BYTE_MARSHALLER), bytes);
      } else {
        headers.put(Metadata.Key.of(lower, Metadata.ASCII_STRING_MARSHALLER), value);
      }
      return this;
    }

    public Connection build() {
      if (plaintext && (insecure || caCert != null || cert != null)) {
        throw new IllegalArgumentException(
            "--plaintext cannot be combined with --insecure, --cacert, --cert or --key");
      }
      if ((cert == null) != (key == null)) {
        throw new IllegalArgumentException("--cert and --key go together");
      }
      return new Connection(this);
    }
  }
}
