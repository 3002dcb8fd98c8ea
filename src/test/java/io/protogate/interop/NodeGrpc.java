package io.protogate.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Node.js with {@code @grpc/grpc-js}, {@code @grpc/reflection} and {@code @grpc/proto-loader}
 * installed in {@code src/test/node} ({@code npm ci} there; {@code .ci/run} does it): another
 * independent gRPC implementation, required as {@link Interop} says.
 */
public final class NodeGrpc {
  /** The directory of the Node scripts and their {@code node_modules}. */
  public static final Path DIR = Path.of("src/test/node");

  private NodeGrpc() {}

  /** Returns if Node and the packages can be used; otherwise skips the test, or fails it in CI. */
  public static void assumeAvailable() throws InterruptedException {
    Interop.requireOrSkip(problem(),
        "install Node.js and run: npm ci --no-audit --no-fund --prefix " + DIR,
        "Node interop tests");
  }

  private static String problem() throws InterruptedException {
    for (String module : new String[] {"grpc-js", "reflection", "proto-loader"}) {
      if (!Files.isDirectory(DIR.resolve("node_modules/@grpc/" + module))) {
        return "@grpc/" + module + " is not installed in " + DIR;
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
}
