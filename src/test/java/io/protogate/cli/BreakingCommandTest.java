package io.protogate.cli;

import static io.protogate.cli.ClientCommandsTest.run;
import static io.protogate.cli.ServeCommandTest.javaCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import io.protogate.cli.ClientCommandsTest.Result;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.server.ProtogateServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code protogate breaking} end to end: descriptor-set files and directories, a running Protogate
 * read through reflection, both output formats, and every exit code from a real process.
 */
class BreakingCommandTest {
  private static final String HELLO = "descriptors/hello.desc";
  private static final String RENAMED_FINDING = "hello.proto: HelloRequest.data (field 1): renamed"
      + " to text; JSON callers send \"data\" [FIELD_SAME_NAME]";

  @TempDir static Path dir;
  private static Path renamed;
  private static ProtogateServer server;
  private static String address;

  @BeforeAll
  static void startHelloServer() throws Exception {
    FileDescriptorSet.Builder set =
        FileDescriptorSet.parseFrom(Files.readAllBytes(Path.of(HELLO))).toBuilder();
    set.getFileBuilder(0).getMessageTypeBuilderList().stream()
        .filter(m -> m.getName().equals("HelloRequest")).findFirst().orElseThrow()
        .getFieldBuilder(0).setName("text").setJsonName("text");
    renamed = Files.write(dir.resolve("renamed.desc"), set.build().toByteArray());
    server = ProtogateServer.builder(SchemaLoader.load(List.of(Path.of(HELLO)))).port(0).build()
        .start();
    address = "127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    server.close();
  }

  @Test
  void everyExitCode_fromARealProcess_oneAgainstARunningServer() throws Exception {
    Result same = process("breaking", HELLO, "--against", HELLO);
    assertEquals(0, same.exit(), same.err());
    assertEquals("", same.out());
    assertEquals("no breaking changes (WIRE_JSON) against " + HELLO + "\n", same.err());

    // Against the running server, read through reflection: a drift check.
    Result breaking = process("breaking", renamed.toString(), "--against-server", address,
        "--plaintext");
    assertEquals(100, breaking.exit(), breaking.err());
    assertTrue(breaking.out().contains(RENAMED_FINDING + "\n"), breaking.out());
    assertEquals("2 breaking changes (WIRE_JSON) against " + address + "\n", breaking.err());

    Result usage = process("breaking", HELLO);
    assertEquals(2, usage.exit(), usage.err());
    assertTrue(usage.err().contains("--against"), usage.err());

    Result unreadable = process("breaking", HELLO, "--against", "descriptors/hello.proto");
    assertEquals(1, unreadable.exit(), unreadable.err());
    assertTrue(unreadable.err().startsWith("protogate: descriptors/hello.proto: not a descriptor"
        + " set"), unreadable.err());
    assertEquals(1, unreadable.err().lines().count(), unreadable.err());
  }

  @Test
  void againstServer_sameContract_isCompatible_reflectionAndHealthAreNotItsOwn() {
    Result result = run("breaking", HELLO, "--against-server", address, "--plaintext");

    assertEquals(0, result.exit(), result.out() + result.err());
    assertEquals("", result.out());
  }

  @Test
  void againstServer_methodGone_isBreakingUnderEitherRuleSet() throws Exception {
    FileDescriptorSet.Builder set =
        FileDescriptorSet.parseFrom(Files.readAllBytes(Path.of(HELLO))).toBuilder();
    set.getFileBuilder(0).clearService();
    Path noService = Files.write(dir.resolve("no-service.desc"), set.build().toByteArray());

    for (String rules : new String[] {"WIRE", "wire_json"}) {
      Result result = run("breaking", noService.toString(), "--against-server", address,
          "--plaintext", "--rules", rules);

      assertEquals(100, result.exit(), result.err());
      assertEquals("hello.proto: GrpcService: service removed; every caller of its methods now"
          + " gets UNIMPLEMENTED [SERVICE_NO_DELETE]\n", result.out());
    }
  }

  @Test
  void againstServer_nothingListening_exitsOneWithAdvice() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Result result = run("breaking", HELLO, "--against-server", "127.0.0.1:" + port,
        "--plaintext", "--connect-timeout", "2");

    assertEquals(1, result.exit(), result.err());
    assertTrue(result.err().contains("cannot reach 127.0.0.1:" + port), result.err());
  }

  @Test
  void formatJson_oneObjectPerFinding() {
    Result result = run("breaking", renamed.toString(), "--against", HELLO, "--format", "json");

    assertEquals(100, result.exit(), result.err());
    assertEquals("2 breaking changes (WIRE_JSON) against " + HELLO + "\n", result.err());
    List<String> lines = result.out().lines().toList();
    assertEquals(2, lines.size(), result.out());
    JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
    assertEquals("hello.proto", first.get("file").getAsString());
    assertEquals("FIELD_SAME_JSON_NAME", first.get("rule").getAsString());
    assertEquals("HelloRequest.data (field 1)", first.get("subject").getAsString());
    assertEquals("JSON name changed from \"data\" to \"text\"; JSON callers send \"data\"",
        first.get("message").getAsString());
  }

  @Test
  void rulesWire_ignoresARename() {
    Result result = run("breaking", renamed.toString(), "--against", HELLO, "--rules", "WIRE");

    assertEquals(0, result.exit(), result.err());
  }

  private static Result process(String... args) throws Exception {
    Process process = new ProcessBuilder(javaCommand(args)).start();
    try {
      byte[] out = process.getInputStream().readAllBytes();
      byte[] err = process.getErrorStream().readAllBytes();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "no exit within 60 s");
      // JDK 22+ warns on stderr that Netty loads a native library: the JVM's line, not ours.
      String ours = new String(err, StandardCharsets.UTF_8).lines()
          .filter(line -> !line.startsWith("WARNING: ") && !line.isEmpty())
          .map(line -> line + "\n").collect(Collectors.joining());
      return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8), ours);
    } finally {
      process.destroyForcibly();
    }
  }
}
