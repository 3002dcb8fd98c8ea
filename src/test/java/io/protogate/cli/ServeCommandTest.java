package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {
  private static final Pattern SERVING = Pattern.compile("serving (.*) on 127\\.0\\.0\\.1:(\\d+)");

  @Test
  void serve_bundledSets_logsOneLine_showsDemoCall_andExitsZeroOnSigterm() throws Exception {
    Process process = new ProcessBuilder(javaCommand("serve", "--port", "0", "--demo"))
        .redirectErrorStream(true)
        .start();
    try {
      BufferedReader output = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = output.readLine()) != null && !line.startsWith("Serving until")
          && !line.startsWith("--demo:")) {
        lines.add(line);
      }
      String all = String.join("\n", lines);
      Matcher serving = SERVING.matcher(all);
      assertTrue(serving.find(), all);
      assertEquals("GrpcService, protogate.demo.StreamingDemo", serving.group(1));
      assertTrue(all.contains("\"result\": \"xiao gangengineer this is gprc test service\""), all);

      process.destroy(); // SIGTERM

      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "no exit within 30 s of SIGTERM");
      assertEquals(0, process.exitValue());
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void serve_sighup_reloadsTheDescriptors(@TempDir Path dir) throws Exception {
    Path set = dir.resolve("contract.desc");
    Files.copy(Path.of("descriptors/hello.desc"), set);
    Process process = new ProcessBuilder(javaCommand("serve", "--port", "0", "--no-watch",
        "--descriptors", dir.toString()))
        .redirectErrorStream(true)
        .start();
    try {
      BufferedReader output = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String started = readUntil(output, "serving GrpcService on");
      assertTrue(started.contains("reloaded on SIGHUP"), started);

      Files.copy(Path.of("descriptors/demo.desc"), dir.resolve("demo.desc"));
      new ProcessBuilder("kill", "-HUP", String.valueOf(process.pid())).start().waitFor();

      String reloaded = readUntil(output, "now serving contract version");
      assertTrue(reloaded.contains("2 services"), reloaded);
    } finally {
      process.destroy();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    }
  }

  /** Reads lines until one contains {@code text}; returns it, or fails at end of output. */
  static String readUntil(BufferedReader output, String text) throws IOException {
    String line;
    while ((line = output.readLine()) != null) {
      if (line.contains(text)) {
        return line;
      }
    }
    throw new AssertionError("the server never printed '" + text + "'");
  }

  @Test
  void serve_notADescriptorSet_oneLineErrorNamingTheFile_exitOne(@TempDir Path dir)
      throws IOException {
    Path proto = Files.writeString(dir.resolve("hello.desc"), "syntax = \"proto3\";\n");
    StringWriter err = new StringWriter();

    int exit = run(err, "serve", "--port", "0", "--descriptors", proto.toString());

    assertEquals(1, exit);
    String message = err.toString().strip();
    assertTrue(message.startsWith("protogate: " + proto + ": not a descriptor set"), message);
    assertFalse(message.contains("\n") || message.contains("\tat "), message);
  }

  @Test
  void serve_missingPath_exitOne(@TempDir Path dir) {
    StringWriter err = new StringWriter();

    int exit = run(err, "serve", "--descriptors", dir.resolve("nope.desc").toString());

    assertEquals(1, exit);
    assertTrue(err.toString().contains("nope.desc: no such file or directory"), err.toString());
  }

  @Test
  void serve_portInUse_oneLineErrorNamingTheAddress_exitOne() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      StringWriter err = new StringWriter();

      int exit = run(err, "serve", "--port", String.valueOf(taken.getLocalPort()));

      assertEquals(1, exit);
      assertTrue(err.toString().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()),
          err.toString());
    }
  }

  @Test
  void serve_unknownOption_usageErrorExitTwo() {
    StringWriter err = new StringWriter();

    assertEquals(2, run(err, "serve", "--no-such-flag"));
    assertTrue(err.toString().contains("--no-such-flag"), err.toString());
  }

  @Test
  void helpAndVersion_exitZero() {
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine().setOut(new PrintWriter(out));

    assertEquals(0, cli.execute("serve", "--help"));
    assertTrue(out.toString().contains("--descriptors"), out.toString());
    assertEquals(0, cli.execute("--version"));
    assertTrue(out.toString().contains("protogate "), out.toString());
  }

  private static int run(StringWriter err, String... args) {
    return Main.commandLine().setErr(new PrintWriter(err)).execute(args);
  }

  /** The command that runs Protogate's main class in a new JVM with this test's class path. */
  static List<String> javaCommand(String... args) {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    command.addAll(List.of(args));
    return command;
  }
}
