package io.protogate.server;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What one connection, and all connections together, may take from the server: concurrent calls,
 * bytes of unfinished requests, stream resets, request metadata, idle and total connection time,
 * and keepalive pings. The defaults are safe for a server exposed to callers it does not trust;
 * each one is a {@code serve} flag. A caller that exceeds a limit on one call gets that call
 * refused with {@code RESOURCE_EXHAUSTED}; one that abuses the connection itself (resets streams
 * faster than allowed, pings too often) loses the connection. Everyone else keeps being served.
 */
public final class ServerLimits {
  /** Means "no limit" for the durations below. */
  public static final Duration NEVER = Duration.ZERO;

  private final int maxConcurrentCallsPerConnection;
  private final int maxResetsPerWindow;
  private final Duration resetWindow;
  private final Duration maxConnectionIdle;
  private final Duration maxConnectionAge;
  private final Duration maxConnectionAgeGrace;
  private final Duration keepAliveTime;
  private final Duration keepAliveTimeout;
  private final Duration permitKeepAliveTime;
  private final int maxHeaderListSize;
  private final long maxPendingBytes;
  private final long maxPendingBytesPerConnection;

  private ServerLimits(Builder builder) {
    this.maxConcurrentCallsPerConnection = builder.maxConcurrentCallsPerConnection;
    this.maxResetsPerWindow = builder.maxResetsPerWindow;
    this.resetWindow = builder.resetWindow;
    this.maxConnectionIdle = builder.maxConnectionIdle;
    this.maxConnectionAge = builder.maxConnectionAge;
    this.maxConnectionAgeGrace = builder.maxConnectionAgeGrace;
    this.keepAliveTime = builder.keepAliveTime;
    this.keepAliveTimeout = builder.keepAliveTimeout;
    this.permitKeepAliveTime = builder.permitKeepAliveTime;
    this.maxHeaderListSize = builder.maxHeaderListSize;
    this.maxPendingBytes = builder.maxPendingBytes;
    this.maxPendingBytesPerConnection = builder.maxPendingBytesPerConnection;
  }

  public static ServerLimits defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public int maxHeaderListSize() {
    return maxHeaderListSize;
  }

  /**
   * Bytes of unfinished requests all connections together may hold; by default a quarter of the
   * JVM's largest heap, so that abusive callers cannot take the memory honest ones need.
   */
  public long maxPendingBytes() {
    return maxPendingBytes > 0 ? maxPendingBytes : Runtime.getRuntime().maxMemory() / 4;
  }

  /**
   * Bytes of unfinished requests one connection may hold; by default an eighth of {@link
   * #maxPendingBytes()}, but room for at least two requests of the largest size accepted.
   */
  public long maxPendingBytesPerConnection(int maxMessageSize) {
    return maxPendingBytesPerConnection > 0
        ? maxPendingBytesPerConnection
        : Math.max(maxPendingBytes() / 8, 2L * maxMessageSize);
  }

  /**
   * Request metadata up to this many times {@link #maxHeaderListSize()} is decoded and refused
   * on its own stream with a status; only beyond it does the HTTP/2 layer refuse it (and, from
   * half as much again, close the connection, as a header list that large is an attack).
   */
  static final int DECODED_HEADER_LIST_FACTOR = 4;

  /**
   * The most bytes one socket read takes: one HTTP/2 DATA frame of the default size. grpc-java
   * keeps each DATA frame of an unfinished message as a slice of the buffer it was read into, and
   * a slice keeps its whole buffer alive; with Netty's default of up to 64 KiB per read, streams
   * interleaved on one connection pinned several times the bytes {@code --max-pending-bytes}
   * counts, until direct memory ran out. Reads of at most 16 KiB keep what is pinned within a
   * small factor of what is counted (bench/abuse-run.sh measures it).
   */
  static final int MAX_READ_BYTES = 16 * 1024;

  void configure(NettyServerBuilder netty) {
    netty.withChildOption(ChannelOption.RCVBUF_ALLOCATOR,
        new AdaptiveRecvByteBufAllocator(64, 2048, MAX_READ_BYTES));
    netty.maxConcurrentCallsPerConnection(maxConcurrentCallsPerConnection);
    netty.maxRstFramesPerWindow(maxResetsPerWindow, (int) resetWindow.toSeconds());
    if (!maxConnectionIdle.isZero()) {
      netty.maxConnectionIdle(maxConnectionIdle.toNanos(), TimeUnit.NANOSECONDS);
    }
    if (!maxConnectionAge.isZero()) {
      netty.maxConnectionAge(maxConnectionAge.toNanos(), TimeUnit.NANOSECONDS);
      netty.maxConnectionAgeGrace(maxConnectionAgeGrace.toNanos(), TimeUnit.NANOSECONDS);
    }
    netty.keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS);
    netty.keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS);
    netty.permitKeepAliveTime(permitKeepAliveTime.toNanos(), TimeUnit.NANOSECONDS);
    // Our own check (HeaderChecks) refuses a list over the limit with a status on its stream;
    // grpc-java's would answer a bare HTTP 431, or reset the connection a little above it.
    netty.maxInboundMetadataSize(
        (int) Math.min(Integer.MAX_VALUE, (long) maxHeaderListSize * DECODED_HEADER_LIST_FACTOR));
  }

  /** Every limit has a safe default; setters check their argument. */
  public static final class Builder {
    private int maxConcurrentCallsPerConnection = 100;
    private int maxResetsPerWindow = 200;
    private Duration resetWindow = Duration.ofSeconds(10);
    private Duration maxConnectionIdle = Duration.ofMinutes(5);
    private Duration maxConnectionAge = NEVER;
    private Duration maxConnectionAgeGrace = Duration.ofSeconds(30);
    private Duration keepAliveTime = Duration.ofHours(2);
    private Duration keepAliveTimeout = Duration.ofSeconds(20);
    private Duration permitKeepAliveTime = Duration.ofMinutes(5);
    private int maxHeaderListSize = 16 * 1024;
    private long maxPendingBytes;
    private long maxPendingBytesPerConnection;

    private Builder() {}

    /** Calls one connection may have open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS). */
    public Builder maxConcurrentCallsPerConnection(int calls) {
      this.maxConcurrentCallsPerConnection = positive("maxConcurrentCallsPerConnection", calls);
      return this;
    }

    /**
     * Stream resets (RST_STREAM) one connection may send per window before it is closed: the
     * defence against "rapid reset" (CVE-2023-44487). Cancelling clients send some; floods are
     * attacks.
     */
    public Builder maxResetsPerWindow(int resets, Duration window) {
      this.maxResetsPerWindow = positive("maxResetsPerWindow", resets);
      if (window.toSeconds() < 1) {
        throw new IllegalArgumentException("reset window: " + window + " (expected: >= 1 s)");
      }
      this.resetWindow = window;
      return this;
    }

    /** A connection with no call for this long is closed (gracefully); {@link #NEVER} keeps it. */
    public Builder maxConnectionIdle(Duration idle) {
      this.maxConnectionIdle = notNegative("maxConnectionIdle", idle);
      return this;
    }

    /**
     * A connection older than {@code age} is asked to go away; its calls get {@code grace} to
     * finish. {@link #NEVER} (the default) lets connections live as long as they are used.
     */
    public Builder maxConnectionAge(Duration age, Duration grace) {
      this.maxConnectionAge = notNegative("maxConnectionAge", age);
      this.maxConnectionAgeGrace = notNegative("maxConnectionAgeGrace", grace);
      return this;
    }

    /** The server pings a connection silent for {@code time}, and drops it after {@code timeout}. */
    public Builder keepAlive(Duration time, Duration timeout) {
      this.keepAliveTime = positive("keepAliveTime", time);
      this.keepAliveTimeout = positive("keepAliveTimeout", timeout);
      return this;
    }

    /** A client that pings more often than this loses its connection (GOAWAY ENHANCE_YOUR_CALM). */
    public Builder permitKeepAliveTime(Duration time) {
      this.permitKeepAliveTime = notNegative("permitKeepAliveTime", time);
      return this;
    }

    /**
     * Largest request metadata, counted as HTTP/2 does (name + value + 32 bytes per entry); a call
     * with more is refused with {@code RESOURCE_EXHAUSTED}, other calls on the connection go on.
     */
    public Builder maxHeaderListSize(int bytes) {
      this.maxHeaderListSize = positive("maxHeaderListSize", bytes);
      return this;
    }

    /** See {@link ServerLimits#maxPendingBytes()}; 0 restores the default. */
    public Builder maxPendingBytes(long bytes) {
      this.maxPendingBytes = notNegative("maxPendingBytes", bytes);
      return this;
    }

    /** See {@link ServerLimits#maxPendingBytesPerConnection(int)}; 0 restores the default. */
    public Builder maxPendingBytesPerConnection(long bytes) {
      this.maxPendingBytesPerConnection = notNegative("maxPendingBytesPerConnection", bytes);
      return this;
    }

    public ServerLimits build() {
      return new ServerLimits(this);
    }

    private static int positive(String what, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(what + ": " + value + " (expected: > 0)");
      }
      return value;
    }

    private static long notNegative(String what, long value) {
      if (value < 0) {
        throw new IllegalArgumentException(what + ": " + value + " (expected: >= 0)");
      }
      return value;
    }

    private static Duration positive(String what, Duration value) {
      if (requireNonNull(value, what).isNegative() || value.isZero()) {
        throw new IllegalArgumentException(what + ": " + value + " (expected: > 0)");
      }
      return value;
    }

    private static Duration notNegative(String what, Duration value) {
      if (requireNonNull(value, what).isNegative()) {
        throw new IllegalArgumentException(what + ": " + value + " (expected: >= 0)");
      }
      return value;
    }
  }
}
