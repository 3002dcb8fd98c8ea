package io.protogate.connect;

import io.grpc.Status;
import java.util.Locale;

/** Connect's names for gRPC codes, and the HTTP status its protocol gives each. */
final class ConnectErrors {
  private ConnectErrors() {}

  /** {@code not_found} for NOT_FOUND; Connect spells CANCELLED {@code canceled}. */
  static String codeName(Status.Code code) {
    return code == Status.Code.CANCELLED ? "canceled" : code.name().toLowerCase(Locale.ROOT);
  }

  /** The HTTP status of Connect's table, which is google/rpc/code.proto's. */
  static int httpStatus(Status.Code code) {
    return switch (code) {
      case OK -> 200;
      case CANCELLED -> 499;
      case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case RESOURCE_EXHAUSTED -> 429;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case DEADLINE_EXCEEDED -> 504;
      default -> 500;
    };
  }
}
