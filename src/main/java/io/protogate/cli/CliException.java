package io.protogate.cli;

import io.grpc.Status;

/**
 * A failure the user can act on: printed as one line, and the process exits with its code. One
 * that ended a gRPC exchange keeps its status code, for {@code call --format-error}.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  static final int NOT_SENT = 1;
  static final int USAGE = 2;

  private final int exitCode;
  private final transient Status.Code statusCode;

  CliException(int exitCode, String message) {
    this(exitCode, message, null);
  }

  CliException(int exitCode, String message, Status.Code statusCode) {
    super(message);
    this.exitCode = exitCode;
    this.statusCode = statusCode;
  }

  int exitCode() {
    return exitCode;
  }

  /** The gRPC status the failure came with, or null. */
  Status.Code statusCode() {
    return statusCode;
  }
}
