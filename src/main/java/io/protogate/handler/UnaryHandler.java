package io.protogate.handler;

import com.google.protobuf.DynamicMessage;

/**
 * Answers a unary call with one response. Runs on a pool thread, or on the transport's event loop
 * if registered {@linkplain Handlers.Builder#nonBlocking non-blocking}; a thrown exception ends
 * the call with {@code INTERNAL} (or the status of a {@code StatusException}) and is logged.
 */
@FunctionalInterface
public non-sealed interface UnaryHandler extends MethodHandler {
  DynamicMessage handle(DynamicMessage request, CallContext call) throws Exception;
}
