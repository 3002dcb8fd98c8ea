package io.protogate.interop;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Python with grpcio, the independent gRPC implementation the interop tests talk to.
 * Tests skip where it is missing, except under {@code PROTOGATE_REQUIRE_INTEROP=1} (CI), where
 * losing that coverage quietly would be worse than failing.
 */
public final class PythonGrpc {
  /** Debian's interpreter: the one python3-grpcio installs into, whatever else is on the PATH. */
  public static final String PYTHON = "/usr/bin/python3";

  private static final long PROBE_SECONDS = 60;

  private PythonGrpc() {}

  /** Returns if Python's grpc can be used; otherwise skips the test, or fails it in CI. */
  public static void assumeAvailable() throws InterruptedException {
    Interop.requireOrSkip(problem(),
        "install the Debian packages python3-grpcio python3-grpc-tools",
        "Python interop tests");
  }

  private static String problem() throws InterruptedException {
    Process probe;
    try {
      probe = new ProcessBuilder(PYTHON, "-c", "import grpc, grpc_tools")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      return PYTHON + " cannot be run (" + e.getMessage() + ")";
    }
    if (!probe.waitFor(PROBE_SECONDS, TimeUnit.SECONDS)) {
      probe.destroyForcibly().waitFor();
      return PYTHON + " did not answer within " + PROBE_SECONDS + " s";
    }
    return probe.exitValue() == 0 ? null : PYTHON + " cannot import grpc and grpc_tools";
  }
}
