package io.protogate.cli;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import com.google.protobuf.util.Durations;
import io.protogate.admin.AdminServer;
import io.protogate.admin.Telemetry;
import io.protogate.client.Connection;
import io.protogate.config.ConfigException;
import io.protogate.config.ConfigFile;
import io.protogate.config.HttpConfig;
import io.protogate.config.LimitsConfig;
import io.protogate.config.ServeConfig;
import io.protogate.contract.Contract;
import io.protogate.client.DynamicCalls;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.contract.Contract;
import io.protogate.contract.ContractException;
import io.protogate.handler.Handlers;
import io.protogate.connect.ConnectHandler;
import io.protogate.http.HttpJsonOptions;
import io.protogate.http.HttpPort;
import io.protogate.http.TranscodingHandler;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.json.JsonCodec;
import io.protogate.reload.DescriptorWatcher;
import io.protogate.reload.Reloader;
import io.protogate.reload.StubReloader;
import io.protogate.server.ProtogateServer;
import io.protogate.server.ServerLimits;
import io.protogate.upstream.Route;
import io.protogate.upstream.Routes;
import io.protogate.upstream.UpstreamRouting;
import io.protogate.stub.History;
import io.protogate.stub.Recorder;
import io.protogate.stub.StubAnswers;
import io.protogate.stub.StubApi;
import io.protogate.stub.StubException;
import io.protogate.stub.StubFiles;
import io.protogate.stub.Stubs;
import io.protogate.stub.api.StubApiHandler;
import io.protogate.web.GrpcWebHandler;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** {@code protogate serve}: serves the services of descriptor sets until SIGTERM or Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Serve every service in the given descriptor sets (default: the bundled ones).")
final class ServeCommand implements Callable<Integer> {
  private static final Logger logger = Logger.getLogger(ServeCommand.class.getName());
  // Held so the level sticks (JUL keeps loggers weakly): Jetty's start-up lines at INFO would
  // bury the one line serve prints; its warnings still show.
  private static final Logger jettyLogger = Logger.getLogger("org.eclipse.jetty");
  /** Exit status after a second stop signal cut the grace period short (128 + SIGINT). */
  static final int FORCED_STOP = 130;
  static final String DEMO_METHOD = "GrpcService/hello";
  static final String DEMO_REQUEST = "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"engineer\"}}";

  @Spec CommandSpec spec;

  @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 to"
      + " expose the server).")
  String host = "127.0.0.1";

  @Option(names = "--port", description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks"
      + " a free one).")
  int port = ProtogateServer.DEFAULT_PORT;

  @Option(names = "--descriptors", paramLabel = "PATH", description = "A descriptor-set file, or a"
      + " directory of them (*.desc, *.binpb, *.pb, *.protoset). Repeatable. Default: the sets"
      + " bundled in the jar.")
  List<Path> descriptors = List.of();

  @Option(names = "--shutdown-grace", paramLabel = "SECONDS", description = "On SIGTERM or Ctrl-C,"
      + " how long calls in flight may take to finish (default: ${DEFAULT-VALUE}).")
  long shutdownGraceSeconds = 10;

  @Option(names = "--max-msg-sz", paramLabel = "BYTES", description = "Largest request accepted"
      + " (default: ${DEFAULT-VALUE}); larger ones get RESOURCE_EXHAUSTED.")
  int maxMessageSize = 4 * 1024 * 1024;

  @Option(names = "--max-concurrent-calls-per-connection", paramLabel = "N", description = "Calls"
      + " one connection may have open at once; more are refused (default: ${DEFAULT-VALUE}).")
  int maxConcurrentCallsPerConnection = 100;

  @Option(names = "--max-pending-bytes", paramLabel = "BYTES", description = "Bytes of unfinished"
      + " requests all connections together may hold; a stream that would go over is refused"
      + " with RESOURCE_EXHAUSTED (default: a quarter of the largest heap).")
  long maxPendingBytes;

  @Option(names = "--max-pending-bytes-per-connection", paramLabel = "BYTES", description = "The"
      + " same for one connection (default: an eighth of --max-pending-bytes, at least twice"
      + " --max-msg-sz).")
  long maxPendingBytesPerConnection;

  @Option(names = "--max-resets", paramLabel = "N", description = "Stream resets one connection"
      + " may send per --reset-window before it is closed: the rapid-reset defence"
      + " (default: ${DEFAULT-VALUE}).")
  int maxResets = 200;

  @Option(names = "--reset-window", paramLabel = "SECONDS", description = "See --max-resets"
      + " (default: ${DEFAULT-VALUE}).")
  long resetWindowSeconds = 10;

  @Option(names = "--max-connection-idle", paramLabel = "SECONDS", description = "Close a"
      + " connection without calls for this long; 0 never does (default: ${DEFAULT-VALUE}).")
  long maxConnectionIdleSeconds = 300;

  @Option(names = "--max-connection-age", paramLabel = "SECONDS", description = "Ask a connection"
      + " this old to go away; 0 never does (default: ${DEFAULT-VALUE}).")
  long maxConnectionAgeSeconds;

  @Option(names = "--max-connection-age-grace", paramLabel = "SECONDS", description = "Then give"
      + " its calls this long to finish (default: ${DEFAULT-VALUE}).")
  long maxConnectionAgeGraceSeconds = 30;

  @Option(names = "--keepalive-time", paramLabel = "SECONDS", description = "Ping a connection"
      + " silent for this long (default: ${DEFAULT-VALUE}).")
  long keepAliveTimeSeconds = 7200;

  @Option(names = "--keepalive-timeout", paramLabel = "SECONDS", description = "Close it if the"
      + " ping is not answered within this (default: ${DEFAULT-VALUE}).")
  long keepAliveTimeoutSeconds = 20;

  @Option(names = "--permit-keepalive-time", paramLabel = "SECONDS", description = "Close a"
      + " connection whose client pings more often (default: ${DEFAULT-VALUE}).")
  long permitKeepAliveTimeSeconds = 300;

  @Option(names = "--max-header-list-size", paramLabel = "BYTES", description = "Largest request"
      + " metadata (name + value + 32 per entry); a call with more gets RESOURCE_EXHAUSTED"
      + " (default: ${DEFAULT-VALUE}).")
  int maxHeaderListSize = 16 * 1024;

  @Option(names = "--no-watch", description = "Do not reload the --descriptors paths when they"
      + " change (SIGHUP still reloads).")
  boolean noWatch;

  @Option(names = "--reload-settle", paramLabel = "MILLIS", description = "After a change to the"
      + " --descriptors paths, reload once they have been quiet this long (default:"
      + " ${DEFAULT-VALUE}).")
  long reloadSettleMillis = 300;

  @Option(names = "--reload-max-delay", paramLabel = "MILLIS", description = "Reload at the"
      + " latest this long after a change, even if the paths are still being written (default:"
      + " ${DEFAULT-VALUE}).")
  long reloadMaxDelayMillis = 2000;

  @Option(names = "--breaking", paramLabel = "warn|reject|off", description = "What a reload does"
      + " with a contract that breaks callers of the one served (buf's WIRE_JSON rules, and a"
      + " service or method removed): warn swaps it in and logs each change, reject keeps the"
      + " served contract, off does not check (default: warn).")
  Reloader.Breaking breaking;

  @Option(names = "--reject-breaking", description = "The same as --breaking=reject.")
  boolean rejectBreaking;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "Serve TLS with this"
      + " certificate chain (PEM); needs --tls-key.")
  File tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "Private key (PEM) of"
      + " --tls-cert.")
  File tlsKey;

  @Option(names = "--tls-client-ca", paramLabel = "FILE", description = "Require client"
      + " certificates signed by this CA (PEM): mutual TLS.")
  File tlsClientCa;

  @Option(names = "--stubs", paramLabel = "DIR", description = "Answer methods from GripMock-style"
      + " stub files: every *.json, *.yaml and *.yml under DIR, checked against the contract and"
      + " reloaded when they change. Java handlers still answer first.")
  Path stubs;

  @Option(names = "--record", paramLabel = "DIR", description = "Record the calls forwarded to"
      + " --upstream routes as stub files in DIR (created if missing): one file per distinct"
      + " request of a method, the same format --stubs reads, so that --stubs DIR answers them"
      + " later without the upstream.")
  Path record;

  @Option(names = "--record-header", paramLabel = "NAME", split = ",", description = "With"
      + " --record, a header to record whatever it looks like: a request header goes into the"
      + " stub (and must match on replay), a response header is kept even if it looks like a"
      + " secret. Repeatable. By default no request header is recorded.")
  List<String> recordHeaders = List.of();

  @Option(names = "--mock-all", description = "Answer every method that no handler or stub"
      + " answers with an example response of its output type.")
  boolean mockAll;

  @Option(names = "--admin-port", paramLabel = "PORT", description = "Serve /metrics, /healthz,"
      + " /readyz, /contract and POST /reload on this port (0 picks a free one). Off by default.")
  Integer adminPort;

  @Option(names = "--admin-host", description = "Address the admin port binds (default:"
      + " ${DEFAULT-VALUE}).")
  String adminHost = "127.0.0.1";

  @Option(names = "--access-log", paramLabel = "FILE", description = "Write one JSON line per"
      + " call to FILE (appended), or - for standard output. Off by default.")
  String accessLog;

  @Option(names = "--drain-delay", paramLabel = "SECONDS", description = "On SIGTERM or Ctrl-C,"
      + " how long /readyz answers not-ready while calls are still taken, so that balancers"
      + " stop sending them, before the graceful stop (default: ${DEFAULT-VALUE}).")
  long drainDelaySeconds = 0;

  @Option(names = "--demo", description = "Once serving, call " + DEMO_METHOD + " over the"
      + " network and print the request and the response (and the same call with curl, with"
      + " --http-port).")
  boolean demo;

  @Option(names = "--http-port", paramLabel = "PORT", description = "Also serve HTTP/JSON"
      + " (google.api.http rules, and POST /package.Service/Method for every method) on this"
      + " port: HTTP/1.1 and h2c, or h2 by ALPN with --tls-cert. 0 picks a free one.")
  Integer httpPort;

  @Option(names = "--http-ignore-unknown", description = "On the HTTP port, ignore unknown query"
      + " parameters and JSON fields instead of answering 400 naming them.")
  boolean httpIgnoreUnknown;

  @Option(names = "--http-emit-defaults", description = "On the HTTP port, print fields that"
      + " hold default values (as call --emit-defaults).")
  boolean httpEmitDefaults;

  @Option(names = "--http-proto-names", description = "On the HTTP port, print the .proto field"
      + " names (map_result) rather than lowerCamelCase (as call --proto-names).")
  boolean httpProtoNames;

  @Option(names = "--http-header", paramLabel = "NAME", description = "A request header the HTTP"
      + " port passes on as gRPC metadata (besides Grpc-Metadata-*). Repeatable; replaces the"
      + " default list: authorization, x-request-id, traceparent, tracestate.")
  List<String> httpHeaders = List.of();

  @Option(names = "--cors-origin", paramLabel = "REGEX", description = "Answer CORS requests on"
      + " the HTTP port from origins matching this regular expression (.* for any). Repeatable;"
      + " CORS is off without it.")
  List<String> corsOrigins = List.of();

  @Option(names = "--upstream", paramLabel = "PATTERN=TARGET", description = "Forward the"
      + " services matching PATTERN (a full service name, pkg.* or *) to the gRPC server at TARGET"
      + " (host:port, several comma-separated for round robin, or a grpc-java target such as"
      + " dns:///host:port), unparsed. Options after ';': tls, ca=FILE, cert=FILE, key=FILE,"
      + " authority=NAME, deadline=5s, max-msg-sz=BYTES. Repeatable.")
  List<String> upstreams = List.of();

  @Option(names = "--config", paramLabel = "FILE", description = "Read settings from this YAML"
      + " or JSON file (every flag above has a key; a flag given as well wins); reloaded with the"
      + " contract.")
  Path config;

  @Override
  public Integer call() throws Exception {
    ConfigFile file = config == null ? null : readConfig();
    if (file != null) {
      applyConfig(file);
    }
    checkRanges();
    checkHost();
    List<Route> flagRoutes = flagRoutes();
    Routes routes = routes(file, flagRoutes);
    Reloader.Breaking mode = breakingMode();
    if (reloadSettleMillis < 0 || reloadMaxDelayMillis < reloadSettleMillis) {
      throw new CliException(CliException.USAGE, "--reload-settle " + reloadSettleMillis
          + " and --reload-max-delay " + reloadMaxDelayMillis + ": expected 0 <= settle <= max"
          + " delay");
    }
    Schema schema = descriptors.isEmpty()
        ? SchemaLoader.fromSources(BundledDescriptors.sources())
        : SchemaLoader.load(descriptors);
    Contract contract = Contract.of(schema)
        .with(UpstreamRouting.ROUTES, routes)
        .with(Stubs.MOCK_ALL, mockAll);
    if (stubs != null) {
      try {
        contract = contract.with(Stubs.FILES, StubFiles.read(stubs));
      } catch (StubException e) {
        throw new CliException(CliException.NOT_SENT, e.getMessage());
      }
    }
    ProtogateServer.Builder builder = ProtogateServer.builder(contract);
    if (record != null) {
      builder.record(recorder(routes));
    }
    // Shared with the stub API on the HTTP port, which shows the calls stubs answered.
    StubAnswers stubAnswers = new StubAnswers(new History(1000));
    if (tlsCert != null || tlsKey != null) {
      if (tlsCert == null || tlsKey == null) {
        throw new CliException(CliException.USAGE, "--tls-cert and --tls-key go together");
      }
      builder.tls(tlsCert, tlsKey);
    }
    if (tlsClientCa != null) {
      if (tlsCert == null) {
        throw new CliException(CliException.USAGE, "--tls-client-ca needs --tls-cert and --tls-key");
      }
      builder.requireClientCertificates(tlsClientCa);
    }
    Telemetry telemetry = adminPort == null && accessLog == null ? null
        : accessLog == null ? Telemetry.create() : Telemetry.withAccessLog(accessLog);
    if (telemetry != null) {
      builder.intercept(telemetry.interceptor()).interceptUpstreamCalls(telemetry::upstream);
    }
    ProtogateServer server = builder
        .host(host)
        .port(port)
        .handlers(Handlers.discovered(Thread.currentThread().getContextClassLoader()))
        .demoHandlers(BuiltinHandlers.demo())
        .stubAnswers(stubAnswers)
        .shutdownGrace(Duration.ofSeconds(shutdownGraceSeconds))
        .maxInboundMessageSize(maxMessageSize)
        .limits(limits())
        .build();
    server.start();
    try {
      return serve(schema, server, reloader(server, file, flagRoutes, mode),
          stubAnswers.history(), telemetry);
    } catch (Exception | Error e) {
      // A step after start-up failed: the port and the threads must not outlive it.
      server.stopNow();
      throw e;
    }
  }

  private Recorder recorder(Routes routes) {
    if (routes.isEmpty()) {
      throw new CliException(CliException.USAGE, "--record " + record + " records the calls"
          + " forwarded to upstreams, and there is no route: add --upstream PATTERN=TARGET");
    }
    try {
      return Recorder.to(record, recordHeaders);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, "--record-header: " + e.getMessage());
    } catch (StubException e) {
      throw new CliException(CliException.NOT_SENT, "--record: " + e.getMessage());
    }
  }

  // checkRanges() has refused every value the builder would.
  private ServerLimits limits() {
    return ServerLimits.builder()
        .maxConcurrentCallsPerConnection(maxConcurrentCallsPerConnection)
        .maxPendingBytes(maxPendingBytes)
        .maxPendingBytesPerConnection(maxPendingBytesPerConnection)
        .maxResetsPerWindow(maxResets, Duration.ofSeconds(resetWindowSeconds))
        .maxConnectionIdle(Duration.ofSeconds(maxConnectionIdleSeconds))
        .maxConnectionAge(Duration.ofSeconds(maxConnectionAgeSeconds),
            Duration.ofSeconds(maxConnectionAgeGraceSeconds))
        .keepAlive(Duration.ofSeconds(keepAliveTimeSeconds),
            Duration.ofSeconds(keepAliveTimeoutSeconds))
        .permitKeepAliveTime(Duration.ofSeconds(permitKeepAliveTimeSeconds))
        .maxHeaderListSize(maxHeaderListSize)
        .build();
  }

  /** What reloads the contract: the descriptor paths and the config file, or null if neither. */
  private Reloader reloader(ProtogateServer server, ConfigFile file, List<Route> flagRoutes,
      Reloader.Breaking mode) {
    if (file != null) {
      List<Path> watched = new ArrayList<>(descriptors);
      watched.add(file.file());
      return new Reloader(() -> reread(flagRoutes), watched, server, mode);
    }
    return descriptors.isEmpty() ? null : new Reloader(descriptors, server, mode);
  }

  private int serve(Schema schema, ProtogateServer server, Reloader reloader,
      History stubHistory, Telemetry telemetry) throws Exception {
    HttpPort http = httpPort == null ? null : startHttp(server, stubHistory);
    Routes routes = server.contract().current().part(UpstreamRouting.ROUTES);
    DescriptorWatcher watcher = reloader == null || noWatch
        ? null : DescriptorWatcher.start(reloader, Duration.ofMillis(reloadSettleMillis),
            Duration.ofMillis(reloadMaxDelayMillis));
    StubReloader stubReloader = stubs == null ? null : new StubReloader(stubs, server,
        (count, problem) -> {
          if (problem == null) {
            logger.info("now serving " + count + " stubs from " + stubs);
          } else {
            logger.warning("stub files rejected, still serving the previous stubs: " + problem);
          }
        });
    DescriptorWatcher stubWatcher = stubReloader == null || noWatch ? null
        : DescriptorWatcher.start(stubReloader, Duration.ofMillis(reloadSettleMillis),
            Duration.ofMillis(reloadMaxDelayMillis));
    AdminServer admin = telemetry == null ? null : startAdmin(telemetry, server, reloader);
    CountDownLatch stop = new CountDownLatch(1);
    AtomicInteger stopSignals = new AtomicInteger();
    // Handling the signals ourselves (instead of a shutdown hook) lets a graceful stop exit 0.
    sun.misc.SignalHandler stopper = signal -> {
      if (stopSignals.incrementAndGet() == 1) {
        stop.countDown();
      } else {
        logger.warning("SIG" + signal.getName() + " again: stopping now, cancelling calls in"
            + " flight");
        server.stopNow();
      }
    };
    Signal.handle(new Signal("TERM"), stopper);
    Signal.handle(new Signal("INT"), stopper);
    // SIGHUP's default action ends the JVM (exit 129): with nothing to reload, say so instead.
    Signal.handle(new Signal("HUP"), reloader != null || stubReloader != null ? signal -> {
      if (reloader != null) {
        reloader.reload();
      }
      if (stubReloader != null) {
        stubReloader.reload();
      }
    } : signal -> logger.info("SIGHUP: nothing to reload, the bundled contracts are served"
        + " (start with --descriptors to reload contracts)"));
    logger.info(
        "serving "
            + schema.services().stream().map(Descriptors.ServiceDescriptor::getFullName)
                .collect(Collectors.joining(", "))
            + " on "
            + host
            + ":"
            + server.port()
            + " from "
            + String.join(", ", schema.sources())
            + ", contract version " + schema.version()
            + (routes.isEmpty() ? "" : ", routing " + routes.list().stream()
                .map(r -> r.pattern() + " to " + r.upstream()).collect(Collectors.joining(", ")))
            + (reloader == null ? "" : watcher == null ? ", reloaded on SIGHUP"
                : ", reloaded when they change or on SIGHUP")
            + (stubs == null ? "" : ", " + server.contract().current().part(Stubs.FILES).size()
                + " stubs from " + stubs)
            + (mockAll ? ", example answers for every other method" : "")
            + (record == null ? "" : ", recording upstream calls as stubs in " + record)
            + " (reflection v1 and v1alpha, health)"
            + (http == null ? "" : ", HTTP/JSON, Connect and gRPC-Web on " + host + ":"
                + http.port())
            + (admin == null ? "" : "; admin port " + adminHost + ":" + admin.port()));
    if (demo) {
      showDemoCall(schema, server.port(), http);
    }
    stop.await();
    server.drain();
    if (admin != null) {
      admin.drain();
    }
    if (drainDelaySeconds > 0) {
      logger.info("draining: health answers NOT_SERVING" + (admin == null ? "" : ", /readyz not"
          + " ready") + "; calls are still answered; stopping in " + drainDelaySeconds + " s");
      Thread.sleep(TimeUnit.SECONDS.toMillis(drainDelaySeconds));
    }
    logger.info("stopping: refusing new calls, waiting up to " + shutdownGraceSeconds
        + " s for calls in flight (Ctrl-C again stops at once)");
    if (watcher != null) {
      watcher.close();
    }
    if (stubWatcher != null) {
      stubWatcher.close();
    }
    if (http != null) {
      http.close();
    }
    server.close();
    if (admin != null) {
      admin.close();
    }
    if (telemetry != null) {
      telemetry.close();
    }
    if (stopSignals.get() > 1) {
      logger.info("stopped at once; calls in flight were cancelled");
      return FORCED_STOP;
    }
    logger.info("stopped");
    return 0;
  }

  private boolean given(String option) {
    return spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  private ConfigFile readConfig() {
    try {
      return ConfigFile.load(config);
    } catch (ConfigException e) {
      throw new CliException(CliException.USAGE, e.getMessage());
    }
  }

  /** Takes each setting of the file that no flag gave, checking it names the file's line. */
  void applyConfig(ConfigFile file) {
    ServeConfig c = file.config();
    if (!given("--descriptors") && c.getDescriptorsCount() > 0) {
      descriptors = file.descriptors();
    }
    if (!given("--host") && c.hasHost()) {
      host = c.getHost();
    }
    if (!given("--port") && c.hasPort()) {
      port = portNumber(file, "port", c.getPort());
    }
    if (!given("--shutdown-grace") && c.hasShutdownGrace()) {
      shutdownGraceSeconds = seconds(file, "shutdown_grace", c.getShutdownGrace());
    }
    if (!given("--max-msg-sz") && c.hasMaxMsgSz()) {
      maxMessageSize = (int) positive(file, "max_msg_sz", c.getMaxMsgSz());
    }
    if (!given("--no-watch") && c.hasWatch()) {
      noWatch = !c.getWatch();
    }
    // Either flag settles the mode, so a key of the file cannot contradict it.
    boolean modeGiven = given("--breaking") || given("--reject-breaking");
    if (!modeGiven && c.hasRejectBreaking()) {
      rejectBreaking = c.getRejectBreaking();
    }
    if (!modeGiven && c.hasBreaking()) {
      breaking = breakingKey(file, c.getBreaking());
      if (rejectBreaking && breaking != Reloader.Breaking.REJECT) {
        throw new CliException(CliException.USAGE, file.where("breaking") + "'" + breaking
            + "' contradicts reject_breaking: true; keep one of them");
      }
    }
    if (!given("--reload-settle") && c.hasReloadSettle()) {
      reloadSettleMillis = millis(file, "reload_settle", c.getReloadSettle());
    }
    if (!given("--reload-max-delay") && c.hasReloadMaxDelay()) {
      reloadMaxDelayMillis = millis(file, "reload_max_delay", c.getReloadMaxDelay());
    }
    tlsCert = tlsFile("--tls-cert", tlsCert, file, c.getTls().getCert());
    tlsKey = tlsFile("--tls-key", tlsKey, file, c.getTls().getKey());
    tlsClientCa = tlsFile("--tls-client-ca", tlsClientCa, file, c.getTls().getClientCa());
    if (!given("--stubs") && c.hasStubs()) {
      stubs = file.resolve(c.getStubs());
    }
    if (!given("--record") && c.hasRecord()) {
      record = file.resolve(c.getRecord());
    }
    if (!given("--record-header") && c.getRecordHeadersCount() > 0) {
      recordHeaders = List.copyOf(c.getRecordHeadersList());
    }
    if (!given("--mock-all") && c.hasMockAll()) {
      mockAll = c.getMockAll();
    }
    if (!given("--access-log") && c.hasAccessLog()) {
      accessLog = c.getAccessLog().equals("-") ? "-" : file.resolve(c.getAccessLog()).toString();
    }
    if (!given("--drain-delay") && c.hasDrainDelay()) {
      drainDelaySeconds = seconds(file, "drain_delay", c.getDrainDelay());
    }
    if (!given("--admin-port") && c.getAdmin().hasPort()) {
      adminPort = portNumber(file, "admin.port", c.getAdmin().getPort());
    }
    if (!given("--admin-host") && c.getAdmin().hasHost()) {
      adminHost = c.getAdmin().getHost();
    }
    applyHttp(file, c.getHttp());
    applyLimits(file, c.getLimits());
  }

  private void applyHttp(ConfigFile file, HttpConfig http) {
    if (!given("--http-port") && http.hasPort()) {
      httpPort = portNumber(file, "http.port", http.getPort());
    }
    if (!given("--http-ignore-unknown") && http.hasIgnoreUnknown()) {
      httpIgnoreUnknown = http.getIgnoreUnknown();
    }
    if (!given("--http-emit-defaults") && http.hasEmitDefaults()) {
      httpEmitDefaults = http.getEmitDefaults();
    }
    if (!given("--http-proto-names") && http.hasProtoNames()) {
      httpProtoNames = http.getProtoNames();
    }
    if (!given("--http-header") && http.getHeadersCount() > 0) {
      httpHeaders = List.copyOf(http.getHeadersList());
    }
    if (!given("--cors-origin") && http.getCorsOriginsCount() > 0) {
      for (int i = 0; i < http.getCorsOriginsCount(); i++) {
        try {
          Pattern.compile(http.getCorsOrigins(i));
        } catch (PatternSyntaxException e) {
          throw new CliException(CliException.USAGE, file.where("http.cors_origins[" + i + "]")
              + "not a regular expression: " + e.getDescription());
        }
      }
      corsOrigins = List.copyOf(http.getCorsOriginsList());
    }
  }

  private void applyLimits(ConfigFile file, LimitsConfig l) {
    if (!given("--max-concurrent-calls-per-connection")
        && l.hasMaxConcurrentCallsPerConnection()) {
      maxConcurrentCallsPerConnection = (int) positive(file,
          "limits.max_concurrent_calls_per_connection", l.getMaxConcurrentCallsPerConnection());
    }
    if (!given("--max-pending-bytes") && l.hasMaxPendingBytes()) {
      maxPendingBytes = l.getMaxPendingBytes();
    }
    if (!given("--max-pending-bytes-per-connection") && l.hasMaxPendingBytesPerConnection()) {
      maxPendingBytesPerConnection = l.getMaxPendingBytesPerConnection();
    }
    if (!given("--max-resets") && l.hasMaxResets()) {
      maxResets = (int) positive(file, "limits.max_resets", l.getMaxResets());
    }
    if (!given("--reset-window") && l.hasResetWindow()) {
      resetWindowSeconds = positive(file, "limits.reset_window",
          seconds(file, "limits.reset_window", l.getResetWindow()));
    }
    if (!given("--max-connection-idle") && l.hasMaxConnectionIdle()) {
      maxConnectionIdleSeconds =
          seconds(file, "limits.max_connection_idle", l.getMaxConnectionIdle());
    }
    if (!given("--max-connection-age") && l.hasMaxConnectionAge()) {
      maxConnectionAgeSeconds = seconds(file, "limits.max_connection_age", l.getMaxConnectionAge());
    }
    if (!given("--max-connection-age-grace") && l.hasMaxConnectionAgeGrace()) {
      maxConnectionAgeGraceSeconds =
          seconds(file, "limits.max_connection_age_grace", l.getMaxConnectionAgeGrace());
    }
    if (!given("--keepalive-time") && l.hasKeepaliveTime()) {
      keepAliveTimeSeconds = positive(file, "limits.keepalive_time",
          seconds(file, "limits.keepalive_time", l.getKeepaliveTime()));
    }
    if (!given("--keepalive-timeout") && l.hasKeepaliveTimeout()) {
      keepAliveTimeoutSeconds = positive(file, "limits.keepalive_timeout",
          seconds(file, "limits.keepalive_timeout", l.getKeepaliveTimeout()));
    }
    if (!given("--permit-keepalive-time") && l.hasPermitKeepaliveTime()) {
      permitKeepAliveTimeSeconds =
          seconds(file, "limits.permit_keepalive_time", l.getPermitKeepaliveTime());
    }
    if (!given("--max-header-list-size") && l.hasMaxHeaderListSize()) {
      maxHeaderListSize =
          (int) positive(file, "limits.max_header_list_size", l.getMaxHeaderListSize());
    }
  }

  private static int portNumber(ConfigFile file, String key, int value) {
    if (value > 65535) {
      throw new CliException(CliException.USAGE,
          file.where(key) + value + " (expected: 0-65535)");
    }
    return value;
  }

  /** The reader already refuses negative numbers; these settings refuse 0 as well. */
  private static long positive(ConfigFile file, String key, long value) {
    if (value == 0) {
      throw new CliException(CliException.USAGE, file.where(key) + "0 (expected: > 0)");
    }
    return value;
  }

  /** A duration key of a flag counted in whole seconds: a fraction would be silently cut. */
  private static long seconds(ConfigFile file, String key, com.google.protobuf.Duration value) {
    if (value.getSeconds() < 0 || value.getNanos() != 0) {
      throw new CliException(CliException.USAGE, file.where(key) + Durations.toString(value)
          + " (expected: whole seconds, 0 or more, such as 30s)");
    }
    return value.getSeconds();
  }

  /** A duration key of a flag counted in milliseconds. */
  private static long millis(ConfigFile file, String key, com.google.protobuf.Duration value) {
    if (Durations.isNegative(value) || value.getNanos() % 1_000_000 != 0) {
      throw new CliException(CliException.USAGE, file.where(key) + Durations.toString(value)
          + " (expected: whole milliseconds, 0 or more, such as 0.3s)");
    }
    return Durations.toMillis(value);
  }

  private static Reloader.Breaking breakingKey(ConfigFile file, String value) {
    for (Reloader.Breaking mode : Reloader.Breaking.values()) {
      if (mode.toString().equals(value)) {
        return mode;
      }
    }
    throw new CliException(CliException.USAGE,
        file.where("breaking") + "'" + value + "' (expected: warn, reject or off)");
  }

  private File tlsFile(String option, File flag, ConfigFile file, String fromFile) {
    return given(option) || fromFile.isEmpty() ? flag : file.resolve(fromFile).toFile();
  }

  private List<Route> flagRoutes() {
    List<Route> routes = new ArrayList<>();
    for (String upstream : upstreams) {
      try {
        routes.add(Route.parse(upstream));
      } catch (IllegalArgumentException e) {
        throw new CliException(CliException.USAGE, "--upstream: " + e.getMessage());
      }
    }
    return routes;
  }

  /** The file's routes, with those of --upstream in place of any for the same pattern. */
  private static Routes routes(ConfigFile file, List<Route> flagRoutes) {
    Map<String, Route> byPattern = new LinkedHashMap<>();
    if (file != null) {
      file.routes().list().forEach(route -> byPattern.put(route.pattern(), route));
    }
    flagRoutes.forEach(route -> byPattern.put(route.pattern(), route));
    try {
      return Routes.of(List.copyOf(byPattern.values()));
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, "--upstream: " + e.getMessage());
    }
  }

  /**
   * What a reload reads: the file again, with the flags still winning over it. Only its
   * descriptors and upstreams change a running server; the other keys take effect at restart.
   */
  private Reloader.Inputs reread(List<Route> flagRoutes) {
    ConfigFile file;
    Routes routes;
    try {
      file = ConfigFile.load(config);
      routes = routes(file, flagRoutes);
    } catch (ConfigException | CliException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return new Reloader.Inputs(
        given("--descriptors") || file.config().getDescriptorsCount() == 0
            ? descriptors : file.descriptors(),
        contract -> contract.with(UpstreamRouting.ROUTES, routes));
  }

  private Reloader.Breaking breakingMode() {
    if (rejectBreaking && breaking != null && breaking != Reloader.Breaking.REJECT) {
      throw new CliException(CliException.USAGE,
          "--reject-breaking contradicts --breaking=" + breaking + ": give one of them");
    }
    return rejectBreaking ? Reloader.Breaking.REJECT
        : breaking == null ? Reloader.Breaking.WARN : breaking;
  }

  /** Metrics, reload counts and the admin port (when asked for) of a started server. */
  private AdminServer startAdmin(Telemetry telemetry, ProtogateServer server, Reloader reloader) {
    telemetry.follow(server.contract());
    if (reloader != null) {
      telemetry.follow(reloader);
    }
    if (adminPort == null) {
      return null;
    }
    AdminServer.Builder admin = AdminServer.builder(server, telemetry).host(adminHost)
        .port(adminPort);
    if (reloader != null) {
      admin.reloader(reloader);
    }
    return admin.start();
  }

  private HttpPort startHttp(ProtogateServer server, History stubHistory) throws CliException {
    jettyLogger.setLevel(Level.WARNING);
    HttpJsonOptions.Builder options =
        HttpJsonOptions.builder().ignoreUnknownFields(httpIgnoreUnknown)
            .emitDefaults(httpEmitDefaults).protoNames(httpProtoNames);
    if (!httpHeaders.isEmpty()) {
      options.forwardedHeaders(Set.copyOf(httpHeaders));
    }
    HttpPort.Builder port = HttpPort.builder().host(host).port(httpPort)
        .cors(Set.copyOf(corsOrigins), Set.of("Content-Type", "Authorization", "X-Request-Id",
            "Grpc-Timeout", "X-Request-Timeout", "X-Grpc-Web", "X-User-Agent",
            "Connect-Protocol-Version", "Connect-Timeout-Ms"));
    if (tlsCert != null) {
      port.tls(tlsCert, tlsKey);
    }
    if (tlsClientCa != null) {
      port.requireClientCertificates(tlsClientCa);
    }
    try {
      return port
          // The stub API first: it takes /protogate/stubs and /protogate/history only.
          .handler(new StubApiHandler(new StubApi(server.contract(), stubHistory)))
          .handler(new ConnectHandler(server.channel(), server::schema, maxMessageSize))
          .handler(new GrpcWebHandler(server.channel(), server::schema, maxMessageSize))
          .handler(TranscodingHandler.of(server, options.build()))
          .build()
          .start();
    } catch (ContractException e) {
      throw new CliException(CliException.NOT_SENT, e.getMessage());
    }
  }

  /**
   * Refuses a number out of range naming its flag, before any builder would refuse it in its
   * own words. A value from the config file is checked under its flag's name too.
   */
  private void checkRanges() {
    port("--port", port);
    port("--http-port", httpPort);
    port("--admin-port", adminPort);
    atLeast("--shutdown-grace", shutdownGraceSeconds, 0, "seconds");
    atLeast("--drain-delay", drainDelaySeconds, 0, "seconds");
    atLeast("--max-msg-sz", maxMessageSize, 1, "bytes");
    atLeast("--max-concurrent-calls-per-connection", maxConcurrentCallsPerConnection, 1, "calls");
    atLeast("--max-pending-bytes", maxPendingBytes, 0, "bytes (0: the default)");
    atLeast("--max-pending-bytes-per-connection", maxPendingBytesPerConnection, 0,
        "bytes (0: the default)");
    atLeast("--max-resets", maxResets, 1, "resets");
    atLeast("--reset-window", resetWindowSeconds, 1, "seconds");
    atLeast("--max-connection-idle", maxConnectionIdleSeconds, 0, "seconds (0: never)");
    atLeast("--max-connection-age", maxConnectionAgeSeconds, 0, "seconds (0: never)");
    atLeast("--max-connection-age-grace", maxConnectionAgeGraceSeconds, 0, "seconds");
    atLeast("--keepalive-time", keepAliveTimeSeconds, 1, "seconds");
    atLeast("--keepalive-timeout", keepAliveTimeoutSeconds, 1, "seconds");
    atLeast("--permit-keepalive-time", permitKeepAliveTimeSeconds, 0, "seconds");
    atLeast("--max-header-list-size", maxHeaderListSize, 1, "bytes");
  }

  private static void port(String flag, Integer value) {
    if (value != null && (value < 0 || value > 65535)) {
      throw new CliException(CliException.USAGE,
          flag + " " + value + ": out of range (0-65535; 0 picks a free port)");
    }
  }

  private static void atLeast(String flag, long value, long least, String unit) {
    if (value < least) {
      throw new CliException(CliException.USAGE,
          flag + " " + value + ": must be " + least + " or more " + unit);
    }
  }

  /** Says what is wrong with --host before binding: bind errors name no host, or blame the port. */
  private void checkHost() throws SocketException {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new CliException(CliException.USAGE, "--host " + host + ": cannot resolve this name;"
          + " pass an address of this machine, such as 127.0.0.1 or 0.0.0.0 (all of them)");
    }
    if (!address.isAnyLocalAddress() && !address.isLoopbackAddress()
        && NetworkInterface.getByInetAddress(address) == null) {
      throw new CliException(CliException.NOT_SENT, "--host " + host + ": "
          + address.getHostAddress() + " is not an address of this machine, so it cannot be"
          + " listened on; pass one of its addresses, 127.0.0.1 or 0.0.0.0 (all of them)");
    }
  }

  private void showDemoCall(Schema schema, int boundPort, HttpPort http)
      throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    Descriptors.MethodDescriptor method = schema.findMethod(DEMO_METHOD).orElse(null);
    if (method == null) {
      out.println("--demo: the served contract has no " + DEMO_METHOD);
      out.flush();
      return;
    }
    JsonCodec json = JsonCodec.of(schema);
    // The demo trusts whatever certificate it is served: it is talking to itself.
    ManagedChannel channel = Connection.builder("127.0.0.1:" + boundPort)
        .plaintext(tlsCert == null)
        .insecure(tlsCert != null)
        .build()
        .open();
    try {
      DynamicMessage request = json.parse(DEMO_REQUEST, method.getInputType());
      DynamicMessage response =
          DynamicCalls.unary(channel, method, request, Duration.ofSeconds(10));
      // Shown as the equivalent client command, so the user learns how to make the call again.
      out.println("$ target/protogate call " + (tlsCert == null ? "--plaintext"
          : "--insecure") + " 127.0.0.1:" + boundPort + " " + DEMO_METHOD + " -d '"
          + DEMO_REQUEST + "'");
      out.println(json.print(response));
      if (http != null) {
        showCurlCall(out, http);
      }
      out.println("Serving until Ctrl-C.");
    } catch (StatusRuntimeException e) {
      out.println("--demo: the call failed: " + e.getStatus());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      out.flush();
    }
  }

  /** The same call over HTTP/JSON, made with the JDK's client and shown as curl would make it. */
  private void showCurlCall(PrintWriter out, HttpPort http) throws InterruptedException {
    String url = (tlsCert == null ? "http" : "https") + "://127.0.0.1:" + http.port() + "/"
        + DEMO_METHOD;
    out.println("$ curl " + (tlsCert == null ? "" : "-k ") + "-d '" + DEMO_REQUEST + "' " + url);
    if (tlsCert != null) {
      return; // The JDK client would need the certificate trusted; the gRPC call showed it works.
    }
    try {
      HttpResponse<String> answer = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
              .POST(HttpRequest.BodyPublishers.ofString(DEMO_REQUEST)).build(),
          HttpResponse.BodyHandlers.ofString());
      out.print(answer.body());
    } catch (IOException e) {
      out.println("--demo: the HTTP call failed: " + e.getMessage());
    }
  }
}
