package io.protogate.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.server.ProtogateServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls Protogate from Python's grpcio over a real loopback socket, so that wire compatibility is
 * checked against another gRPC implementation and not only against grpc-java talking to itself. The
 * client generates its stubs from {@code descriptors/*.proto}, the same contracts the bundled
 * descriptor sets are compiled from.
 *
 * <p>Python's grpc packages are not a Maven dependency, so the test is skipped where they are
 * missing. Where that coverage must not quietly disappear (CI), {@code PROTOGATE_REQUIRE_INTEROP=1}
 * turns the skip into a failure.
 */
class PythonInteropTest {
  // Debian's packages live in the system interpreter; a python3 earlier on PATH (pyenv, venv)
  // usually lacks them.
  private static final String PYTHON = PythonGrpc.PYTHON;
  private static final Path SCRIPT = Path.of("src/test/python/interop_client.py");
  private static final Path PROTOS = Path.of("descriptors");
  private static final long TIMEOUT_SECONDS = 60;
  private static final List<String> CHECKS =
      List.of("hello", "countdown", "sum", "echo", "garbage-request", "unknown-method", "health");

  @TempDir Path tempDir;

  private ProtogateServer server;

  @AfterEach
  void stopServer() throws InterruptedException {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void pythonGrpcioClient_callsEveryShapeAndGetsRightStatuses() throws Exception {
    PythonGrpc.assumeAvailable();
    server =
        ProtogateServer.builder(SchemaLoader.fromSources(BundledDescriptors.sources()))
            .port(0)
            .demoHandlers(BuiltinHandlers.demo())
            .build()
            .start();

    // Output goes to a file rather than a pipe, so a chatty client can never block on a full
    // pipe buffer while this thread is waiting for it to exit.
    Path output = tempDir.resolve("interop-client.log");
    Process client =
        new ProcessBuilder(
                PYTHON,
                SCRIPT.toString(),
                "--port",
                Integer.toString(server.port()),
                "--protos",
                PROTOS.toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    boolean exited = client.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (!exited) {
      client.destroyForcibly().waitFor();
    }
    String log = Files.readString(output, StandardCharsets.UTF_8);

    assertTrue(exited, () -> "Python client killed after " + TIMEOUT_SECONDS + " s:\n" + log);
    assertEquals(0, client.exitValue(), () -> "Python client failed:\n" + log);
    List<String> lines = log.lines().map(String::strip).toList();
    for (String check : CHECKS) {
      assertTrue(lines.contains("ok " + check), () -> "no 'ok " + check + "' line in:\n" + log);
    }
  }
}
