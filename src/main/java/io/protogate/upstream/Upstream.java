package io.protogate.upstream;

import static java.util.Objects.requireNonNull;

import io.protogate.client.Connection;
import java.io.File;
import java.time.Duration;

/**
 * One backend gRPC server that routed services are forwarded to: where it is ({@code host:port},
 * several of them comma-separated for round robin, or a grpc-java target such as {@code
 * dns:///svc:50051}), how to talk to it (plaintext, or TLS with an optional CA and client
 * certificate), an authority override, a deadline for calls that come without one, and the
 * largest response accepted. Immutable; two equal upstreams share one channel, so an upstream left
 * unchanged by a swap keeps its connections.
 */
public record Upstream(
    String target,
    boolean tls,
    File ca,
    File cert,
    File key,
    String authority,
    Duration deadline,
    int maxMessageSize) {
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;

  public Upstream {
    requireNonNull(target, "target");
    if (target.isBlank()) {
      throw new IllegalArgumentException("an upstream needs a target: host:port, a comma-separated"
          + " list of them, or a grpc-java target such as dns:///host:port");
    }
    Connection.checkTarget(target);
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("upstream " + target + ": a client certificate and its"
          + " key go together (cert and key)");
    }
    if (!tls && (ca != null || cert != null)) {
      tls = true; // A CA or a client certificate only makes sense over TLS: asking for one is enough.
    }
    if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
      throw new IllegalArgumentException(
          "upstream " + target + ": deadline " + deadline + " (expected: > 0)");
    }
    if (maxMessageSize <= 0) {
      throw new IllegalArgumentException(
          "upstream " + target + ": max message size " + maxMessageSize + " (expected: > 0)");
    }
  }

  /** A plaintext upstream with default settings. */
  public static Upstream plaintext(String target) {
    return new Upstream(target, false, null, null, null, null, null, DEFAULT_MAX_MESSAGE_SIZE);
  }

  Connection connection() {
    Connection.Builder connection = Connection.builder(target)
        .plaintext(!tls)
        .maxInboundMessageSize(maxMessageSize);
    if (ca != null) {
      connection.caCert(ca);
    }
    if (cert != null) {
      connection.clientCertificate(cert, key);
    }
    if (authority != null) {
      connection.authority(authority);
    }
    return connection.build();
  }

  @Override
  public String toString() {
    return target;
  }
}
