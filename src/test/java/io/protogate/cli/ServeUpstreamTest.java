package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --upstream} and {@code serve --config} in a real process, with the seed's Python
 * server as the upstream: the file routes, the flags win over it, and a change to the file moves
 * the routes while serving.
 */
class ServeUpstreamTest {
  private static final Pattern PORT = Pattern.compile(" on 127\\.0\\.0\\.1:(\\d+) ");
  private static final String HELLO = "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"engineer\"}}";

  @TempDir Path dir;

  @Test
  void configFile_routesToThePythonServer_andItsChangeMovesTheRoute() throws Exception {
    PythonGrpc.assumeAvailable();
    try (PythonServer python = PythonServer.start()) {
      Path config = dir.resolve("protogate.yaml");
      Files.writeString(config, "port: 0\nupstreams:\n  - match: GrpcService\n    target: "
          + python.address() + "\n");
      Process serve = new ProcessBuilder(ServeCommandTest.javaCommand("serve", "--config",
          config.toString())).redirectErrorStream(true).start();
      try {
        BufferedReader output = new BufferedReader(
            new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        String started = readUntil(output, "serving GrpcService");
        assertTrue(started.contains("routing GrpcService to " + python.address()), started);
        String gateway = "127.0.0.1:" + port(started);

        Result routed = hello(gateway);
        Files.writeString(config, "port: 0\n");
        readUntil(output, "now serving contract version");
        Result demo = hello(gateway);

        assertEquals(0, routed.exit(), routed.err());
        assertTrue(routed.out().contains("acme:xiao gangengineer"), routed.out());
        assertEquals(0, demo.exit(), demo.err());
        assertTrue(demo.out().contains("\"xiao gangengineer this is gprc test service\""),
            demo.out());
      } finally {
        serve.destroy();
        assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void flags_winOverTheFile() throws Exception {
    PythonGrpc.assumeAvailable();
    try (PythonServer python = PythonServer.start()) {
      Path config = dir.resolve("protogate.json");
      Files.writeString(config, "{\"port\": 1, \"upstreams\": [{\"match\": \"GrpcService\","
          + " \"target\": \"127.0.0.1:1\"}]}");
      Process serve = new ProcessBuilder(ServeCommandTest.javaCommand("serve", "--config",
          config.toString(), "--port", "0", "--upstream", "GrpcService=" + python.address()))
          .redirectErrorStream(true).start();
      try {
        BufferedReader output = new BufferedReader(
            new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        String started = readUntil(output, "serving GrpcService");

        Result routed = hello("127.0.0.1:" + port(started));

        assertEquals(0, routed.exit(), routed.err());
        assertTrue(routed.out().contains("acme:xiao gangengineer"), routed.out());
      } finally {
        serve.destroy();
        assertTrue(serve.waitFor(30, TimeUnit.SECONDS));
      }
    }
  }

  @Test
  void badConfigFile_oneLineNamingFileLineAndKey_exitTwo() throws Exception {
    Path config = Files.writeString(dir.resolve("protogate.yaml"), "port: 0\nupstream: []\n");
    StringWriter err = new StringWriter();

    int exit = Main.commandLine().setErr(new PrintWriter(err))
        .execute("serve", "--config", config.toString());

    assertEquals(2, exit);
    assertTrue(err.toString().startsWith("protogate: " + config + ":2: upstream: unknown key;"
        + " did you mean 'upstreams'?"), err.toString());
  }

  @Test
  void badUpstreamFlag_exitTwo() {
    StringWriter err = new StringWriter();

    int exit = Main.commandLine().setErr(new PrintWriter(err))
        .execute("serve", "--upstream", "GrpcService");

    assertEquals(2, exit);
    assertTrue(err.toString().contains("--upstream: 'GrpcService' is not PATTERN=TARGET"),
        err.toString());
  }

  private static Result hello(String gateway) {
    return ClientCommandsTest.run("call", "--plaintext", "-H", "x-tenant: acme", gateway,
        "GrpcService/hello", "-d", HELLO);
  }

  private static int port(String line) {
    Matcher port = PORT.matcher(line);
    assertTrue(port.find(), line);
    return Integer.parseInt(port.group(1));
  }

  private static String readUntil(BufferedReader output, String text) throws IOException {
    String line;
    while ((line = output.readLine()) != null) {
      if (line.contains(text)) {
        return line;
      }
    }
    throw new AssertionError("the server never printed '" + text + "'");
  }
}
