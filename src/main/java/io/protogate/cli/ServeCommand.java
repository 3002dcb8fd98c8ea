package io.protogate.cli;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import com.google.protobuf.util.Durations;
import io.protogate.client.Connection;
import io.protogate.config.ConfigException;
import io.protogate.config.ConfigFile;
import io.protogate.config.ServeConfig;
import io.protogate.contract.Contract;
import io.protogate.client.DynamicCalls;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.json.JsonCodec;
import io.protogate.reload.DescriptorWatcher;
import io.protogate.reload.Reloader;
import io.protogate.server.ProtogateServer;
import io.protogate.upstream.Route;
import io.protogate.upstream.Routes;
import io.protogate.upstream.UpstreamRouting;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
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
    description = "Serve every service in the given descriptor sets (default: the bundled ones).")
final class ServeCommand implements Callable<Integer> {
  private static final Logger logger = Logger.getLogger(ServeCommand.class.getName());
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

  @Option(names = "--no-watch", description = "Do not reload the --descriptors paths when they"
      + " change (SIGHUP still reloads).")
  boolean noWatch;

  @Option(names = "--reject-breaking", description = "Refuse a reloaded contract that breaks"
      + " callers (a method removed or its call type changed, a field number reused with another"
      + " type); without it such changes are logged as warnings and swapped in.")
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

  @Option(names = "--demo", description = "Once serving, call " + DEMO_METHOD + " over the"
      + " network and print the request and the response.")
  boolean demo;

  @Option(names = "--upstream", paramLabel = "PATTERN=TARGET", description = "Forward the"
      + " services matching PATTERN (a full service name, pkg.* or *) to the gRPC server at TARGET"
      + " (host:port, several comma-separated for round robin, or a grpc-java target such as"
      + " dns:///host:port), unparsed. Options after ';': tls, ca=FILE, cert=FILE, key=FILE,"
      + " authority=NAME, deadline=5s, max-msg-sz=BYTES. Repeatable.")
  List<String> upstreams = List.of();

  @Option(names = "--config", paramLabel = "FILE", description = "Read settings from this YAML"
      + " or JSON file (every flag has a key; a flag given here wins); reloaded with the"
      + " contract.")
  Path config;

  @Override
  public Integer call() throws Exception {
    ConfigFile file = config == null ? null : readConfig();
    ServeConfig c = file == null ? ServeConfig.getDefaultInstance() : file.config();
    List<Route> flagRoutes = flagRoutes();
    List<Path> descriptorPaths = given("--descriptors") || file == null
        ? descriptors : file.descriptors();
    String host = given("--host") || !c.hasHost() ? this.host : c.getHost();
    Duration grace = given("--shutdown-grace") || !c.hasShutdownGrace()
        ? Duration.ofSeconds(shutdownGraceSeconds)
        : Duration.ofMillis(Durations.toMillis(c.getShutdownGrace()));
    boolean watch = !noWatch && (!c.hasWatch() || c.getWatch());
    boolean rejectBreaking = this.rejectBreaking || c.getRejectBreaking();
    File tlsCert = tlsFile("--tls-cert", this.tlsCert, file, c.getTls().getCert());
    File tlsKey = tlsFile("--tls-key", this.tlsKey, file, c.getTls().getKey());
    File tlsClientCa = tlsFile("--tls-client-ca", this.tlsClientCa, file,
        c.getTls().getClientCa());
    Routes routes = routes(file, flagRoutes);

    Schema schema = descriptorPaths.isEmpty()
        ? SchemaLoader.fromSources(BundledDescriptors.sources())
        : SchemaLoader.load(descriptorPaths);
    ProtogateServer.Builder builder =
        ProtogateServer.builder(Contract.of(schema).with(UpstreamRouting.ROUTES, routes));
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
    fromFlagOrFile(file, "--port", "port", () -> builder.port(
        given("--port") || !c.hasPort() ? port : c.getPort()));
    fromFlagOrFile(file, "--max-msg-sz", "max_msg_sz", () -> builder.maxInboundMessageSize(
        given("--max-msg-sz") || !c.hasMaxMsgSz() ? maxMessageSize : c.getMaxMsgSz()));
    ProtogateServer server = builder
        .host(host)
        .handlers(Handlers.discovered(Thread.currentThread().getContextClassLoader()))
        .demoHandlers(BuiltinHandlers.demo())
        .shutdownGrace(grace)
        .build();
    server.start();
    Reloader reloader = null;
    if (file != null) {
      List<Path> watched = new ArrayList<>(descriptorPaths);
      watched.add(file.file());
      reloader = new Reloader(() -> reread(flagRoutes), watched, server, rejectBreaking);
    } else if (!descriptorPaths.isEmpty()) {
      reloader = new Reloader(descriptorPaths, server, rejectBreaking);
    }
    DescriptorWatcher watcher = reloader == null || !watch
        ? null : DescriptorWatcher.start(reloader, Duration.ofMillis(300));
    CountDownLatch stop = new CountDownLatch(1);
    // Handling the signals ourselves (instead of a shutdown hook) lets a graceful stop exit 0.
    Signal.handle(new Signal("TERM"), signal -> stop.countDown());
    Signal.handle(new Signal("INT"), signal -> stop.countDown());
    if (reloader != null) {
      Reloader reloadOnHup = reloader;
      Signal.handle(new Signal("HUP"), signal -> reloadOnHup.reload());
    }
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
            + " (reflection v1 and v1alpha, health)");
    if (demo) {
      showDemoCall(schema, server.port(), tlsCert != null);
    }
    stop.await();
    logger.info("stopping: refusing new calls, waiting up to " + grace.toSeconds()
        + " s for calls in flight");
    if (watcher != null) {
      watcher.close();
    }
    server.close();
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

  /** What a reload reads: the file again, with the flags still winning over it. */
  private Reloader.Inputs reread(List<Route> flagRoutes) {
    ConfigFile file;
    try {
      file = ConfigFile.load(config);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    Routes routes;
    try {
      routes = routes(file, flagRoutes);
    } catch (CliException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return new Reloader.Inputs(given("--descriptors") ? descriptors : file.descriptors(),
        contract -> contract.with(UpstreamRouting.ROUTES, routes));
  }

  private File tlsFile(String option, File flag, ConfigFile file, String fromFile) {
    return given(option) || file == null || fromFile.isEmpty()
        ? flag : file.resolve(fromFile).toFile();
  }

  /** Applies a setting, naming the flag or the file's key when its value is refused. */
  private void fromFlagOrFile(ConfigFile file, String option, String key, Runnable apply) {
    try {
      apply.run();
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, (given(option) || file == null
          ? option + ": " : file.where(key)) + e.getMessage());
    }
  }

  private void showDemoCall(Schema schema, int boundPort, boolean tls)
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
        .plaintext(!tls)
        .insecure(tls)
        .build()
        .open();
    try {
      DynamicMessage request = json.parse(DEMO_REQUEST, method.getInputType());
      DynamicMessage response =
          DynamicCalls.unary(channel, method, request, Duration.ofSeconds(10));
      // Shown as the equivalent client command, so the user learns how to make the call again.
      out.println("$ java -jar target/protogate.jar call " + (!tls ? "--plaintext"
          : "--insecure") + " 127.0.0.1:" + boundPort + " " + DEMO_METHOD + " -d '"
          + DEMO_REQUEST + "'");
      out.println(json.print(response));
      out.println("Serving until Ctrl-C.");
    } catch (StatusRuntimeException e) {
      out.println("--demo: the call failed: " + e.getStatus());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      out.flush();
    }
  }
}
