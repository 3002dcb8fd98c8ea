package io.protogate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.protogate.client.DynamicCalls;
import io.protogate.contract.Contract;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.json.JsonCodec;
import io.protogate.reload.Reloader;
import io.protogate.server.CallTags;
import io.protogate.server.ProtogateServer;
import io.protogate.upstream.Route;
import io.protogate.upstream.Routes;
import io.protogate.upstream.UpstreamRouting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server with its admin port: the metrics of calls of two doors and of an upstream, the
 * health and readiness answers, the contract, reloads, and the access log.
 */
class AdminServerTest {
  private static final String HELLO = "GrpcService/hello";
  private static final String REQUEST = "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"x\"}}";

  private final HttpClient http = HttpClient.newHttpClient();
  private Telemetry telemetry;
  private ProtogateServer server;
  private AdminServer admin;
  private ManagedChannel channel;

  private void start(Path descriptors, String accessLog) throws Exception {
    start(descriptors, accessLog, true);
  }

  private void start(Path descriptors, String accessLog, boolean demo) throws Exception {
    Files.copy(Path.of("descriptors/hello.desc"), descriptors.resolve("hello.desc"));
    Schema schema = SchemaLoader.load(List.of(descriptors));
    telemetry = accessLog == null ? Telemetry.create() : Telemetry.withAccessLog(accessLog);
    server = ProtogateServer.builder(schema)
        .port(0)
        .shutdownGrace(Duration.ofSeconds(1))
        .demoHandlers(demo ? BuiltinHandlers.demo() : Handlers.builder().build())
        .intercept(telemetry.interceptor())
        .build()
        .start();
    Reloader reloader = new Reloader(List.of(descriptors), server, Reloader.Breaking.REJECT);
    telemetry.follow(server.contract());
    telemetry.follow(reloader);
    admin = AdminServer.builder(server, telemetry).port(0).reloader(reloader).start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (admin != null) {
      admin.close();
    }
    if (server != null) {
      server.close();
    }
    if (telemetry != null) {
      telemetry.close();
    }
  }

  private DynamicMessage hello(Channel through) {
    Descriptors.MethodDescriptor method = server.schema().findMethod(HELLO).orElseThrow();
    return DynamicCalls.unary(through, method,
        JsonCodec.of(server.schema()).parse(REQUEST, method.getInputType()),
        Duration.ofSeconds(10));
  }

  private static Channel withHeader(Channel channel, Metadata.Key<String> key, String value) {
    Metadata headers = new Metadata();
    headers.put(key, value);
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(
        headers));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The value of the sample whose line starts with {@code series}, or fails. */
  private double sample(String series) throws Exception {
    String metrics = get("/metrics").body();
    for (String line : metrics.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    throw new AssertionError("no sample " + series + " in:\n" + metrics);
  }

  @Test
  void metrics_countCallsPerDoorMethodAndCode_inPrometheusText(@TempDir Path dir)
      throws Exception {
    start(dir, null);
    hello(channel);
    hello(channel);
    hello(withHeader(server.channel(), CallTags.DOOR, CallTags.HTTP));
    // A network client cannot pose as another door.
    hello(withHeader(channel, CallTags.DOOR, CallTags.CONNECT));

    HttpResponse<String> response = get("/metrics");
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    String labels = "grpc_method=\"hello\",grpc_service=\"GrpcService\",grpc_type=\"unary\"";
    assertEquals(3, sample("grpc_server_started_total{door=\"grpc\"," + labels + "}"));
    assertEquals(3, sample("grpc_server_handled_total{door=\"grpc\",grpc_code=\"OK\","
        + labels + "}"));
    assertEquals(1, sample("grpc_server_handled_total{door=\"http\",grpc_code=\"OK\","
        + labels + "}"));
    assertEquals(3, sample("grpc_server_handling_seconds_count{door=\"grpc\"," + labels + "}"));
    assertEquals(3, sample("grpc_server_handling_seconds_bucket{door=\"grpc\"," + labels
        + ",le=\"+Inf\"}"));
    assertEquals(3, sample("grpc_server_msg_received_total{door=\"grpc\"," + labels + "}"));
    assertEquals(3, sample("grpc_server_msg_sent_total{door=\"grpc\"," + labels + "}"));
    assertTrue(sample("grpc_server_received_bytes_total{door=\"grpc\"," + labels + "}") > 3 * 10);
    assertTrue(sample("grpc_server_sent_bytes_total{door=\"grpc\"," + labels + "}") > 3 * 10);
    assertEquals(0, sample("grpc_server_in_flight{door=\"grpc\"," + labels + "}"));
    assertFalse(response.body().contains("door=\"connect\""), response.body());
    assertEquals(1, sample("protogate_contract_info{version=\"" + server.schema().version()
        + "\"}"));
    assertTrue(response.body().contains("jvm_memory_used_bytes"), "JVM metrics");
    assertTrue(response.body().contains("process_cpu_usage"), "process metrics");
  }

  @Test
  void metrics_unansweredCall_countedWithItsCode(@TempDir Path dir) throws Exception {
    start(dir, null, false);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> hello(channel));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());

    assertEquals(1, sample("grpc_server_handled_total{door=\"grpc\",grpc_code=\"UNIMPLEMENTED\","
        + "grpc_method=\"hello\",grpc_service=\"GrpcService\",grpc_type=\"unary\"}"));
    assertEquals(0, sample("grpc_server_in_flight{door=\"grpc\",grpc_method=\"hello\","
        + "grpc_service=\"GrpcService\",grpc_type=\"unary\"}"));
  }

  @Test
  void upstreamInterceptor_countsCallsWithTheUpstreamName(@TempDir Path dir) throws Exception {
    start(dir, null);
    hello(ClientInterceptors.intercept(channel, telemetry.upstream("backend-a")));

    assertEquals(1, sample("grpc_client_handled_total{grpc_code=\"OK\",grpc_method=\"hello\","
        + "grpc_service=\"GrpcService\",grpc_type=\"unary\",upstream=\"backend-a\"}"));
    assertEquals(1, sample("grpc_client_msg_sent_total{grpc_method=\"hello\","
        + "grpc_service=\"GrpcService\",grpc_type=\"unary\",upstream=\"backend-a\"}"));
  }

  @Test
  void routedCalls_countedPerUpstreamByItsTarget(@TempDir Path dir) throws Exception {
    start(dir, null);
    String target = "127.0.0.1:" + server.port();
    Contract routed = Contract.of(server.schema()).with(UpstreamRouting.ROUTES,
        Routes.of(List.of(Route.parse("GrpcService=" + target))));
    try (ProtogateServer gateway = ProtogateServer.builder(routed).port(0)
        .shutdownGrace(Duration.ofSeconds(1))
        .interceptUpstreamCalls(telemetry::upstream)
        .build()
        .start()) {
      ManagedChannel toGateway = NettyChannelBuilder.forAddress("127.0.0.1", gateway.port())
          .usePlaintext().build();
      try {
        hello(toGateway);
      } finally {
        toGateway.shutdownNow();
      }
    }

    assertEquals(1, sample("grpc_client_handled_total{grpc_code=\"OK\",grpc_method=\"hello\","
        + "grpc_service=\"GrpcService\",grpc_type=\"unary\",upstream=\"" + target + "\"}"));
  }

  @Test
  void readiness_followsTheUpstreamsOfRoutedServices(@TempDir Path dir) throws Exception {
    start(dir, null);
    String up = "127.0.0.1:" + server.port();
    String down;
    try (java.net.ServerSocket unused = new java.net.ServerSocket(0)) {
      down = "127.0.0.1:" + unused.getLocalPort();
    }
    for (String target : new String[] {down, up}) {
      Contract routed = Contract.of(server.schema()).with(UpstreamRouting.ROUTES,
          Routes.of(List.of(Route.parse("GrpcService=" + target))));
      try (ProtogateServer gateway = ProtogateServer.builder(routed).port(0)
          .shutdownGrace(Duration.ofSeconds(1)).build().start()) {
        AdminServer gatewayAdmin = AdminServer.builder(gateway, telemetry).port(0).start();
        try {
          HttpResponse<String> readyz = null;
          for (int i = 0; i < 50; i++) {
            readyz = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + gatewayAdmin.port() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
            if ((readyz.statusCode() == 200) == target.equals(up)) {
              break;
            }
            Thread.sleep(100);
          }
          if (target.equals(up)) {
            assertEquals(200, readyz.statusCode(), readyz.body());
          } else {
            assertEquals(503, readyz.statusCode(), readyz.body());
            assertTrue(readyz.body().contains("upstream " + down + " for GrpcService"),
                readyz.body());
          }
        } finally {
          gatewayAdmin.close();
        }
      }
    }
  }

  @Test
  void healthAndReadiness_readyUntilDraining(@TempDir Path dir) throws Exception {
    start(dir, null);
    assertEquals(200, get("/healthz").statusCode());
    assertEquals(200, get("/readyz").statusCode());

    admin.drain();

    HttpResponse<String> readyz = get("/readyz");
    assertEquals(503, readyz.statusCode());
    assertTrue(readyz.body().contains("draining"), readyz.body());
    assertEquals(200, get("/healthz").statusCode());
    hello(channel); // Draining only tells balancers: calls are still answered.
  }

  @Test
  void readiness_failingCheck_notReadyWithItsReason(@TempDir Path dir) throws Exception {
    start(dir, null);
    AdminServer checked = AdminServer.builder(server, telemetry)
        .port(0)
        .readinessCheck(() -> List.of("upstream backend-a (127.0.0.1:1) is unreachable"))
        .start();
    try {
      HttpResponse<String> readyz = http.send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + checked.port() + "/readyz")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(503, readyz.statusCode());
      assertTrue(readyz.body().contains("backend-a"), readyz.body());
    } finally {
      checked.close();
    }
  }

  @Test
  void contract_versionSourcesServicesAndMethods(@TempDir Path dir) throws Exception {
    start(dir, null);
    HttpResponse<String> response = get("/contract");
    assertEquals(200, response.statusCode());
    JsonObject contract = JsonParser.parseString(response.body()).getAsJsonObject();
    assertEquals(server.schema().version(), contract.get("version").getAsString());
    assertTrue(contract.get("sources").toString().contains("hello.desc"), response.body());
    JsonObject service = contract.getAsJsonArray("services").get(0).getAsJsonObject();
    assertEquals("GrpcService", service.get("name").getAsString());
    JsonObject method = service.getAsJsonArray("methods").get(0).getAsJsonObject();
    assertEquals(HELLO, method.get("name").getAsString());
    assertEquals("UNARY", method.get("type").getAsString());
  }

  @Test
  void reload_answersWhatHappened_andCountsIt(@TempDir Path dir) throws Exception {
    start(dir, null);
    String before = server.schema().version();

    HttpResponse<String> unchanged = post("/reload");
    assertEquals(200, unchanged.statusCode());
    assertTrue(unchanged.body().contains("\"outcome\":\"unchanged\""), unchanged.body());

    Files.copy(Path.of("descriptors/demo.desc"), dir.resolve("demo.desc"));
    HttpResponse<String> swapped = post("/reload");
    assertEquals(200, swapped.statusCode(), swapped.body());
    assertTrue(swapped.body().contains("\"outcome\":\"swapped\""), swapped.body());
    String after = server.schema().version();
    assertFalse(before.equals(after));
    assertTrue(swapped.body().contains(after), swapped.body());
    assertEquals(1, sample("protogate_contract_info{version=\"" + after + "\"}"));
    assertFalse(get("/metrics").body().contains(before), "the old version is gone");

    Files.write(dir.resolve("broken.desc"), new byte[] {1, 2, 3});
    HttpResponse<String> rejected = post("/reload");
    assertEquals(422, rejected.statusCode());
    assertTrue(rejected.body().contains("broken.desc"), rejected.body());
    assertEquals(after, server.schema().version());

    assertEquals(405, get("/reload").statusCode());
    assertEquals(1, sample("protogate_reloads_total{outcome=\"accepted\"}"));
    assertEquals(1, sample("protogate_reloads_total{outcome=\"unchanged\"}"));
    assertEquals(1, sample("protogate_reloads_total{outcome=\"rejected\"}"));
  }

  @Test
  void accessLog_oneJsonLinePerCall_withDoorPeerVersionAndTier(@TempDir Path dir)
      throws Exception {
    Path log = Files.createTempFile(dir, "access", ".log");
    Path descriptors = Files.createDirectory(dir.resolve("descriptors"));
    start(descriptors, log.toString());
    hello(channel);
    Channel http = withHeader(withHeader(server.channel(), CallTags.DOOR, CallTags.HTTP),
        CallTags.PEER, "192.0.2.7:4711");
    hello(http);
    String version = server.schema().version();
    telemetry.close(); // writes out the queue
    telemetry = null;

    List<String> lines = Files.readAllLines(log);
    assertEquals(2, lines.size(), lines.toString());
    JsonObject grpc = JsonParser.parseString(lines.get(0)).getAsJsonObject();
    assertEquals("grpc", grpc.get("door").getAsString());
    assertTrue(grpc.get("peer").getAsString().startsWith("127.0.0.1:"), lines.get(0));
    assertEquals(HELLO, grpc.get("method").getAsString());
    assertEquals("OK", grpc.get("status").getAsString());
    assertEquals(version, grpc.get("contract").getAsString());
    assertEquals("demo", grpc.get("answered_by").getAsString());
    assertEquals(1, grpc.get("messages_in").getAsInt());
    assertTrue(grpc.get("bytes_in").getAsLong() > 10, lines.get(0));
    assertTrue(grpc.get("bytes_out").getAsLong() > 10, lines.get(0));
    assertTrue(grpc.get("duration_ms").getAsDouble() > 0, lines.get(0));
    assertTrue(grpc.get("time").getAsString().endsWith("Z"), lines.get(0));
    JsonObject door = JsonParser.parseString(lines.get(1)).getAsJsonObject();
    assertEquals("http", door.get("door").getAsString());
    assertEquals("192.0.2.7:4711", door.get("peer").getAsString());
  }

  @Test
  void accessLog_writerBehind_dropsLinesAndCountsThem() throws Exception {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.io.Writer stuck = new java.io.StringWriter() {
      @Override
      public void write(String line) {
        try {
          release.await(); // a disk that does not keep up
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    AccessLog log = new AccessLog(stuck, registry, 2);
    AccessLog.Entry entry = new AccessLog.Entry(0, "p", "grpc", HELLO, "OK", 1, 1, 1, 1, 1, "v",
        "demo");
    for (int i = 0; i < 10; i++) {
      log.offer(entry); // never blocks
    }
    double dropped = registry.get("protogate.access_log.dropped").counter().count();
    assertTrue(dropped >= 10 - 2 - 1, "dropped " + dropped);
    release.countDown();
    log.close();
  }

  @Test
  void unknownPath_404NamingTheEndpoints(@TempDir Path dir) throws Exception {
    start(dir, null);
    HttpResponse<String> response = get("/nope");
    assertEquals(404, response.statusCode());
    assertTrue(response.body().contains("/metrics"), response.body());
  }
}
