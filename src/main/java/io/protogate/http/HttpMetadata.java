package io.protogate.http;

import io.grpc.Metadata;
import java.util.Base64;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;

/**
 * Request headers of a browser protocol (gRPC-Web, Connect) as gRPC metadata, and metadata back
 * as response headers, by gRPC's own rules: every header travels except those that belong to the
 * HTTP connection or to the protocol itself, and {@code -bin} values are base64 (padded or not,
 * as browsers send either).
 */
public final class HttpMetadata {
  private static final Set<String> NOT_METADATA = Set.of(
      "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te",
      "content-type", "content-length", "content-encoding", "accept-encoding", "accept",
      "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "connect-timeout-ms",
      "connect-protocol-version", "connect-content-encoding", "connect-accept-encoding",
      "x-grpc-web", "x-user-agent", "http2-settings", "access-control-request-method", "access-control-request-headers");

  private HttpMetadata() {}

  /** The client's address as {@code host:port}, for {@link io.protogate.server.CallTags#PEER}. */
  public static String peer(Request request) {
    return Request.getRemoteAddr(request) + ":" + Request.getRemotePort(request);
  }

  /**
   * The gRPC metadata carried by {@code headers}; a {@code -bin} header that is not base64 is
   * refused, naming it.
   */
  public static Metadata fromHeaders(HttpFields headers) {
    Metadata metadata = new Metadata();
    for (HttpField field : headers) {
      String name = field.getLowerCaseName();
      if (NOT_METADATA.contains(name) || name.startsWith(":") || name.startsWith("sec-")) {
        continue;
      }
      put(metadata, name, field.getValue());
    }
    return metadata;
  }

  /**
   * Adds one header to {@code metadata} under {@code key}, decoding the base64 of a {@code -bin}
   * key; a value that is not base64 is refused, naming the header.
   */
  public static void put(Metadata metadata, String key, String value) {
    if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
      metadata.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
      return;
    }
    try {
      metadata.put(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER),
          Base64.getDecoder().decode(pad(value.trim())));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "header " + key + " is not base64, as a -bin header must be: " + e.getMessage());
    }
  }

  /**
   * Adds the entries of {@code metadata} to {@code headers}, {@code prefix} before each name; the
   * {@code grpc-} ones are left out, since each protocol renders the status in its own way.
   */
  public static void toHeaders(Metadata metadata, String prefix, HttpFields.Mutable headers) {
    if (metadata == null) {
      return;
    }
    for (String key : metadata.keys()) {
      if (key.startsWith("grpc-") || key.startsWith(":") || key.equals("content-type")) {
        continue;
      }
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        for (byte[] value :
            metadata.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER))) {
          headers.add(prefix + key, Base64.getEncoder().encodeToString(value));
        }
      } else {
        for (String value :
            metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))) {
          headers.add(prefix + key, value);
        }
      }
    }
  }

  /** Base64 without its padding restored, so Java's decoder takes what browsers send. */
  static String pad(String base64) {
    int missing = (4 - base64.length() % 4) % 4;
    return missing == 0 || missing == 3 ? base64 : base64 + "=".repeat(missing);
  }
}
