package io.protogate.interop;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for tests that need another gRPC implementation: skip where it is missing, except
 * under {@code PROTOGATE_REQUIRE_INTEROP=1} (CI), where losing that coverage quietly would be
 * worse than failing.
 */
final class Interop {
  private Interop() {}

  /** Returns if {@code problem} is null; otherwise skips the test, or fails it in CI. */
  static void requireOrSkip(String problem, String fix, String tests) {
    if (problem == null) {
      return;
    }
    if ("1".equals(System.getenv("PROTOGATE_REQUIRE_INTEROP"))) {
      fail("PROTOGATE_REQUIRE_INTEROP=1 but " + problem + "; " + fix);
    }
    Assumptions.abort(problem + "; skipping the " + tests);
  }
}
