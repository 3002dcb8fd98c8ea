package io.protogate.handler;

import com.google.protobuf.DynamicMessage;
import io.grpc.stub.StreamObserver;

/**
 * Answers one request with a stream of responses, sent through {@code responses}; the handler must
 * end the stream with {@code onCompleted} or {@code onError}, now or later from any thread. On a
 * server, {@code responses} is grpc-java's {@code ServerCallStreamObserver}: a handler that sends
 * many messages should send while {@code isReady()} and go on from {@code setOnReadyHandler}, as
 * the built-in Countdown does, rather than queue them all in memory.
 */
@FunctionalInterface
public non-sealed interface ServerStreamingHandler extends MethodHandler {
  void handle(DynamicMessage request, CallContext call, StreamObserver<DynamicMessage> responses)
      throws Exception;
}
