package io.protogate.handler;

import com.google.protobuf.DynamicMessage;
import io.grpc.stub.StreamObserver;

/**
 * Receives a stream of requests and sends a stream of responses, independently: returns the
 * observer that takes the requests and writes to {@code responses} whenever it likes.
 */
@FunctionalInterface
public non-sealed interface BidiStreamingHandler extends MethodHandler {
  StreamObserver<DynamicMessage> handle(CallContext call, StreamObserver<DynamicMessage> responses);
}
