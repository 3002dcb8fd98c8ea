package io.protogate.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.protogate.contract.Contract;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.server.ProtogateServer;
import io.protogate.upstream.Route;
import io.protogate.upstream.Routes;
import io.protogate.upstream.UpstreamRouting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's Python server (grpcio) behind Protogate, called by the seed's Python client: two
 * independent gRPC implementations on either side of the gateway. The client checks what it gets
 * back through the gateway (the Python server's answers in every call type, its trailers and
 * statuses) and what reached the server (its metadata, the caller's deadline).
 */
class PythonUpstreamTest {
  private static final Path CLIENT = Path.of("src/test/python/interop_client.py");
  private static final List<String> CHECKS = List.of("hello", "countdown", "sum", "echo",
      "unknown-method", "health", "upstream-metadata", "upstream-trailers", "upstream-deadline",
      "upstream-error", "upstream-slow");

  @TempDir Path tempDir;

  @Test
  void pythonClient_throughTheGateway_reachesThePythonServer() throws Exception {
    PythonGrpc.assumeAvailable();
    try (PythonServer python = PythonServer.start();
        Gateway gateway = new Gateway("*=" + python.address())) {
      Path output = tempDir.resolve("client.log");
      Process client = new ProcessBuilder(PythonGrpc.PYTHON, CLIENT.toString(),
          "--port", Integer.toString(gateway.server.port()), "--protos", "descriptors",
          "--checks", String.join(",", CHECKS))
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .start();
      boolean exited = client.waitFor(60, TimeUnit.SECONDS);
      if (!exited) {
        client.destroyForcibly().waitFor();
      }
      String log = Files.readString(output, StandardCharsets.UTF_8);

      assertTrue(exited, () -> "Python client killed after 60 s:\n" + log);
      List<String> lines = log.lines().map(String::strip).toList();
      for (String check : CHECKS) {
        assertTrue(lines.contains("ok " + check), () -> "no 'ok " + check + "' line in:\n" + log);
      }
      assertEquals(0, client.exitValue(), log);
    }
  }

  @Test
  void health_ofAServiceRoutedToAServerWithoutHealth_followsTheConnection() throws Exception {
    PythonGrpc.assumeAvailable();
    PythonServer python = PythonServer.start();
    try (Gateway gateway = new Gateway("GrpcService=" + python.address())) {
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(gateway.channel);
      awaitHealth(health, ServingStatus.SERVING);

      python.close();

      awaitHealth(health, ServingStatus.NOT_SERVING);
    } finally {
      python.close();
    }
  }

  private static void awaitHealth(HealthGrpc.HealthBlockingStub health, ServingStatus expected)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    ServingStatus now = null;
    while (System.nanoTime() < until && now != expected) {
      try {
        now = health.withDeadlineAfter(5, TimeUnit.SECONDS)
            .check(HealthCheckRequest.newBuilder().setService("GrpcService").build()).getStatus();
      } catch (io.grpc.StatusRuntimeException e) {
        now = null; // Not known yet.
      }
      Thread.sleep(50);
    }
    assertEquals(expected, now);
  }

  /** Protogate with the bundled contracts, routing as {@code route} says. */
  private static final class Gateway implements AutoCloseable {
    final ProtogateServer server;
    final ManagedChannel channel;

    Gateway(String route) {
      Routes routes = Routes.of(List.of(Route.parse(route)));
      server = ProtogateServer.builder(
              Contract.of(SchemaLoader.fromSources(BundledDescriptors.sources()))
                  .with(UpstreamRouting.ROUTES, routes))
          .port(0)
          .demoHandlers(BuiltinHandlers.demo())
          .build()
          .start();
      channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.close();
    }
  }
}
