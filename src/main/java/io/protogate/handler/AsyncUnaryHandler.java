package io.protogate.handler;

import com.google.protobuf.DynamicMessage;
import java.util.concurrent.CompletionStage;

/**
 * Answers a unary call later: the handler starts its work (a database query, a call to another
 * service) and returns at once, so no thread waits while the I/O is in flight. The call ends when
 * the stage completes: with its response, or with the status its exception carries ({@code
 * INTERNAL} for anything but a gRPC status). Register it non-blocking if starting the work never
 * blocks.
 */
@FunctionalInterface
public non-sealed interface AsyncUnaryHandler extends MethodHandler {
  CompletionStage<DynamicMessage> handle(DynamicMessage request, CallContext call)
      throws Exception;
}
