package io.protogate.server;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.protogate.contract.Contract;
import io.protogate.contract.ContractException;
import io.protogate.contract.LiveContract;
import io.protogate.descriptor.Schema;
import io.protogate.handler.Handlers;
import io.protogate.stub.History;
import io.protogate.stub.Recorder;
import io.protogate.stub.StubAnswers;
import io.protogate.stub.Stubs;
import io.protogate.upstream.UpstreamChannels;
import io.protogate.upstream.UpstreamHealth;
import io.protogate.upstream.UpstreamRouting;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A gRPC server on Netty that serves every service of the {@linkplain #contract() live contract},
 * with server reflection (v1 and v1alpha) and health checking, and the in-process {@linkplain
 * #channel() channel} through which every other door calls the very same services. Which tier
 * answers a method (a Java handler, a stub, an upstream route, a bundled demo handler) is decided
 * per contract, in one place. Built with {@link #builder(Schema)}; {@link #close()} shuts down
 * gracefully: health turns NOT_SERVING, new calls are refused, calls in flight get the grace period
 * to finish.
 */
public final class ProtogateServer implements AutoCloseable {
  public static final int DEFAULT_PORT = 50052;

  private final Handlers handlers;
  private final Handlers demo;
  private final LiveContract contract;
  private final HandlerExecution execution;
  private final Server server;
  private final Server inProcess;
  private final ManagedChannel channel;
  private final HealthStatusManager health;
  private final HealthWatches healthWatches = new HealthWatches();
  private final RequestGuard guard;
  private final Dispatch dispatch;
  private final UpstreamChannels upstreamChannels;
  private final Recorder recorder;
  private final UpstreamHealth upstreamHealth;
  private final Duration shutdownGrace;
  private final InetSocketAddress address;
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Health enters its terminal state once: grpc-java logs a stack trace for a second time. */
  private final AtomicBoolean healthEnded = new AtomicBoolean();
  private final Set<String> healthReported = new HashSet<>(); // guarded by this

  private ProtogateServer(Builder builder) throws ContractException {
    this.shutdownGrace = builder.shutdownGrace;
    this.address = new InetSocketAddress(builder.host, builder.port);
    this.handlers = builder.handlers;
    this.demo = builder.demo;
    this.health = new HealthStatusManager();
    this.upstreamChannels = new UpstreamChannels(builder.upstreamCalls);
    this.upstreamHealth = new UpstreamHealth(upstreamChannels, health::setStatus);
    this.recorder = builder.recorder;
    this.dispatch =
        new Dispatch(handlers, demo, builder.stubAnswers, upstreamChannels, builder.recorder);
    this.contract = LiveContract.of(builder.contract);
    contract.register(Stubs.CHECKED);
    contract.register(dispatch.upstreams);
    contract.register(dispatch.services);
    ServiceRegistry registry = new ServiceRegistry(contract, dispatch);
    this.execution = new HandlerExecution(dispatch, builder.blockingExecutor);
    this.guard = new RequestGuard(builder.limits, builder.maxInboundMessageSize);
    NettyServerBuilder netty =
        NettyServerBuilder.forAddress(address, builder.credentials())
            .maxInboundMessageSize(builder.maxInboundMessageSize)
            .addTransportFilter(guard)
            .addStreamTracerFactory(guard.tracers());
    builder.limits.configure(netty);
    this.server = configure(netty, registry, builder).build();
    String name = InProcessServerBuilder.generateName();
    this.inProcess =
        configure(
                InProcessServerBuilder.forName(name)
                    .maxInboundMessageSize(builder.maxInboundMessageSize),
                registry,
                builder)
            .build();
    this.channel =
        InProcessChannelBuilder.forName(name)
            .directExecutor()
            .maxInboundMessageSize(Integer.MAX_VALUE)
            .build();
  }

  /** The same services, interceptors and executors on the network port and in-process. */
  private ServerBuilder<?> configure(
      ServerBuilder<?> server, ServiceRegistry registry, Builder builder) {
    server
        .fallbackHandlerRegistry(registry)
        .addService(ServerInterceptors.intercept(
            ParseFailures.answeredIn(health.getHealthService().bindService()), healthWatches))
        .addService(ParseFailures.answeredIn(ProtoReflectionServiceV1.newInstance().bindService()))
        .addService(ParseFailures.answeredIn(v1alphaReflection().bindService()));
    builder.services.forEach(server::addService);
    builder.interceptors.forEach(server::intercept);
    // Last added, so outermost: it sees every call first and every response last.
    server.intercept(new EdgeInterceptor(() -> contract.current().version()));
    execution.configure(server);
    return server;
  }

  @SuppressWarnings("deprecation") // v1alpha is what grpcurl and many clients still ask for.
  private static BindableService v1alphaReflection() {
    return ProtoReflectionService.newInstance();
  }

  public static Builder builder(Schema schema) {
    return new Builder(Contract.of(schema));
  }

  /** A server of {@code contract}, with the inputs (routes, stubs) it holds. */
  public static Builder builder(Contract contract) {
    return new Builder(contract);
  }

  /** Binds the port and starts serving; health reports SERVING for "" and each service. */
  public ProtogateServer start() {
    try {
      inProcess.start();
      server.start();
    } catch (IOException e) {
      inProcess.shutdownNow();
      throw new UncheckedIOException(
          "cannot listen on " + address.getHostString() + ":" + address.getPort() + ": "
              + rootMessage(e) + "; pick another port or stop what uses it", e);
    }
    try {
      CallerMistakes.quietGrpcLogs();
      contract.subscribe(this::reportHealth);
      health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    } catch (RuntimeException | Error e) {
      // Listening but not started: let nothing keep the port or the threads.
      stopNow();
      throw e;
    }
    return this;
  }

  /**
   * Health follows the contract: SERVING for each service, unknown once a service is gone; a
   * routed service's health follows its upstream instead. Channels to upstreams no longer routed
   * to close here, once the contract without them is published.
   */
  private synchronized void reportHealth(Contract served) {
    UpstreamRouting routing = served.part(dispatch.upstreams);
    upstreamChannels.retainOnly(served.part(UpstreamRouting.ROUTES).upstreams());
    upstreamHealth.follow(routing);
    Set<String> now = new HashSet<>();
    for (ServiceDescriptor service : served.schema().services()) {
      now.add(service.getFullName());
    }
    for (String gone : healthReported) {
      if (!now.contains(gone)) {
        health.clearStatus(gone);
      }
    }
    if (!closing.get()) {
      for (String service : now) {
        if (!routing.services().containsKey(service)) {
          health.setStatus(service, ServingStatus.SERVING);
        }
      }
    }
    healthReported.clear();
    healthReported.addAll(now);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  /**
   * Serves {@code next} instead of the current schema, in one step, keeping the contract's other
   * inputs: calls that started before keep the definitions they started with, calls that start
   * after see the new ones, reflection and health follow. If the contract cannot be served (a
   * handler does not fit its method), nothing changes and {@link IllegalArgumentException} says
   * why.
   */
  public void swap(Schema next) {
    try {
      contract.update(current -> current.withSchema(next));
    } catch (ContractException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** The live contract: what is served now, swaps, and subscriptions to every change. */
  public LiveContract contract() {
    return contract;
  }

  /**
   * A channel into this server without a network hop: calls through it meet the same services,
   * interceptors, executors, errors, version header, deadlines and cancellation as calls over the
   * network. The doors other than gRPC call through it. Closed with the server.
   */
  public Channel channel() {
    return channel;
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
    return contract.current().schema();
  }

  /**
   * Starts draining before a stop: health turns NOT_SERVING for every service (and stays so),
   * so that balancers and orchestrators probing it stop sending calls, while calls are still
   * answered until {@link #close()}.
   */
  public void drain() {
    endHealth();
  }

  private void endHealth() {
    if (!healthEnded.getAndSet(true)) {
      health.enterTerminalState();
    }
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
      endHealth();
      // Watches never end by themselves: they would hold shutdown for the whole grace period.
      healthWatches.endAll();
      server.shutdown();
      inProcess.shutdown();
      long deadline = System.nanoTime() + shutdownGrace.toNanos();
      if (!server.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)
          | !inProcess.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        server.shutdownNow();
        inProcess.shutdownNow();
        server.awaitTermination();
        inProcess.awaitTermination();
      }
    } catch (InterruptedException | RuntimeException | Error e) {
      // Whatever stopped the graceful way, the server must still stop.
      server.shutdownNow();
      inProcess.shutdownNow();
      throw e;
    } finally {
      release();
    }
  }

  /**
   * Stops at once: calls in flight are cancelled, and a {@link #close()} waiting out the grace
   * period returns. For a second Ctrl-C, or a start-up that failed half-way.
   */
  public void stopNow() {
    boolean closeInProgress = closing.getAndSet(true);
    if (!closeInProgress) {
      endHealth();
    }
    server.shutdownNow();
    inProcess.shutdownNow();
    if (!closeInProgress) {
      release();
    }
  }

  private void release() {
    channel.shutdownNow();
    upstreamHealth.close();
    // Every forwarded call has ended with the server: nothing is left to finish upstream.
    upstreamChannels.close();
    if (recorder != null) {
      try {
        recorder.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    execution.close();
    handlers.close();
    demo.close();
  }

  /** Blocks until the server has stopped. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Server settings; only the contract is required. */
  public static final class Builder {
    private final Contract contract;
    private Handlers handlers = Handlers.builder().build();
    private Handlers demo = Handlers.builder().build();
    private StubAnswers stubAnswers = new StubAnswers(new History(1000));
    private Recorder recorder;
    private final List<ServerInterceptor> interceptors = new ArrayList<>();
    private final List<ServerServiceDefinition> services = new ArrayList<>();
    private Executor blockingExecutor;
    private Function<String, ClientInterceptor> upstreamCalls = name -> null;
    private String host = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private Duration shutdownGrace = Duration.ofSeconds(10);
    private int maxInboundMessageSize = 4 * 1024 * 1024;
    private File tlsCert;
    private File tlsKey;
    private File tlsClientCa;
    private ServerLimits limits = ServerLimits.defaults();

    private Builder(Contract contract) {
      this.contract = requireNonNull(contract, "contract");
    }

    /** The Java handlers: they answer their methods before any other tier. */
    public Builder handlers(Handlers handlers) {
      this.handlers = requireNonNull(handlers, "handlers");
      return this;
    }

    /**
     * Handlers of last resort, such as the bundled contracts' demo handlers: they answer a method
     * only when no handler, stub or upstream route does.
     */
    public Builder demoHandlers(Handlers demo) {
      this.demo = requireNonNull(demo, "demo");
      return this;
    }

    /**
     * How stubs answer, and where their calls are written down: give one to read its {@link
     * History} (the stub API does); by default each server has its own, of 1000 calls.
     */
    public Builder stubAnswers(StubAnswers answers) {
      this.stubAnswers = requireNonNull(answers, "answers");
      return this;
    }

    /**
     * Records every call forwarded to an upstream route as a stub file ({@code serve --record}).
     * The server closes the recorder when it stops, once the calls in flight are written.
     */
    public Builder record(Recorder recorder) {
      this.recorder = requireNonNull(recorder, "recorder");
      return this;
    }

    /**
     * Intercepts every call, of every door, before it reaches its service (the first added runs
     * last, as with grpc-java's {@code ServerBuilder.intercept}).
     */
    public Builder intercept(ServerInterceptor... interceptors) {
      for (ServerInterceptor interceptor : interceptors) {
        this.interceptors.add(requireNonNull(interceptor, "interceptor"));
      }
      return this;
    }

    /** Serves {@code service} beside the contract's services, reachable from every door. */
    public Builder addService(BindableService service) {
      services.add(service.bindService());
      return this;
    }

    /** Serves {@code service} beside the contract's services, reachable from every door. */
    public Builder addService(ServerServiceDefinition service) {
      services.add(requireNonNull(service, "service"));
      return this;
    }

    /**
     * Intercepts every call forwarded to an upstream route with {@code interceptor.apply(name)},
     * {@code name} being the upstream's target: per-upstream metrics, say.
     */
    public Builder interceptUpstreamCalls(Function<String, ClientInterceptor> interceptor) {
      this.upstreamCalls = requireNonNull(interceptor, "interceptor");
      return this;
    }

    /**
     * Runs handlers that may block on {@code executor} (virtual threads, say) instead of a pool
     * the server owns. The server does not shut it down.
     */
    public Builder blockingExecutor(Executor executor) {
      this.blockingExecutor = requireNonNull(executor, "executor");
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

    /**
     * Serve TLS with this certificate chain and private key (PEM files; the key unencrypted,
     * PKCS#8 or PKCS#1 RSA). {@link #build} refuses a key that does not belong to the certificate.
     */
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
      TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder();
      ServerKeyPair.apply(tlsCert, tlsKey, tls);
      if (tlsClientCa != null) {
        try {
          tls.trustManager(tlsClientCa).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        } catch (IOException | RuntimeException e) {
          throw new IllegalArgumentException("cannot use TLS client CA " + tlsClientCa + ": "
              + e.getMessage(), e);
        }
      }
      return tls.build();
    }

    /**
     * Builds the server, checking each handler against the call type of its method; a handler
     * that does not fit gives {@link IllegalArgumentException} saying which.
     */
    public ProtogateServer build() {
      try {
        return new ProtogateServer(this);
      } catch (ContractException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
  }
}
