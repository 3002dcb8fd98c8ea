package io.protogate.http;

import io.grpc.Status;

/**
 * The HTTP status of each gRPC code, from the table in {@code google/rpc/code.proto}: the one
 * grpc-gateway, Armeria and Connect use (not the older grpc-gateway copy with 408, 403 and 412).
 * Every HTTP door answers a failed call with it.
 */
public final class GrpcHttpStatus {
  private GrpcHttpStatus() {}

  public static int of(Status.Code code) {
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
      case UNKNOWN, INTERNAL, DATA_LOSS -> 500;
    };
  }
}
