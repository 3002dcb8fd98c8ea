package io.protogate.cli;

import static io.protogate.cli.ClientCommandsTest.run;
import static io.protogate.cli.ServeCommandTest.javaCommand;
import static io.protogate.cli.ServeCommandTest.readUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import io.protogate.cli.ClientCommandsTest.Result;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --breaking}: what a running server does when its descriptor files change. */
class ServeBreakingTest {
  private static final Pattern STARTED =
      Pattern.compile("on 127\\.0\\.0\\.1:(\\d+) .*contract version (\\w+)");
  private static final String HELLO =
      "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"engineer\"}}";

  @Test
  void reject_fileSwappedForABreakingContract_keepsServingAndLogsEachChange(@TempDir Path dir)
      throws Exception {
    Path set = dir.resolve("hello.desc");
    Files.copy(Path.of("descriptors/hello.desc"), set);
    Process process = new ProcessBuilder(javaCommand("serve", "--port", "0", "--no-watch",
        "--breaking=reject", "--descriptors", dir.toString()))
        .redirectErrorStream(true)
        .start();
    try {
      BufferedReader output = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Matcher started = STARTED.matcher(readUntil(output, "serving GrpcService on"));
      assertTrue(started.find());
      String address = "127.0.0.1:" + started.group(1);

      FileDescriptorSet.Builder renamed =
          FileDescriptorSet.parseFrom(Files.readAllBytes(set)).toBuilder();
      renamed.getFileBuilder(0).getMessageTypeBuilderList().stream()
          .filter(m -> m.getName().equals("HelloRequest")).findFirst().orElseThrow()
          .getFieldBuilder(0).setName("text").setJsonName("text");
      Files.write(set, renamed.build().toByteArray());
      new ProcessBuilder("kill", "-HUP", String.valueOf(process.pid())).start().waitFor();

      String finding = readUntil(output, "breaking change: ");
      assertTrue(finding.endsWith("breaking change: hello.proto: HelloRequest.data (field 1):"
          + " JSON name changed from \"data\" to \"text\"; JSON callers send \"data\""
          + " [FIELD_SAME_JSON_NAME]"), finding);
      String refused = readUntil(output, "reload rejected");
      assertTrue(refused.contains("still serving contract version " + started.group(2)
          + ": 2 breaking changes (--breaking=reject)"), refused);
      Result call = run("call", "--plaintext", address, "GrpcService/hello", "-d", HELLO);
      assertEquals(0, call.exit(), call.err());
      assertTrue(call.out().contains("xiao gangengineer this is gprc test service"), call.out());
    } finally {
      process.destroy();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void rejectBreakingContradictingBreaking_isAUsageError() {
    Result result = run("serve", "--port", "0", "--reject-breaking", "--breaking=warn",
        "--descriptors", "descriptors/hello.desc");

    assertEquals(2, result.exit(), result.err());
    assertEquals("protogate: --reject-breaking contradicts --breaking=warn: give one of them\n",
        result.err());
  }

  @Test
  void breakingUnknownMode_isAUsageError() {
    Result result = run("serve", "--breaking=sometimes");

    assertEquals(2, result.exit(), result.err());
    assertTrue(result.err().contains("--breaking"), result.err());
  }
}
