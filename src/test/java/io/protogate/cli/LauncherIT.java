package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code protogate} launcher the build puts beside the jar (run after {@code package}, by
 * failsafe): a gateway it started keeps serving when the jar beside it is rewritten, as {@code
 * ./mvnw verify} rewrites {@code target/protogate.jar}.
 */
class LauncherIT {
  private static final Pattern SERVING = Pattern.compile("serving .* on 127\\.0\\.0\\.1:(\\d+)");

  @Test
  void gatewayStartedByTheLauncher_keepsServingWhenTheJarIsRewritten(@TempDir Path dir)
      throws Exception {
    Path bin = Files.createDirectories(dir.resolve("target"));
    Path launcher = bin.resolve("protogate");
    Path jar = bin.resolve("protogate.jar");
    Files.copy(Path.of("target/protogate"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(Path.of("target/protogate.jar"), jar);
    ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "serve", "--port", "0")
        .redirectErrorStream(true);
    builder.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    builder.environment().remove("PROTOGATE_CACHE");
    Process gateway = builder.start();
    try {
      BufferedReader output = new BufferedReader(
          new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
      String port = null;
      while (port == null) {
        String line = output.readLine();
        if (line == null) {
          break;
        }
        Matcher serving = SERVING.matcher(line);
        port = serving.find() ? serving.group(1) : null;
      }
      assertTrue(port != null, "the gateway never said it was serving");
      String command = String.join(" ", gateway.info().arguments().orElseThrow());
      assertTrue(command.contains(dir.resolve("cache/protogate/protogate-").toString()),
          "the JVM does not run from the cache: " + command);

      // A rebuild rewrites the jar in place: here, with something else entirely.
      Files.writeString(jar, "rebuilt", StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING);

      // Calls that need classes the gateway has not loaded yet: a streaming call, reflection.
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
          .execute("call", "--plaintext", "127.0.0.1:" + port,
              "protogate.demo.StreamingDemo/Countdown", "-d", "{\"from\": 2}");
      assertEquals(0, exit, err.toString());
      assertEquals(2, out.toString().split("\"remaining\"", -1).length - 1, out.toString());
      exit = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
          .execute("describe", "--plaintext", "127.0.0.1:" + port, "protogate.demo.Tick");
      assertEquals(0, exit, err.toString());

      gateway.destroy();
      assertTrue(gateway.waitFor(30, TimeUnit.SECONDS));
      assertEquals(0, gateway.exitValue());
    } finally {
      gateway.destroyForcibly();
    }
  }
}
