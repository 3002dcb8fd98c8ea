package io.protogate.cli;

import static io.protogate.cli.ClientCommandsTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.protogate.cli.ClientCommandsTest.Result;
import io.protogate.interop.NodeScripts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client against a server whose reflection is Node's {@code @grpc/reflection}, which describes
 * its contract in its own way: names in no package are listed with a leading dot, the files of a
 * package are merged into one, and a file does not declare the import its types need (the
 * Timestamp of {@code protogate.demo.Tick}). Every command must work as against grpc-java.
 */
class NodeReflectionInteropTest {
  private static Process server;
  private static String address;

  @BeforeAll
  static void startNodeServer() throws Exception {
    NodeScripts.assumeAvailable("@grpc/grpc-js", "@grpc/reflection", "@grpc/proto-loader");
    server = new ProcessBuilder("node", "reflection_server.js",
        Path.of("descriptors").toAbsolutePath().toString())
        .directory(NodeScripts.DIR.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    BufferedReader output = new BufferedReader(
        new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line = output.readLine();
    assertTrue(line != null && line.startsWith("port "), "the Node server said: " + line);
    address = "127.0.0.1:" + line.substring("port ".length());
  }

  @AfterAll
  static void stopNodeServer() throws Exception {
    if (server != null) {
      server.getOutputStream().close(); // the server stops when its standard input closes
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  void list_namesWithoutTheLeadingDot() {
    Result result = run("list", "--plaintext", address);

    assertEquals(0, result.exit(), result.err());
    assertTrue(result.out().lines().toList().containsAll(java.util.List.of("GrpcService",
        "protogate.demo.StreamingDemo")), result.out());
    assertTrue(result.out().lines().noneMatch(l -> l.startsWith(".")), result.out());
  }

  @Test
  void listMethodsAndDescribe_ofAServiceInNoPackage() {
    Result methods = run("list", "--plaintext", address, "GrpcService");
    Result service = run("describe", "--plaintext", address, "GrpcService");

    assertEquals(0, methods.exit(), methods.err());
    assertEquals("GrpcService.hello\n", methods.out());
    assertEquals(0, service.exit(), service.err());
    assertTrue(service.out().contains("rpc hello"), service.out());
  }

  @Test
  void describe_aTypeWhoseFileLeavesOutAnImport() {
    Result tick = run("describe", "--plaintext", address, "protogate.demo.Tick");
    Result everything = run("describe", "--plaintext", address);

    assertEquals(0, tick.exit(), tick.err());
    assertTrue(tick.out().contains("google.protobuf.Timestamp at = 2;"), tick.out());
    assertEquals(0, everything.exit(), everything.err());
    assertTrue(everything.out().contains("service GrpcService")
        && everything.out().contains("service StreamingDemo"), everything.out());
  }

  @Test
  void call_unaryAndServerStreaming() {
    Result hello = run("call", "--plaintext", address, "GrpcService/hello",
        "-d", "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"engineer\"}}");
    Result countdown = run("call", "--plaintext", address,
        "protogate.demo.StreamingDemo/Countdown", "-d", "{\"from\": 2}");

    assertEquals(0, hello.exit(), hello.err());
    assertTrue(hello.out().contains("\"result\": \"xiao gangengineer this is gprc test service\""),
        hello.out());
    assertEquals(0, countdown.exit(), countdown.err());
    assertEquals(2, countdown.out().split("\"remaining\"", -1).length - 1, countdown.out());
  }
}
