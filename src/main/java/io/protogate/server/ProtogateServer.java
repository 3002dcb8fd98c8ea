package io.protogate.server;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.protogate.descriptor.Schema;
import io.protogate.handler.Handlers;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A gRPC server on Netty that serves every service of a {@link Schema} through the given {@link
 * Handlers}, with server reflection (v1 and v1alpha) and health checking. Built with {@link
 * #builder(Schema)}; {@link #close()} shuts down gracefully: health turns NOT_SERVING, new calls
 * are refused, calls in flight get the grace period to finish. Handlers run on a pool thread,
 * or on the transport's event loop when registered {@linkplain Handlers.Builder#nonBlocking
 * non-blocking}.
 */
public final class ProtogateServer implements AutoCloseable {
  public static final int DEFAULT_PORT = 50052;

  private final Handlers handlers;
  private final ServiceRegistry registry;
  private final HandlerExecution execution;
  private final Server server;
  private final HealthStatusManager health;
  private final HealthWatches healthWatches = new HealthWatches();
  private final RequestGuard guard;
  private final Duration shutdownGrace;
  private final InetSocketAddress address;
  private final AtomicBoolean closing = new AtomicBoolean();

  // Written only by swap (synchronized), read from any thread.
  private volatile Schema schema;

  private ProtogateServer(Builder builder) {
    this.schema = builder.schema;
    this.shutdownGrace = builder.shutdownGrace;
    this.address = new InetSocketAddress(builder.host, builder.port);
    this.handlers = builder.handlers;
    this.health = new HealthStatusManager();
    this.registry = new ServiceRegistry(DynamicServices.build(schema, handlers));
    this.guard = new RequestGuard(builder.limits, builder.maxInboundMessageSize);
    NettyServerBuilder netty =
        NettyServerBuilder.forAddress(address, builder.credentials())
            .maxInboundMessageSize(builder.maxInboundMessageSize)
            .fallbackHandlerRegistry(registry)
            .addService(ServerInterceptors.intercept(health.getHealthService(), healthWatches))
            .addService(ProtoReflectionServiceV1.newInstance())
            .addService(v1alphaReflection())
            .addTransportFilter(guard)
            .addStreamTracerFactory(guard.tracers())
            .intercept(new EdgeInterceptor(() -> schema.version()));
    builder.limits.configure(netty);
    this.execution = new HandlerExecution(handlers);
    execution.configure(netty);
    this.server = netty.build();
  }

  @SuppressWarnings("deprecation") // v1alpha is what grpcurl and many clients still ask for.
  private static BindableService v1alphaReflection() {
    return ProtoReflectionService.newInstance();
  }

  public static Builder builder(Schema schema) {
    return new Builder(schema);
  }

  /** Binds the port and starts serving; health reports SERVING for "" and each service. */
  public ProtogateServer start() {
    try {
      server.start();
    } catch (IOException e) {
      execution.close();
      throw new UncheckedIOException(
          "cannot listen on " + address.getHostString() + ":" + address.getPort() + ": "
              + rootMessage(e) + "; pick another port or stop what uses it", e);
    }
    try {
      CallerMistakes.quietGrpcLogs();
      for (ServiceDescriptor service : schema.services()) {
        health.setStatus(service.getFullName(), ServingStatus.SERVING);
      }
      health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    } catch (RuntimeException | Error e) {
      // Listening but not started: let nothing keep the port or the threads.
      stopNow();
      throw e;
    }
    return this;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  /**
   * Serves {@code next} instead of the current schema, in one step: calls that started before
   * keep the definitions they started with, calls that start after see the new ones, reflection
   * and health follow. Handlers are bound again by method name. If a handler does not fit its
   * method in {@code next}, nothing changes and {@link IllegalArgumentException} says why.
   */
  public synchronized void swap(Schema next) {
    List<ServerServiceDefinition> definitions = DynamicServices.build(next, handlers);
    Schema previous = schema;
    registry.replace(definitions);
    schema = next;
    for (ServiceDescriptor service : previous.services()) {
      if (next.findService(service.getFullName()).isEmpty()) {
        health.clearStatus(service.getFullName());
      }
    }
    if (!closing.get()) {
      for (ServiceDescriptor service : next.services()) {
        health.setStatus(service.getFullName(), ServingStatus.SERVING);
      }
    }
  }

  /** Bytes of unfinished request messages the server holds now: what the memory limits count. */
  long pendingRequestBytes() {
    return guard.pendingBytes();
  }

  /** The port actually bound: useful when built with port 0. */
  public int port() {
    return server.getPort();
  }

  /** The schema served now. */
  public Schema schema() {
    return schema;
  }

  /**
   * Graceful shutdown: health turns NOT_SERVING, new calls are refused, calls in flight have the
   * grace period to finish and are cancelled after it. Returns once the server has stopped.
   */
  @Override
  public void close() throws InterruptedException {
    if (closing.getAndSet(true)) {
      server.awaitTermination();
      return;
    }
    try {
      health.enterTerminalState();
      // Watches never end by themselves: they would hold shutdown for the whole grace period.
      healthWatches.endAll();
      server.shutdown();
      if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination();
      }
    } catch (InterruptedException | RuntimeException | Error e) {
      // Whatever stopped the graceful way, the server must still stop.
      server.shutdownNow();
      throw e;
    } finally {
      execution.close();
    }
  }

  /**
   * Stops at once: calls in flight are cancelled, and a {@link #close()} waiting out the grace
   * period returns. For a second Ctrl-C, or a start-up that failed half-way.
   */
  public void stopNow() {
    if (!closing.getAndSet(true)) {
      health.enterTerminalState();
    }
    server.shutdownNow();
    execution.close();
  }

  /** Blocks until the server has stopped. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Server settings; only the schema is required. */
  public static final class Builder {
    private final Schema schema;
    private Handlers handlers = Handlers.builder().build();
    private String host = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private int maxInboundMessageSize = 4 * 1024 * 1024;
    private File tlsCert;
    private File tlsKey;
    private File tlsClientCa;
    private ServerLimits limits = ServerLimits.defaults();

    private Builder(Schema schema) {
      this.schema = requireNonNull(schema, "schema");
    }

    public Builder handlers(Handlers handlers) {
      this.handlers = requireNonNull(handlers, "handlers");
      return this;
    }

    /** The address to bind: loopback by default, {@code 0.0.0.0} to expose the server. */
    public Builder host(String host) {
      this.host = requireNonNull(host, "host");
      return this;
    }

    /** The port to bind; 0 picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
      }
      this.port = port;
      return this;
    }

    public Builder shutdownGrace(Duration grace) {
      if (grace.isNegative()) {
        throw new IllegalArgumentException("shutdownGrace: " + grace + " (expected: >= 0)");
      }
      this.shutdownGrace = grace;
      return this;
    }

    /** Requests larger than this end with RESOURCE_EXHAUSTED. */
    public Builder maxInboundMessageSize(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxInboundMessageSize: " + bytes + " (expected: > 0)");
      }
      this.maxInboundMessageSize = bytes;
      return this;
    }

    /** Limits on what callers may take from the server; {@link ServerLimits#defaults()} if unset. */
    public Builder limits(ServerLimits limits) {
      this.limits = requireNonNull(limits, "limits");
      return this;
    }

    /** Serve TLS with this certificate chain and private key (PEM files). */
    public Builder tls(File certChain, File privateKey) {
      this.tlsCert = requireNonNull(certChain, "certChain");
      this.tlsKey = requireNonNull(privateKey, "privateKey");
      return this;
    }

    /** Require client certificates signed by this CA (PEM): mutual TLS. Needs {@link #tls}. */
    public Builder requireClientCertificates(File clientCa) {
      this.tlsClientCa = requireNonNull(clientCa, "clientCa");
      return this;
    }

    private ServerCredentials credentials() {
      if (tlsCert == null) {
        if (tlsClientCa != null) {
          throw new IllegalArgumentException("client certificates need TLS: set the server's"
              + " certificate and key too");
        }
        return InsecureServerCredentials.create();
      }
      try {
        TlsServerCredentials.Builder tls =
            TlsServerCredentials.newBuilder().keyManager(tlsCert, tlsKey);
        if (tlsClientCa != null) {
          tls.trustManager(tlsClientCa).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return tls.build();
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("cannot use TLS files " + tlsCert + ", " + tlsKey
            + (tlsClientCa == null ? "" : ", " + tlsClientCa) + ": " + e.getMessage(), e);
      }
    }

    /** Builds the server, checking each handler against the call type of its method. */
    public ProtogateServer build() {
      return new ProtogateServer(this);
    }
  }
}
