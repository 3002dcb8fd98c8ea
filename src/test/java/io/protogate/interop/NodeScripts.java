package io.protogate.interop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Node scripts in {@code src/test/node}, run with the packages {@code npm ci} installed there
 * ({@code .ci/run} does it): {@code @grpc/grpc-js} and {@code @grpc/reflection}, connect-node's
 * Connect and gRPC-Web clients. Implementations that share no code with ours, required as {@link
 * Interop} says.
 */
public final class NodeScripts {
  /** The directory of the Node scripts and their {@code node_modules}. */
  public static final Path DIR = Path.of("src/test/node").toAbsolutePath();
  private static final long TIMEOUT_SECONDS = 120;

  private NodeScripts() {}

  /**
   * Returns if Node and every one of {@code packages} can be used; otherwise skips the test, or
   * fails it in CI.
   */
  public static void assumeAvailable(String... packages) throws InterruptedException {
    Interop.requireOrSkip(problem(packages),
        "install Node.js and run: npm ci --no-audit --no-fund --prefix " + DIR,
        "Node interop tests");
  }

  private static String problem(String... packages) throws InterruptedException {
    for (String nodePackage : packages) {
      if (!Files.isDirectory(DIR.resolve("node_modules").resolve(nodePackage))) {
        return nodePackage + " is not installed in " + DIR;
      }
    }
    Process probe;
    try {
      probe = new ProcessBuilder("node", "--version")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      return "node cannot be run (" + e.getMessage() + ")";
    }
    if (!probe.waitFor(30, TimeUnit.SECONDS)) {
      probe.destroyForcibly().waitFor();
      return "node did not answer within 30 s";
    }
    return probe.exitValue() == 0 ? null : "node --version failed";
  }

  /** Runs {@code script} with {@code args}, {@code input} on its standard input; its lines. */
  public static List<String> run(String script, String input, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("node", DIR.resolve(script).toString()));
    command.addAll(List.of(args));
    Path log = Files.createTempFile("node-stderr", ".log");
    Process node = new ProcessBuilder(command)
        .directory(DIR.toFile())
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
