package io.protogate.admin;

import static java.util.Objects.requireNonNull;

import com.google.gson.stream.JsonWriter;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.protogate.contract.Contract;
import io.protogate.descriptor.Schema;
import io.protogate.reload.Reloader;
import io.protogate.server.ProtogateServer;
import io.protogate.upstream.UpstreamRouting;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The admin port, on Jetty: {@code GET /metrics} (Prometheus text), {@code /healthz} (the process
 * answers), {@code /readyz} (ready for traffic: serving a contract, every readiness check passes,
 * and not {@linkplain #drain() draining}), {@code /contract} (what is served, as JSON) and {@code
 * POST /reload} (reload the descriptor paths, as SIGHUP does, answering what happened). Binds to
 * loopback unless told otherwise: it is for the operator, not for callers.
 */
public final class AdminServer implements AutoCloseable {
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final String JSON = "application/json";
  private static final String TEXT = "text/plain; charset=utf-8";

  private final ProtogateServer server;
  private final Telemetry telemetry;
  private final Reloader reloader;
  private final List<Supplier<List<String>>> readinessChecks;
  private final Server jetty;
  private final ServerConnector connector;
  private volatile boolean draining;

  private AdminServer(Builder builder) {
    this.server = builder.server;
    this.telemetry = builder.telemetry;
    this.reloader = builder.reloader;
    this.readinessChecks = List.copyOf(builder.readinessChecks);
    QueuedThreadPool threads = new QueuedThreadPool(8, 1);
    threads.setName("protogate-admin");
    threads.setDaemon(true);
    this.jetty = new Server(threads);
    this.connector = new ServerConnector(jetty, 1, 1);
    connector.setHost(builder.host);
    connector.setPort(builder.port);
    jetty.addConnector(connector);
    jetty.setHandler(new Routes());
  }

  /** An admin port for {@code server}, showing the metrics of {@code telemetry}. */
  public static Builder builder(ProtogateServer server, Telemetry telemetry) {
    return new Builder(server, telemetry);
  }

  /** The port bound: useful when built with port 0. */
  public int port() {
    return connector.getLocalPort();
  }

  /**
   * Turns {@code /readyz} not-ready for good, so that balancers stop sending calls here before
   * the server stops taking them.
   */
  public void drain() {
    draining = true;
  }

  @Override
  public void close() throws Exception {
    jetty.stop();
  }

  /** Why the server should not get traffic now; empty when it is ready. */
  List<String> notReady() {
    List<String> problems = new ArrayList<>();
    if (draining) {
      problems.add("draining: stopping, calls in flight are finishing");
    }
    Contract contract = server.contract().current();
    if (contract.schema().services().isEmpty()) {
      problems.add("the contract served has no services");
    }
    problems.addAll(unreachableUpstreams(contract));
    for (Supplier<List<String>> check : readinessChecks) {
      problems.addAll(check.get());
    }
    return problems;
  }

  /**
   * The routed services whose upstream is not serving, as the gateway's own health service says
   * (it follows each upstream's health, or its connectivity when it has none).
   */
  private List<String> unreachableUpstreams(Contract contract) {
    io.protogate.upstream.Routes routes = contract.part(UpstreamRouting.ROUTES);
    List<String> problems = new ArrayList<>();
    if (routes.isEmpty()) {
      return problems;
    }
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(server.channel());
    for (ServiceDescriptor service : contract.schema().services()) {
      routes.find(service.getFullName()).ifPresent(route -> {
        ServingStatus status;
        try {
          status = health.withDeadlineAfter(2, TimeUnit.SECONDS)
              .check(HealthCheckRequest.newBuilder().setService(service.getFullName()).build())
              .getStatus();
        } catch (StatusRuntimeException e) {
          status = ServingStatus.UNKNOWN;
        }
        if (status != ServingStatus.SERVING) {
          problems.add("upstream " + route.upstream() + " for " + service.getFullName()
              + " is not reachable (" + status + ")");
        }
      });
    }
    return problems;
  }

  private final class Routes extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = Request.getPathInContext(request);
      boolean get = "GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod());
      switch (path) {
        case "/metrics":
          return get ? send(response, callback, 200, PROMETHEUS_TEXT, telemetry.scrape())
              : notAllowed(response, callback, "GET");
        case "/healthz":
          return get ? send(response, callback, 200, TEXT, "ok\n")
              : notAllowed(response, callback, "GET");
        case "/readyz":
          if (!get) {
            return notAllowed(response, callback, "GET");
          }
          List<String> problems = notReady();
          return problems.isEmpty() ? send(response, callback, 200, TEXT, "ready\n")
              : send(response, callback, 503, TEXT, "not ready: "
                  + String.join("; ", problems) + "\n");
        case "/contract":
          return get ? send(response, callback, 200, JSON, contract(server.contract().current()))
              : notAllowed(response, callback, "GET");
        case "/reload":
          if (!"POST".equals(request.getMethod())) {
            return notAllowed(response, callback, "POST");
          }
          if (reloader == null) {
            return send(response, callback, 409, JSON, json(json -> json.beginObject()
                .name("outcome").value("none")
                .name("problem").value("nothing to reload: serving the bundled descriptor sets;"
                    + " start serve with --descriptors PATH to reload them")
                .endObject()));
          }
          Reloader.Outcome outcome = reloader.reload();
          return send(response, callback,
              outcome.kind() == Reloader.Outcome.Kind.REJECTED ? 422 : 200, JSON,
              json(json -> json.beginObject()
                  .name("outcome").value(outcome.kind().name().toLowerCase(Locale.ROOT))
                  .name("version").value(outcome.version())
                  .name("problem").value(outcome.problem())
                  .endObject()));
        default:
          return send(response, callback, 404, TEXT, "no such admin endpoint: " + path
              + "; try /metrics, /healthz, /readyz, /contract or POST /reload\n");
      }
    }
  }

  private static boolean notAllowed(Response response, Callback callback, String allowed) {
    response.getHeaders().put(HttpHeader.ALLOW, allowed);
    return send(response, callback, 405, TEXT, "use " + allowed + "\n");
  }

  private static boolean send(
      Response response, Callback callback, int status, String type, String body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    Content.Sink.write(response, true, body, callback);
    return true;
  }

  /** Version, generation, sources, and every service with its methods. */
  static String contract(Contract contract) {
    Schema schema = contract.schema();
    return json(json -> {
      json.beginObject()
          .name("version").value(contract.version())
          .name("generation").value(contract.generation());
      json.name("sources").beginArray();
      for (String source : schema.sources()) {
        json.value(source);
      }
      json.endArray().name("services").beginArray();
      for (ServiceDescriptor service : schema.services()) {
        json.beginObject().name("name").value(service.getFullName()).name("methods").beginArray();
        for (MethodDescriptor method : service.getMethods()) {
          json.beginObject()
              .name("name").value(Schema.fullMethodName(method))
              .name("type").value(Schema.methodType(method).name())
              .name("input").value(method.getInputType().getFullName())
              .name("output").value(method.getOutputType().getFullName())
              .endObject();
        }
        json.endArray().endObject();
      }
      json.endArray().endObject();
    });
  }

  private interface JsonBody {
    void write(JsonWriter json) throws IOException;
  }

  private static String json(JsonBody body) {
    StringWriter out = new StringWriter();
    try (JsonWriter json = new JsonWriter(out)) {
      body.write(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.append('\n').toString();
  }

  /** Admin-port settings; the server and its telemetry are required. */
  public static final class Builder {
    private final ProtogateServer server;
    private final Telemetry telemetry;
    private final List<Supplier<List<String>>> readinessChecks = new ArrayList<>();
    private Reloader reloader;
    private String host = "127.0.0.1";
    private int port;

    private Builder(ProtogateServer server, Telemetry telemetry) {
      this.server = requireNonNull(server, "server");
      this.telemetry = requireNonNull(telemetry, "telemetry");
    }

    /** The address to bind: loopback by default. */
    public Builder host(String host) {
      this.host = requireNonNull(host, "host");
      return this;
    }

    /** The port to bind; 0 picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("admin port: " + port + " (expected: 0-65535)");
      }
      this.port = port;
      return this;
    }

    /** What {@code POST /reload} runs; without it, it answers 409. */
    public Builder reloader(Reloader reloader) {
      this.reloader = requireNonNull(reloader, "reloader");
      return this;
    }

    /**
     * Adds a condition of readiness: {@code check} returns why the server is not ready (for
     * instance which upstream of a routed service is unreachable), or an empty list.
     */
    public Builder readinessCheck(Supplier<List<String>> check) {
      readinessChecks.add(requireNonNull(check, "check"));
      return this;
    }

    /** Binds the port and starts answering. */
    public AdminServer start() {
      AdminServer admin = new AdminServer(this);
      try {
        admin.jetty.start();
      } catch (Exception e) {
        try {
          admin.jetty.stop();
        } catch (Exception ignored) {
          // Already failing: the first error is the one to report.
        }
        String problem = "cannot serve the admin port on " + host + ":" + port + ": "
            + e.getMessage() + "; pick another --admin-port or stop what uses it";
        throw new UncheckedIOException(problem, new IOException(problem, e));
      }
      return admin;
    }
  }
}
