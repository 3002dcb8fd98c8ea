package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.protogate.client.DynamicCalls;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.json.JsonCodec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --admin-port --access-log --drain-delay}, as an operator runs it. */
class ServeAdminFlagsTest {
  private static final Pattern SERVING = Pattern.compile("serving .* on 127\\.0\\.0\\.1:(\\d+)"
      + ".*gRPC-Web on 127\\.0\\.0\\.1:(\\d+).*admin port 127\\.0\\.0\\.1:(\\d+)");

  @Test
  void serve_adminPortAndAccessLog_metricsAndOneLinePerCall_thenDrainsOnSigterm(
      @TempDir Path dir) throws Exception {
    Path log = dir.resolve("access.log");
    Path output = dir.resolve("serve.out");
    Process process = new ProcessBuilder(ServeCommandTest.javaCommand("serve", "--port", "0",
        "--http-port", "0", "--admin-port", "0", "--access-log", log.toString(),
        "--drain-delay", "2"))
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    try {
      Matcher serving = SERVING.matcher("");
      for (int i = 0; i < 600 && !serving.find(); i++) {
        Thread.sleep(100);
        serving = SERVING.matcher(Files.readString(output));
      }
      assertTrue(serving.find(0), Files.readString(output));
      int port = Integer.parseInt(serving.group(1));
      URI httpPort = URI.create("http://127.0.0.1:" + serving.group(2));
      URI admin = URI.create("http://127.0.0.1:" + serving.group(3));
      Schema bundled = SchemaLoader.fromSources(BundledDescriptors.sources());
      var method = bundled.findMethod(ServeCommand.DEMO_METHOD).orElseThrow();
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        DynamicCalls.unary(channel, method, JsonCodec.of(bundled).parse(
            ServeCommand.DEMO_REQUEST, method.getInputType()), Duration.ofSeconds(10));
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> viaHttp = http.send(HttpRequest.newBuilder(
          httpPort.resolve("/" + ServeCommand.DEMO_METHOD)).header("protogate-door", "grpc")
          .POST(HttpRequest.BodyPublishers.ofString(ServeCommand.DEMO_REQUEST)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, viaHttp.statusCode(), viaHttp.body());
      String metrics = http.send(HttpRequest.newBuilder(admin.resolve("/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("grpc_server_handled_total{door=\"grpc\",grpc_code=\"OK\","
          + "grpc_method=\"hello\",grpc_service=\"GrpcService\",grpc_type=\"unary\"} 1.0"),
          metrics);
      // The HTTP door names itself, whatever its client claims to be.
      assertTrue(metrics.contains("grpc_server_handled_total{door=\"http\",grpc_code=\"OK\","
          + "grpc_method=\"hello\",grpc_service=\"GrpcService\",grpc_type=\"unary\"} 1.0"),
          metrics);

      process.destroy(); // SIGTERM: not ready first, still serving for the drain delay
      HttpResponse<String> readyz = null;
      for (int i = 0; i < 50 && (readyz == null || readyz.statusCode() == 200); i++) {
        readyz = http.send(HttpRequest.newBuilder(admin.resolve("/readyz")).build(),
            HttpResponse.BodyHandlers.ofString());
      }
      assertEquals(503, readyz.statusCode());
      assertTrue(readyz.body().contains("draining"), readyz.body());
      // gRPC health probes see the drain too, while calls are still answered.
      ManagedChannel draining =
          NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        assertEquals(ServingStatus.NOT_SERVING, HealthGrpc.newBlockingStub(draining)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus());
        DynamicCalls.unary(draining, method, JsonCodec.of(bundled).parse(
            ServeCommand.DEMO_REQUEST, method.getInputType()), Duration.ofSeconds(10));
      } finally {
        draining.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }

      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "no exit after SIGTERM");
      assertEquals(0, process.exitValue());
      // A clean stop logs no warning and no stack trace (health was ended once, at the drain).
      String serveLog = Files.readString(output);
      assertTrue(!serveLog.contains("WARNING") && !serveLog.contains("\tat "), serveLog);
      List<String> lines = Files.readAllLines(log);
      assertEquals(4, lines.size(), lines.toString()); // two calls, then a health check and a call while draining
      assertTrue(lines.get(0).contains("\"method\":\"GrpcService/hello\""), lines.get(0));
      assertTrue(lines.get(0).contains("\"answered_by\":\"demo\""), lines.get(0));
      assertTrue(lines.get(1).contains("\"peer\":\"127.0.0.1:"), lines.get(1));
      assertTrue(lines.get(1).contains("\"door\":\"http\""), lines.get(1));
      assertTrue(lines.get(2).contains("\"answered_by\":\"health\""), lines.get(2));
    } finally {
      process.destroyForcibly().waitFor();
    }
  }

  @Test
  void serve_adminPortInUse_oneLineWithoutJavaNames_exitOne() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      StringWriter err = new StringWriter();
      int exit = Main.commandLine().setErr(new PrintWriter(err)).execute("serve", "--port", "0",
          "--admin-port", String.valueOf(taken.getLocalPort()));

      assertEquals(1, exit, err.toString());
      assertTrue(err.toString().startsWith("protogate: cannot serve the admin port on 127.0.0.1:"
          + taken.getLocalPort() + ": "), err.toString());
      assertTrue(!err.toString().contains("java."), err.toString());
    }
  }

  @Test
  void serve_tlsFileMissing_oneLineSayingSo_exitOne(@TempDir Path dir) {
    StringWriter err = new StringWriter();
    Path missing = dir.resolve("missing.pem");
    int exit = Main.commandLine().setErr(new PrintWriter(err)).execute("serve", "--port", "0",
        "--tls-cert", missing.toString(), "--tls-key", missing.toString());

    assertEquals(1, exit, err.toString());
    assertEquals("protogate: cannot read TLS file " + missing + ": no such file",
        err.toString().strip());
  }

  @Test
  void serve_accessLogNotWritable_oneLineErrorNamingIt_exitOne(@TempDir Path dir) {
    StringWriter err = new StringWriter();
    Path log = dir.resolve("no-such-dir").resolve("access.log");
    int exit = Main.commandLine().setErr(new PrintWriter(err)).execute("serve", "--port", "0",
        "--access-log", log.toString());
    assertEquals(1, exit, err.toString());
    assertTrue(err.toString().contains("cannot open the access log " + log), err.toString());
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
  }
}
