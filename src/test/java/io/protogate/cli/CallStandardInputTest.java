package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Fields;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.server.ProtogateServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code call} as a process, where standard input and the JVM's own start-up are real: a call
 * ends when the call ends, whatever standard input is doing, and --max-time is the call's time.
 */
class CallStandardInputTest {
  private static final Schema BUNDLED = SchemaLoader.fromSources(BundledDescriptors.sources());

  /** What a finished {@code call} process left. */
  record Ended(int exit, String out, String err) {}

  @Test
  void call_emptyStandardInput_sendsAClientStreamingCallWithNoMessages() throws Exception {
    try (ProtogateServer server = bundledServer()) {
      Ended ended = call(server, new byte[0], "protogate.demo.StreamingDemo/Sum", "-d", "@");

      assertEquals(0, ended.exit(), ended.err());
      // SumResult{total: 0, count: 0}: every field at its default, so JSON prints none.
      assertEquals("{\n}", ended.out().strip());
      assertTrue(ended.err().isEmpty(), ended.err());
    }
  }

  @Test
  void call_invalidUtf8OnStandardInput_isRefusedNamingTheByte_exitTwo() throws Exception {
    try (ProtogateServer server = bundledServer()) {
      byte[] input = "{\"data\": \"caf\u00e9 \"}".getBytes(StandardCharsets.UTF_8);
      input[input.length - 3] = (byte) 0xff; // the space after é, at byte 15
      Ended ended = call(server, input, "GrpcService/hello", "-d", "@");

      assertEquals(2, ended.exit(), ended.err());
      assertEquals("protogate: the input is not valid UTF-8 at byte 15 (counting from 0);"
          + " requests must be UTF-8", ended.err().strip());
      assertEquals("", ended.out());
    }
  }

  @Test
  void call_deadlinePassesWhileStandardInputStaysOpen_endsAtOnce_exitSixtyEight()
      throws Exception {
    try (ProtogateServer server = bundledServer()) {
      // A stream sends as it reads; a unary or server-streaming call reads its one request first.
      for (String method : List.of("protogate.demo.StreamingDemo/Echo", "GrpcService/hello",
          "protogate.demo.StreamingDemo/Countdown")) {
        Process process = start(server, method, "-d", "@", "--max-time", "1");
        try (OutputStream stdin = process.getOutputStream()) {
          // Nothing is ever sent, and standard input stays open: only the deadline can end it.
          assertTrue(process.waitFor(30, TimeUnit.SECONDS), method + ": still running 30 s"
              + " after a 1 s deadline");
          String err =
              new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
          assertEquals(64 + 4, process.exitValue(), method + ": " + err);
          assertTrue(err.contains("DEADLINE_EXCEEDED"), err);
        } finally {
          process.destroyForcibly();
        }
      }
    }
  }

  @Test
  void call_serverEndsTheCallWhileStandardInputStaysOpen_endsAtOnce() throws Exception {
    Handlers handlers = Handlers.builder()
        .bidiStreaming("protogate.demo.StreamingDemo/Echo", (call, responses) -> {
          throw io.grpc.Status.ABORTED.withDescription("not today").asRuntimeException();
        })
        .build();
    try (ProtogateServer server =
        ProtogateServer.builder(BUNDLED).port(0).handlers(handlers).build().start()) {
      Process process = start(server, "protogate.demo.StreamingDemo/Echo", "-d", "@");
      try (OutputStream stdin = process.getOutputStream()) {
        stdin.write("{\"text\": \"hi\"}\n".getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "still running 30 s after the server"
            + " ended the call");
        assertEquals(64 + 10, process.exitValue());
      } finally {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void call_maxTimeCountsFromTheCall_notFromJvmStartOrReadingTheContract() throws Exception {
    // The handler answers with how much of the deadline it was given: with --max-time 1 the
    // call gets nearly all of it, however long the JVM took to start and reflection to answer.
    Handlers handlers = Handlers.builder()
        .unary("GrpcService/hello", (request, call) -> Fields.set(call.newResponse(), "result",
            String.valueOf(call.deadline().map(d -> d.timeRemaining(TimeUnit.MILLISECONDS))
                .orElse(-1L))).build())
        .build();
    try (ProtogateServer server =
        ProtogateServer.builder(BUNDLED).port(0).handlers(handlers).build().start()) {
      Ended ended = call(server, new byte[0], "GrpcService/hello", "--max-time", "1");

      assertEquals(0, ended.exit(), ended.err());
      long remaining = Long.parseLong(ended.out().replaceAll("(?s).*\"result\": \"(-?\\d+)\".*",
          "$1"));
      assertTrue(remaining > 800 && remaining <= 1000, remaining + " ms left of 1000");
    }
  }

  private static ProtogateServer bundledServer() {
    return ProtogateServer.builder(BUNDLED)
        .port(0)
        .demoHandlers(BuiltinHandlers.demo())
        .build()
        .start();
  }

  private static Process start(ProtogateServer server, String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of("call", "--plaintext",
        "127.0.0.1:" + server.port()));
    command.addAll(List.of(args));
    return new ProcessBuilder(ServeCommandTest.javaCommand(command.toArray(String[]::new)))
        .start();
  }

  /** Runs {@code call} with {@code input} on standard input, closed after it; waits for the end. */
  private static Ended call(ProtogateServer server, byte[] input, String... args)
      throws Exception {
    Process process = start(server, args);
    try {
      try (OutputStream stdin = process.getOutputStream()) {
        stdin.write(input);
      }
      assertTrue(process.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS));
      return new Ended(process.exitValue(),
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
          new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      process.destroyForcibly();
    }
  }
}
