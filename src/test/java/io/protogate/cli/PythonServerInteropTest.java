package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.protogate.cli.ClientCommandsTest.Result;
import io.protogate.interop.PythonGrpc;
import io.protogate.interop.PythonServer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Protogate's client commands against a server written in Python (grpcio) that has no reflection,
 * so that the client is checked against another gRPC implementation, and its contract comes from
 * {@code --protoset} alone. The server generates its stubs from {@code descriptors/*.proto}, the
 * contracts the descriptor sets passed to the client are compiled from.
 *
 * <p>The server stops when its standard input closes, so it cannot outlive this JVM. Python's grpc
 * packages are not a Maven dependency, so the tests are skipped where they are missing, unless
 * {@code PROTOGATE_REQUIRE_INTEROP=1} (CI), which turns the skip into a failure.
 */
class PythonServerInteropTest {
  private static final List<String> CONTRACT = List.of(
      "--protoset", "descriptors/hello.desc", "--protoset", "descriptors/demo.desc");
  private static final String HELLO =
      "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"engineer\"}}";

  private static PythonServer server;
  private static String address;

  @BeforeAll
  static void startServer() throws Exception {
    PythonGrpc.assumeAvailable();
    server = PythonServer.start();
    address = server.address();
  }

  @AfterAll
  static void stopServer() throws IOException, InterruptedException {
    if (server != null) {
      server.close();
    }
  }

  /** Runs a client command over plain text, with the contract from the descriptor sets. */
  private static Result withContract(String command, String... rest) {
    List<String> args = new ArrayList<>(List.of(command, "--plaintext"));
    args.addAll(CONTRACT);
    args.addAll(List.of(rest));
    return ClientCommandsTest.run(args.toArray(String[]::new));
  }

  @Test
  void printsTheResponseAsJson_unaryCall() {
    Result result = withContract("call", address, "GrpcService/hello", "-d", HELLO);

    assertEquals(0, result.exit(), result.err());
    assertEquals("{\n  \"result\": \"xiao gangengineer this is gprc test service\",\n"
        + "  \"mapResult\": {\n    \"12\": 1232\n  }\n}\n", result.out());
  }

  @Test
  void headerReachesThePythonServer_callWithHeader() {
    Result result = withContract("call", "-H", "x-tenant: acme", address, "GrpcService/hello",
        "-d", HELLO);

    assertEquals(0, result.exit(), result.err());
    assertEquals("{\n  \"result\": \"acme:xiao gangengineer this is gprc test service\",\n"
        + "  \"mapResult\": {\n    \"12\": 1232\n  }\n}\n", result.out());
  }

  @Test
  void printsEveryTickInOrder_serverStreamingCall() {
    Instant before = Instant.now();
    Result result = withContract("call", address, "protogate.demo.StreamingDemo/Countdown",
        "-d", "{\"from\": 3}");

    assertEquals(0, result.exit(), result.err());
    String tick = "\\{\\n  \"remaining\": (\\d+),\\n  \"at\": \"([^\"]+)\"\\n\\}\\n";
    Matcher ticks = Pattern.compile(tick.repeat(3)).matcher(result.out());
    assertTrue(ticks.matches(), result.out());
    for (int i = 0; i < 3; i++) {
      assertEquals(Integer.toString(3 - i), ticks.group(2 * i + 1), result.out());
      Instant at = Instant.parse(ticks.group(2 * i + 2));
      assertTrue(!at.isBefore(before.minusSeconds(5)) && !at.isAfter(Instant.now()),
          "tick time " + at + " is not now");
    }
  }

  @Test
  void sendsEveryRequest_clientStreamingCall() {
    Result result = withContract("call", address, "protogate.demo.StreamingDemo/Sum",
        "-d", "{\"value\":1}{\"value\":2}");

    assertEquals(0, result.exit(), result.err());
    assertEquals("{\n  \"total\": \"3\",\n  \"count\": 2\n}\n", result.out());
  }

  @Test
  void printsEveryEchoInOrder_bidiStreamingCall() {
    Result result = withContract("call", address, "protogate.demo.StreamingDemo/Echo",
        "-d", "{\"text\": \"one\", \"sequence\": 1}{\"text\": \"two\", \"sequence\": 2}"
            + "{\"text\": \"three\", \"sequence\": 3}");

    assertEquals(0, result.exit(), result.err());
    assertEquals("{\n  \"text\": \"one\",\n  \"sequence\": 1\n}\n"
        + "{\n  \"text\": \"two\",\n  \"sequence\": 2\n}\n"
        + "{\n  \"text\": \"three\",\n  \"sequence\": 3\n}\n", result.out());
  }

  @Test
  void exitsSixtyFourPlusCodeAndFormatErrorPrintsJson_errorStatus() {
    Result plain = withContract("call", address, "GrpcService/hello", "-d", "{\"data\": \"fail\"}");
    Result json = withContract("call", "--format-error", address, "GrpcService/hello",
        "-d", "{\"data\": \"fail\"}");

    assertEquals(64 + 5, plain.exit(), plain.err());
    assertEquals("", plain.out());
    assertEquals("protogate: GrpcService/hello failed: NOT_FOUND: no such thing\n", plain.err());
    assertEquals(64 + 5, json.exit(), json.err());
    assertEquals("{\"code\":5,\"message\":\"no such thing\"}\n", json.out());
  }

  @Test
  void exitsSixtyFourPlusDeadlineExceeded_maxTimeOnSlowCall() {
    long start = System.nanoTime();
    Result result = withContract("call", "--max-time", "0.5", address, "GrpcService/hello",
        "-d", "{\"data\": \"slow\"}");
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    assertEquals(64 + 4, result.exit(), result.err());
    assertTrue(result.err().contains("DEADLINE_EXCEEDED"), result.err());
    // The server would answer after 5 s: the client must have given up on its own deadline.
    assertTrue(elapsed.compareTo(Duration.ofSeconds(4)) < 0, "took " + elapsed);
  }

  @Test
  void listsServicesAndMethods_protosetWithoutReflection() {
    Result services = withContract("list", address);
    Result methods = withContract("list", address, "protogate.demo.StreamingDemo");

    assertEquals(0, services.exit(), services.err());
    assertEquals("GrpcService\nprotogate.demo.StreamingDemo\n", services.out());
    assertEquals(0, methods.exit(), methods.err());
    assertEquals("protogate.demo.StreamingDemo.Countdown\nprotogate.demo.StreamingDemo.Sum\n"
        + "protogate.demo.StreamingDemo.Echo\n", methods.out());
  }

  @Test
  void describesServiceAndMessage_protosetWithoutReflection() {
    Result service = withContract("describe", address, "GrpcService");
    Result message = withContract("describe", address, "HelloRequest");

    assertEquals(0, service.exit(), service.err());
    assertEquals("service GrpcService {\n"
        + "  rpc hello ( .HelloRequest ) returns ( .HelloResponse );\n}\n", service.out());
    assertEquals(0, message.exit(), message.err());
    assertEquals("message HelloRequest {\n  string data = 1;\n  .Skill skill = 2;\n}\n",
        message.out());
  }

  @Test
  void exitsOneSuggestingProtoset_listWithoutProtosetOrReflection() {
    Result result = ClientCommandsTest.run("list", "--plaintext", address);

    assertEquals(1, result.exit(), result.err());
    assertEquals("", result.out());
    assertEquals("protogate: " + address + ": listing services through reflection failed"
        + ": UNIMPLEMENTED: the server does not support reflection (v1 or v1alpha); pass its"
        + " contract with --protoset FILE.desc\n", result.err());
  }
}
