package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.protogate.client.DynamicCalls;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.SchemaLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
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

  @Test
  void serve_sighupWithTheBundledContracts_saysSoAndKeepsServing() throws Exception {
    Process process = new ProcessBuilder(javaCommand("serve", "--port", "0"))
        .redirectErrorStream(true)
        .start();
    try {
      BufferedReader output = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      readUntil(output, "serving GrpcService");

      signal("HUP", process);

      assertTrue(readUntil(output, "SIGHUP").contains("nothing to reload"));
      assertTrue(process.isAlive());
      process.destroy();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
      assertEquals(0, process.exitValue());
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void serve_limitFlags_reachTheHttp2Settings() throws Exception {
    Process process = new ProcessBuilder(javaCommand("serve", "--port", "0",
        "--max-concurrent-calls-per-connection", "7", "--max-header-list-size", "4096"))
        .redirectErrorStream(true)
        .start();
    try {
      BufferedReader output = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Matcher serving = SERVING.matcher(readUntil(output, "serving GrpcService"));
      assertTrue(serving.find());
      try (java.net.Socket socket =
          new java.net.Socket("127.0.0.1", Integer.parseInt(serving.group(2)))) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // SETTINGS
        // The server's first frame is its SETTINGS: 6-byte entries of id and value.
        java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
        int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
        assertEquals(4, in.readUnsignedByte(), "frame type");
        in.skipBytes(5);
        java.util.Map<Integer, Long> settings = new java.util.HashMap<>();
        for (int at = 0; at < length; at += 6) {
          settings.put(in.readUnsignedShort(), in.readInt() & 0xFFFFFFFFL);
        }

        assertEquals(7L, settings.get(0x3), "SETTINGS_MAX_CONCURRENT_STREAMS: " + settings);
        // Our own check refuses lists over the limit on their stream; the HTTP/2 layer's is
        // set above it (ServerLimits.DECODED_HEADER_LIST_FACTOR).
        assertEquals(4L * 4096, settings.get(0x6), "SETTINGS_MAX_HEADER_LIST_SIZE: " + settings);
      }
    } finally {
      process.destroy();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void serve_secondSigint_stopsAtOnce_cancellingCallsInFlight() throws Exception {
    Process process = new ProcessBuilder(javaCommand("serve", "--port", "0",
        "--shutdown-grace", "120"))
        .redirectErrorStream(true)
        .start();
    ManagedChannel channel = null;
    try {
      BufferedReader output = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      Matcher serving = SERVING.matcher(readUntil(output, "serving GrpcService"));
      assertTrue(serving.find());
      channel = NettyChannelBuilder
          .forAddress("127.0.0.1", Integer.parseInt(serving.group(2))).usePlaintext().build();
      LinkedBlockingQueue<Status> ended = new LinkedBlockingQueue<>();
      Descriptors.MethodDescriptor echoMethod =
          SchemaLoader.fromSources(BundledDescriptors.sources())
              .findMethod("protogate.demo.StreamingDemo/Echo").orElseThrow();
      var echo = DynamicCalls.methodDescriptor(echoMethod);
      var call = channel.newCall(echo, CallOptions.DEFAULT);
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onClose(Status status, Metadata trailers) {
          ended.add(status);
        }
      }, new Metadata());
      call.request(1);
      // A call in flight that never ends by itself: the graceful stop would wait for it.
      call.sendMessage(
          DynamicMessage.getDefaultInstance(echoMethod.getInputType()));
      signal("INT", process);
      readUntil(output, "stopping");

      signal("INT", process);

      assertTrue(process.waitFor(20, TimeUnit.SECONDS), "a second Ctrl-C did not stop it");
      assertEquals(ServeCommand.FORCED_STOP, process.exitValue());
      assertFalse(ended.poll(10, TimeUnit.SECONDS).isOk());
    } finally {
      process.destroyForcibly();
      if (channel != null) {
        channel.shutdownNow();
      }
    }
  }

  private static void signal(String name, Process process) throws Exception {
    new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start().waitFor();
  }

  @Test
  void serve_releaseLinkRePointedAgainAndAgain_followsEveryRelease_alsoAfterSighup(
      @TempDir Path dir) throws Exception {
    // Releases alternate between one contract (hello) and two (hello and demo), so each
    // re-pointing is a swap that the log line's service count tells apart.
    Path current = Files.createSymbolicLink(dir.resolve("current"), release(dir, 0));
    Process process = new ProcessBuilder(javaCommand("serve", "--port", "0",
        "--reload-settle", "100", "--reload-max-delay", "1000", "--descriptors",
        current.toString()))
        .redirectErrorStream(true)
        .start();
    try (AutoCloseable watchdog = stopAfter(process, 60)) {
      BufferedReader output = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      readUntil(output, "serving GrpcService on");

      rePoint(current, release(dir, 1));
      assertTrue(readUntil(output, "now serving").contains(": 2 services"));
      rePoint(current, release(dir, 2));
      assertTrue(readUntil(output, "now serving").contains(": 1 service "));
      rePoint(current, release(dir, 3));
      new ProcessBuilder("kill", "-HUP", String.valueOf(process.pid())).start().waitFor();
      assertTrue(readUntil(output, "now serving").contains(": 2 services"));
      rePoint(current, release(dir, 4));
      assertTrue(readUntil(output, "now serving").contains(": 1 service "),
          "a re-pointing after SIGHUP was not noticed");
      // Only a watch that moved to release 4 sees a change made inside it.
      Files.copy(Path.of("descriptors/demo.desc"), dir.resolve("releases/4/demo.desc"));
      assertTrue(readUntil(output, "now serving").contains(": 2 services"),
          "a change inside the current release was not noticed");
    } finally {
      process.destroy();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    }
  }

  /** releases/N holding hello.desc, and demo.desc too when N is odd; the link target to it. */
  private static Path release(Path dir, int n) throws IOException {
    Path release = Files.createDirectories(dir.resolve("releases/" + n));
    Files.copy(Path.of("descriptors/hello.desc"), release.resolve("hello.desc"));
    if (n % 2 == 1) {
      Files.copy(Path.of("descriptors/demo.desc"), release.resolve("demo.desc"));
    }
    return Path.of("releases/" + n);
  }

  /** Re-points {@code link} at {@code target} in one step, as deploy tools do. */
  private static void rePoint(Path link, Path target) throws IOException {
    Path next = Files.createSymbolicLink(link.resolveSibling(link.getFileName() + ".next"),
        target);
    Files.move(next, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Kills {@code process} if it still runs after {@code seconds}, so no read blocks forever. */
  private static AutoCloseable stopAfter(Process process, int seconds) {
    Thread watchdog = new Thread(() -> {
      try {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        // The test ended first.
      }
    });
    watchdog.setDaemon(true);
    watchdog.start();
    return watchdog::interrupt;
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
  void serve_fifo_oneLineErrorNamingTheFile_exitOne_withoutWaitingForAWriter(@TempDir Path dir)
      throws Exception {
    Path fifo = dir.resolve("contract.desc");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    Process process = new ProcessBuilder(javaCommand("serve", "--port", "0", "--descriptors",
        fifo.toString())).start();
    try {
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "start-up hangs on a FIFO");
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(1, process.exitValue(), err);
      assertOneLine(err, "protogate: " + fifo + ": not a regular file");
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void serve_importChainThousandsDeep_serves(@TempDir Path dir) throws Exception {
    // 3,000 files, each importing the one before: linking them once overflowed main's stack.
    FileDescriptorSet.Builder chain = FileDescriptorSet.newBuilder();
    int depth = 3_000;
    for (int i = 0; i < depth; i++) {
      FileDescriptorProto.Builder file = FileDescriptorProto.newBuilder()
          .setName("f" + i + ".proto").setPackage("deep").setSyntax("proto3")
          .addMessageType(DescriptorProto.newBuilder().setName("M" + i));
      if (i > 0) {
        file.addDependency("f" + (i - 1) + ".proto");
        file.getMessageTypeBuilder(0).addField(FieldDescriptorProto.newBuilder()
            .setName("m").setNumber(1).setType(FieldDescriptorProto.Type.TYPE_MESSAGE)
            .setTypeName(".deep.M" + (i - 1)));
      }
      if (i == depth - 1) {
        file.addService(ServiceDescriptorProto.newBuilder().setName("Deep")
            .addMethod(MethodDescriptorProto.newBuilder().setName("Get")
                .setInputType(".deep.M" + i).setOutputType(".deep.M" + i)));
      }
      chain.addFile(0, file); // the deepest importer first: linking descends the whole chain
    }
    Path set = Files.write(dir.resolve("deep.desc"), chain.build().toByteArray());
    Process process = new ProcessBuilder(javaCommand("serve", "--port", "0", "--descriptors",
        set.toString()))
        .redirectErrorStream(true)
        .start();
    try (AutoCloseable watchdog = stopAfter(process, 60)) {
      BufferedReader output = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      readUntil(output, "serving deep.Deep on");
    } finally {
      process.destroy();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void serve_deviceUnknownSyntaxOrHugeFile_oneLineErrorNamingTheFile_exitOne(@TempDir Path dir)
      throws IOException {
    Path proto4 = Files.write(dir.resolve("proto4.desc"), FileDescriptorSet.newBuilder()
        .addFile(FileDescriptorProto.newBuilder().setName("p.proto").setSyntax("proto4"))
        .build().toByteArray());
    Path huge = dir.resolve("huge.desc");
    try (java.io.RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(1L << 30); // sparse
    }
    for (String[] bad : new String[][] {
        {"/dev/zero", "not a regular file"},
        {proto4.toString(), "file 'p.proto' declares syntax 'proto4'"},
        {huge.toString(), (1L << 30) + " bytes, more than the 64 MiB"}}) {
      StringWriter err = new StringWriter();

      int exit = run(err, "serve", "--port", "0", "--descriptors", bad[0]);

      assertEquals(1, exit, err.toString());
      assertOneLine(err.toString(), "protogate: " + bad[0] + ": " + bad[1]);
    }
  }

  @Test
  void serve_reloadMaxDelayBelowSettle_usageErrorExitTwo() {
    StringWriter err = new StringWriter();

    assertEquals(2, run(err, "serve", "--reload-settle", "500", "--reload-max-delay", "100"));
    assertTrue(err.toString().contains("--reload-max-delay"), err.toString());
  }

  private static void assertOneLine(String err, String start) {
    String message = err.strip();
    assertTrue(message.startsWith(start), message);
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
  void serve_stepAfterStartUpFails_grpcPortReleased() throws Exception {
    int grpcPort;
    try (java.net.ServerSocket probe =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      grpcPort = probe.getLocalPort();
    }
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      StringWriter err = new StringWriter();

      // The gRPC port is bound first; the HTTP port, bound after it, is taken.
      int exit = run(err, "serve", "--port", String.valueOf(grpcPort), "--http-port",
          String.valueOf(taken.getLocalPort()));

      assertEquals(1, exit, err.toString());
      assertTrue(err.toString().contains(String.valueOf(taken.getLocalPort())), err.toString());
    }
    // Nothing of the half-started server still holds the gRPC port.
    try (java.net.ServerSocket again =
        new java.net.ServerSocket(grpcPort, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertEquals(grpcPort, again.getLocalPort());
    }
  }

  @Test
  void serve_upstreamThatIsNotHostPort_refusedAtStart_exitTwo() {
    StringWriter err = new StringWriter();

    // Not refused, it used to serve and leave every routed call hanging.
    assertEquals(2, run(err, "serve", "--port", "0", "--upstream", "GrpcService=127.0.0.1:99999"));
    assertTrue(err.toString().startsWith("protogate: --upstream: '127.0.0.1:99999' is not"
        + " host:port"), err.toString());
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

  @Test
  void serve_outOfRangeNumbers_usageErrorExitTwo() {
    for (String[] flag : new String[][] {{"--port", "70000"}, {"--port", "-1"},
        {"--http-port", "70000"}, {"--admin-port", "-1"}, {"--shutdown-grace", "-1"},
        {"--drain-delay", "-1"}, {"--max-msg-sz", "0"}, {"--max-msg-sz", "-5"},
        {"--max-concurrent-calls-per-connection", "0"}, {"--max-pending-bytes", "-5"},
        {"--max-pending-bytes-per-connection", "-1"}, {"--max-resets", "0"},
        {"--reset-window", "0"}, {"--max-connection-idle", "-1"}, {"--max-connection-age", "-1"},
        {"--max-connection-age-grace", "-1"}, {"--keepalive-time", "0"},
        {"--keepalive-timeout", "0"}, {"--permit-keepalive-time", "-1"},
        {"--max-header-list-size", "0"}}) {
      StringWriter err = new StringWriter();

      assertEquals(2, run(err, "serve", flag[0], flag[1]), String.join(" ", flag));
      assertTrue(err.toString().startsWith("protogate: " + flag[0] + " " + flag[1] + ": "),
          err.toString());
    }
  }

  @Test
  void serve_hostThatDoesNotResolve_namesIt_exitTwo() {
    StringWriter err = new StringWriter();

    assertEquals(2, run(err, "serve", "--port", "0", "--host", "no-such-host.invalid"));
    assertTrue(err.toString().startsWith("protogate: --host no-such-host.invalid: cannot resolve"),
        err.toString());
  }

  @Test
  void serve_hostNotOfThisMachine_saysSo_notToPickAnotherPort() {
    StringWriter err = new StringWriter();

    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of a real machine.
    assertEquals(1, run(err, "serve", "--port", "0", "--host", "192.0.2.1"));
    assertTrue(err.toString().contains("not an address of this machine"), err.toString());
    assertFalse(err.toString().contains("port"), err.toString());
  }

  private static int run(StringWriter err, String... args) {
    return Main.commandLine().setErr(new PrintWriter(err)).execute(args);
  }

  /** The command that runs Protogate's main class in a new JVM with this test's class path. */
  static List<String> javaCommand(String... args) {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java")));
    if (Runtime.version().feature() >= 22) {
      // What the jar's manifest says (Enable-Native-Access): without it JDK 22+ warns on
      // standard error when Netty loads its native transport, and a test reads standard error.
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    return command;
  }
}
