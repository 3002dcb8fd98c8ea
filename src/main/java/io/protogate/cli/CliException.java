package io.protogate.cli;

/** A failure the user can act on: printed as one line, and the process exits with its code. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  static final int NOT_SENT = 1;
  static final int USAGE = 2;

  private final int exitCode;

  CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
