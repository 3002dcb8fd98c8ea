package io.protogate.handler;

import com.google.protobuf.DynamicMessage;
import io.grpc.stub.StreamObserver;

/**
 * Receives a stream of requests and answers once: returns the observer that takes the requests,
 * and sends the single response through {@code responses} when the client half-closes.
 */
@FunctionalInterface
public non-sealed interface ClientStreamingHandler extends MethodHandler {
  StreamObserver<DynamicMessage> handle(CallContext call, StreamObserver<DynamicMessage> responses);
}
