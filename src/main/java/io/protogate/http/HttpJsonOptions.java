package io.protogate.http;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the HTTP/JSON door treats requests and prints answers. Immutable; {@link #builder()} starts
 * from the defaults: unknown query parameters and JSON fields refused, the headers of {@link
 * #DEFAULT_FORWARDED_HEADERS} (and every {@code Grpc-Metadata-*}) passed on as gRPC metadata,
 * lowerCamelCase JSON names, fields at their default value left out, bodies up to 4 MiB.
 */
public final class HttpJsonOptions {
  /** Request headers passed on as metadata unless the allow-list is replaced. */
  public static final Set<String> DEFAULT_FORWARDED_HEADERS =
      Set.of("authorization", "x-request-id", "traceparent", "tracestate");

  private final boolean ignoreUnknown;
  private final Set<String> forwardedHeaders;
  private final boolean emitDefaults;
  private final boolean protoNames;
  private final int maxRequestBytes;

  private HttpJsonOptions(Builder builder) {
    this.ignoreUnknown = builder.ignoreUnknown;
    this.forwardedHeaders = builder.forwardedHeaders;
    this.emitDefaults = builder.emitDefaults;
    this.protoNames = builder.protoNames;
    this.maxRequestBytes = builder.maxRequestBytes;
  }

  public static HttpJsonOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  boolean ignoreUnknown() {
    return ignoreUnknown;
  }

  Set<String> forwardedHeaders() {
    return forwardedHeaders;
  }

  boolean emitDefaults() {
    return emitDefaults;
  }

  boolean protoNames() {
    return protoNames;
  }

  int maxRequestBytes() {
    return maxRequestBytes;
  }

  /** Sets options one by one; {@link #build()} makes the immutable value. */
  public static final class Builder {
    private boolean ignoreUnknown;
    private Set<String> forwardedHeaders = DEFAULT_FORWARDED_HEADERS;
    private boolean emitDefaults;
    private boolean protoNames;
    private int maxRequestBytes = 4 * 1024 * 1024;

    private Builder() {}

    /**
     * Ignore query parameters and JSON fields the request type does not have, as grpc-gateway
     * does, instead of answering 400 naming them.
     */
    public Builder ignoreUnknownFields(boolean ignore) {
      this.ignoreUnknown = ignore;
      return this;
    }

    /** The request headers (any case) passed on as gRPC metadata, besides Grpc-Metadata-*. */
    public Builder forwardedHeaders(Set<String> headers) {
      this.forwardedHeaders = headers.stream()
          .map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
      return this;
    }

    /** Print fields left at their default value too. */
    public Builder emitDefaults(boolean emit) {
      this.emitDefaults = emit;
      return this;
    }

    /** Print proto field names ({@code map_result}) rather than lowerCamelCase. */
    public Builder protoNames(boolean proto) {
      this.protoNames = proto;
      return this;
    }

    /** Larger request bodies get 413; a streaming body is not limited as a whole. */
    public Builder maxRequestBytes(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxRequestBytes: " + bytes + " (expected: > 0)");
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    public HttpJsonOptions build() {
      return new HttpJsonOptions(this);
    }
  }
}
