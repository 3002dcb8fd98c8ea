package io.protogate.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Node scripts in {@code src/test/node}, run with the packages {@code npm ci} installed there
 * (connect-node and friends: implementations of the protocols that share no code with ours).
 * Tests skip where they are not installed, except under {@code PROTOGATE_REQUIRE_INTEROP=1} (CI).
 */
public final class NodeScripts {
  public static final Path DIRECTORY = Path.of("src/test/node").toAbsolutePath();
  private static final long TIMEOUT_SECONDS = 120;

  private NodeScripts() {}

  /** Returns if {@code nodePackage} is installed; otherwise skips the test, or fails it in CI. */
  public static void assumeInstalled(String nodePackage) {
    if (Files.isDirectory(DIRECTORY.resolve("node_modules").resolve(nodePackage))) {
      return;
    }
    String problem = "the npm package " + nodePackage + " is not installed in " + DIRECTORY;
    if ("1".equals(System.getenv("PROTOGATE_REQUIRE_INTEROP"))) {
      fail("PROTOGATE_REQUIRE_INTEROP=1 but " + problem + "; run: npm ci --prefix " + DIRECTORY);
    }
    Assumptions.abort(problem + "; skipping (npm ci --prefix src/test/node installs it)");
  }

  /** Runs {@code script} with {@code args}, {@code input} on its standard input; its lines. */
  public static List<String> run(String script, String input, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", DIRECTORY.resolve(script).toString()));
    command.addAll(List.of(args));
    Path log = Files.createTempFile("node-stderr", ".log");
    Process node = new ProcessBuilder(command)
        .directory(DIRECTORY.toFile())
        .redirectError(log.toFile())
        .start();
    try {
      node.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
      node.getOutputStream().close();
      String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(node.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), script + " did not finish");
      assertTrue(node.exitValue() == 0,
          script + " failed (exit " + node.exitValue() + "): " + Files.readString(log));
      return out.lines().toList();
    } finally {
      node.destroyForcibly().waitFor();
      Files.deleteIfExists(log);
    }
  }
}
