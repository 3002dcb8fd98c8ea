package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.protogate.cli.ClientCommandsTest.Result;
import io.protogate.interop.PythonGrpc;
import io.protogate.interop.PythonServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Record and replay in real processes: {@code serve --upstream --record} in front of the seed's
 * Python server (grpcio), called by the seed's Python client and by {@code call}; then, with the
 * Python server stopped, {@code serve --stubs} on the recorded directory gives the same client
 * the same answers.
 */
class ServeRecordTest {
  private static final Pattern PORT = Pattern.compile(" on 127\\.0\\.0\\.1:(\\d+) ");
  /** The Python client's checks replayed: every call shape, an error, a header that matters. */
  private static final List<String> CHECKS = List.of("hello", "countdown", "sum", "echo",
      "upstream-error", "upstream-metadata");

  @TempDir Path dir;

  @Test
  void recordedFromThePythonServer_replayedWithItStopped_sameAnswers() throws Exception {
    PythonGrpc.assumeAvailable();
    Path stubs = dir.resolve("recorded");
    List<Result> recorded = new ArrayList<>();
    try (PythonServer python = PythonServer.start()) {
      Process serve = start("serve", "--port", "0", "--upstream", "*=" + python.address(),
          "--record", stubs.toString(), "--record-header", "x-tenant");
      try {
        String started = readUntil(serve, "serving ");
        assertTrue(started.contains(", recording upstream calls as stubs in " + stubs), started);
        String gateway = "127.0.0.1:" + port(started);
        pythonClient(port(started));
        for (String data : List.of("a", "a", "b")) {
          recorded.add(hello(gateway, data));
        }
        recorded.add(ClientCommandsTest.run("call", "--plaintext", "-H",
            "authorization: Bearer s3cr3t-value", gateway, "GrpcService/hello", "-d",
            "{\"data\": \"c\"}"));
      } finally {
        // A graceful stop writes every recorded call before the process exits.
        serve.destroy();
        assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
      }
      assertEquals(0, serve.exitValue());
    }
    for (Result result : recorded) {
      assertEquals(0, result.exit(), result.err());
    }
    assertTrue(recorded.get(0).out().contains("\"a this is gprc test service\""),
        recorded.get(0).out());

    // One file per distinct call: the client's six checks, then "a" (twice), "b" and "c".
    List<Path> files;
    try (Stream<Path> list = Files.list(stubs)) {
      files = list.sorted().toList();
    }
    assertEquals(9, files.size(), files::toString);
    StringBuilder all = new StringBuilder();
    for (Path file : files) {
      all.append(Files.readString(file, StandardCharsets.UTF_8));
    }
    String text = all.toString();
    assertFalse(text.contains("s3cr3t") || text.contains("authorization"), text);
    assertTrue(text.contains("\"error\": \"no such thing\",\n    \"code\": 5"), text);
    assertTrue(text.contains("\"equals\": {\n      \"x-tenant\": \"acme\""), text);
    assertTrue(text.contains("\"remaining\": 1,\n        \"at\": \""), text);

    // The Python server is gone: the recorded directory alone answers the same calls.
    Process replay = start("serve", "--port", "0", "--stubs", stubs.toString());
    try {
      String started = readUntil(replay, "serving ");
      assertTrue(started.contains("9 stubs from " + stubs), started);
      String gateway = "127.0.0.1:" + port(started);
      pythonClient(port(started));
      assertEquals(recorded.get(0).out(), hello(gateway, "a").out());
      assertEquals(recorded.get(2).out(), hello(gateway, "b").out());
    } finally {
      replay.destroy();
      assertTrue(replay.waitFor(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void recordWithoutUpstream_exitTwo() {
    StringWriter err = new StringWriter();

    int exit = Main.commandLine().setErr(new PrintWriter(err))
        .execute("serve", "--port", "0", "--record", dir.toString());

    assertEquals(2, exit);
    assertTrue(err.toString().contains("records the calls forwarded to upstreams, and there is"
        + " no route: add --upstream PATTERN=TARGET"), err.toString());
  }

  @Test
  void configFileKeys_recordRelativeToTheFile() throws Exception {
    Path config = Files.writeString(dir.resolve("protogate.yaml"), "port: 0\nrecord: rec\n"
        + "record_headers: [x-tenant]\n"
        + "upstreams:\n  - {match: GrpcService, target: 127.0.0.1:1}\n");
    Process serve = start("serve", "--config", config.toString());
    try {
      String started = readUntil(serve, "serving ");
      assertTrue(started.contains(", recording upstream calls as stubs in " + dir.resolve("rec")),
          started);
      assertTrue(Files.isDirectory(dir.resolve("rec")));
    } finally {
      serve.destroy();
      assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void recordHeaderThatCannotBeRecorded_exitTwo() {
    StringWriter err = new StringWriter();

    int exit = Main.commandLine().setErr(new PrintWriter(err)).execute("serve", "--port", "0",
        "--upstream", "*=127.0.0.1:1", "--record", dir.toString(), "--record-header", "grpc-x");

    assertEquals(2, exit);
    assertTrue(err.toString().contains("--record-header: header \"grpc-x\" cannot be recorded"),
        err.toString());
  }

  private static Result hello(String gateway, String data) {
    return ClientCommandsTest.run("call", "--plaintext", gateway, "GrpcService/hello", "-d",
        "{\"data\": \"" + data + "\"}");
  }

  private static Process start(String... args) throws IOException {
    return new ProcessBuilder(ServeCommandTest.javaCommand(args)).redirectErrorStream(true)
        .start();
  }

  /** Runs the seed's Python client's {@link #CHECKS} against the port; each must pass. */
  private void pythonClient(int port) throws Exception {
    Process client = new ProcessBuilder(PythonGrpc.PYTHON, "src/test/python/interop_client.py",
        "--port", Integer.toString(port), "--protos", "descriptors",
        "--checks", String.join(",", CHECKS))
        .redirectErrorStream(true).start();
    boolean exited = client.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      client.destroyForcibly().waitFor();
    }
    String report = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(exited, () -> "the Python client was killed after 60 s:\n" + report);
    for (String check : CHECKS) {
      assertTrue(report.contains("ok " + check + "\n"), report);
    }
    assertEquals(0, client.exitValue(), report);
  }

  private static int port(String line) {
    Matcher port = PORT.matcher(line);
    assertTrue(port.find(), line);
    return Integer.parseInt(port.group(1));
  }

  /** Reads the server's output up to the line holding {@code text}; the rest is drained. */
  private static String readUntil(Process process, String text) throws IOException {
    BufferedReader output = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = output.readLine()) != null) {
      if (line.contains(text)) {
        Thread drain = new Thread(() -> {
          try {
            output.transferTo(java.io.Writer.nullWriter());
          } catch (IOException e) {
            // The process ended.
          }
        }, "serve-output");
        drain.setDaemon(true);
        drain.start();
        return line;
      }
    }
    throw new AssertionError("the server never printed '" + text + "'");
  }
}
