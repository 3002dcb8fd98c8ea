package io.protogate.handler;

import com.google.protobuf.DynamicMessage;
import io.grpc.stub.StreamObserver;

/**
 * Answers one request with a stream of responses, sent through {@code responses}; the handler must
 * end the stream with {@code onCompleted} or {@code onError}, now or later from any thread.
 */
@FunctionalInterface
public non-sealed interface ServerStreamingHandler extends MethodHandler {
  void handle(DynamicMessage request, CallContext call, StreamObserver<DynamicMessage> responses)
      throws Exception;
}
