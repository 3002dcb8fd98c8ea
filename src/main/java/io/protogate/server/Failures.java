package io.protogate.server;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Maps what a handler threw to the status its caller sees: a gRPC status passes through as the
 * handler meant it; anything else is a bug in the handler, logged here with its stack trace and
 * answered with a short {@code INTERNAL} that never carries the trace to the caller.
 */
final class Failures {
  private static final Logger logger = Logger.getLogger(Failures.class.getName());

  private Failures() {}

  static StatusRuntimeException toStatus(String fullMethodName, Throwable t) {
    if (t instanceof StatusRuntimeException e) {
      return e;
    }
    if (t instanceof StatusException e) {
      return e.getStatus().asRuntimeException(e.getTrailers());
    }
    logger.log(Level.WARNING, "handler for " + fullMethodName + " failed", t);
    return Status.INTERNAL
        .withDescription(
            "handler for "
                + fullMethodName
                + " failed ("
                + t.getClass().getSimpleName()
                + "); the server log has the details")
        .asRuntimeException();
  }
}
