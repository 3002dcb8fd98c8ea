package io.protogate.admin;

import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.distribution.pause.NoPauseDetector;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.protogate.contract.Contract;
import io.protogate.contract.LiveContract;
import io.protogate.reload.Reloader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What an operator sees of a running Protogate: the Prometheus metrics (calls per door and
 * method, calls to each upstream, reloads, the contract version, the JVM and the process) and the
 * optional access log. {@link #interceptor()} goes on the server, {@link #upstream(String)} on
 * each upstream channel; {@link #follow(LiveContract)} and {@link #follow(Reloader)} watch the
 * contract and its reloads. Closing it writes out the access log.
 */
public final class Telemetry implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(Telemetry.class.getName());

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final RpcMeters upstreams = new RpcMeters(registry, "client", "upstream");
  private final ServerCallMetrics interceptor;
  private final AccessLog accessLog;
  private final Writer accessLogOut;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private Gauge contractInfo; // guarded by this

  private Telemetry(Writer accessLogOut) {
    // Micrometer's default pause detector runs a thread and estimates intervals on every
    // recording, to correct latencies for GC pauses; the histogram's buckets do not need it, and
    // every call would pay for it.
    registry.config().pauseDetector(new NoPauseDetector());
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    closeables.add(gc);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    this.accessLogOut = accessLogOut;
    this.accessLog =
        accessLogOut == null ? null : new AccessLog(accessLogOut, registry, AccessLog.CAPACITY);
    this.interceptor = new ServerCallMetrics(new RpcMeters(registry, "server", "door"), accessLog);
  }

  /** Metrics only, no access log. */
  public static Telemetry create() {
    return new Telemetry(null);
  }

  /**
   * Metrics and an access log written to {@code accessLog}: a file (appended to), or {@code -}
   * for standard output.
   */
  public static Telemetry withAccessLog(String accessLog) {
    if ("-".equals(accessLog)) {
      return new Telemetry(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    }
    Path path = Path.of(accessLog);
    try {
      return new Telemetry(Files.newBufferedWriter(path, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the access log " + path.toAbsolutePath()
          + ": " + e.getMessage() + "; give a writable file, or - for standard output", e);
    }
  }

  /** Measures (and logs) every call the server answers: add it with {@code intercept}. */
  public ServerInterceptor interceptor() {
    return interceptor;
  }

  /**
   * Measures the calls made to the upstream named {@code name}: the upstream tier adds it to that
   * upstream's channel.
   */
  public ClientInterceptor upstream(String name) {
    return new ClientCallMetrics(upstreams, name);
  }

  /** Shows the version {@code contract} serves as {@code protogate_contract_info{version}}. */
  public void follow(LiveContract contract) {
    Gauge.builder("protogate.contract.generation", contract, c -> c.current().generation())
        .description("How many contracts were published before the one served")
        .register(registry);
    closeables.add(contract.subscribe(this::served));
  }

  private synchronized void served(Contract contract) {
    if (contractInfo != null) {
      if (contractInfo.getId().getTag("version").equals(contract.version())) {
        return;
      }
      registry.remove(contractInfo);
    }
    contractInfo = Gauge.builder("protogate.contract.info", () -> 1)
        .description("The contract served: its version is the protogate-contract-version header")
        .tag("version", contract.version())
        .register(registry);
  }

  /** Counts the reloads of {@code reloader} by outcome in {@code protogate_reloads_total}. */
  public void follow(Reloader reloader) {
    Counter.Builder reloads = Counter.builder("protogate.reloads")
        .description("Reloads of the descriptor paths (file change, SIGHUP, POST /reload)");
    Counter swapped = reloads.tag("outcome", "accepted").register(registry);
    Counter unchanged = reloads.tag("outcome", "unchanged").register(registry);
    Counter rejected = reloads.tag("outcome", "rejected").register(registry);
    reloader.observe(outcome -> (switch (outcome.kind()) {
      case SWAPPED -> swapped;
      case UNCHANGED -> unchanged;
      case REJECTED -> rejected;
    }).increment());
  }

  /** The registry, for meters of other parts. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Every metric, in the Prometheus text format. */
  String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() throws InterruptedException {
    if (accessLog != null) {
      accessLog.close();
      if (accessLogOut instanceof BufferedWriter) { // a file; standard output stays open
        try {
          accessLogOut.close();
        } catch (IOException e) {
          logger.log(Level.WARNING, "closing the access log: " + e.getMessage(), e);
        }
      }
    }
    for (AutoCloseable closeable : closeables) {
      try {
        closeable.close();
      } catch (Exception e) {
        logger.log(Level.FINE, "closing " + closeable, e);
      }
    }
    registry.close();
  }
}
