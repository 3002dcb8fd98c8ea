package io.protogate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.protogate.client.DynamicCalls;
import io.protogate.handler.Handlers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A handler that answers with a message of the wrong type fails the call with {@code INTERNAL}
 * naming both types, in every call shape: the caller must never take such bytes for an answer.
 */
class ResponseTypeTest {
  private static final String HELLO = "GrpcService/hello";
  private static final String COUNTDOWN = "protogate.demo.StreamingDemo/Countdown";
  private static final String SUM = "protogate.demo.StreamingDemo/Sum";
  private static final String ECHO = "protogate.demo.StreamingDemo/Echo";

  /** Some message that is no method's response type here. */
  private static DynamicMessage stranger() {
    return DynamicMessage.getDefaultInstance(
        ServerFixture.method(HELLO).getInputType());
  }

  private static Status callWith(Handlers handlers, String method) throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      Descriptors.MethodDescriptor descriptor = ServerFixture.method(method);
      CompletableFuture<Status> closed = new CompletableFuture<>();
      ClientCall<DynamicMessage, DynamicMessage> call = fixture.channel.newCall(
          DynamicCalls.methodDescriptor(descriptor),
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onClose(Status status, Metadata trailers) {
          closed.complete(status);
        }
      }, new Metadata());
      call.request(100);
      call.sendMessage(DynamicMessage.getDefaultInstance(descriptor.getInputType()));
      call.halfClose();
      return closed.get(15, TimeUnit.SECONDS);
    }
  }

  private static void assertNamesBothTypes(Status status, String method) {
    assertEquals(Status.Code.INTERNAL, status.getCode(), status.toString());
    String expected = ServerFixture.method(method).getOutputType().getFullName();
    assertTrue(status.getDescription().contains("a HelloRequest instead of a " + expected),
        status.getDescription());
  }

  @Test
  void unary_internalNamingBothTypes() throws Exception {
    Status status = callWith(
        Handlers.builder().unary(HELLO, (request, call) -> stranger()).build(), HELLO);

    assertNamesBothTypes(status, HELLO);
  }

  @Test
  void serverStreaming_internalNamingBothTypes() throws Exception {
    Status status = callWith(Handlers.builder().serverStreaming(COUNTDOWN,
        (request, call, responses) -> {
          responses.onNext(stranger());
          responses.onCompleted();
        }).build(), COUNTDOWN);

    assertNamesBothTypes(status, COUNTDOWN);
  }

  @Test
  void clientStreaming_internalNamingBothTypes() throws Exception {
    Status status = callWith(Handlers.builder().clientStreaming(SUM,
        (call, responses) -> new Ignoring() {
          @Override
          public void onCompleted() {
            responses.onNext(stranger());
            responses.onCompleted();
          }
        }).build(), SUM);

    assertNamesBothTypes(status, SUM);
  }

  @Test
  void bidiStreaming_internalNamingBothTypes() throws Exception {
    Status status = callWith(Handlers.builder().bidiStreaming(ECHO,
        (call, responses) -> new Ignoring() {
          @Override
          public void onNext(DynamicMessage value) {
            responses.onNext(stranger());
          }

          @Override
          public void onCompleted() {
            responses.onCompleted();
          }
        }).build(), ECHO);

    assertNamesBothTypes(status, ECHO);
  }

  private abstract static class Ignoring implements StreamObserver<DynamicMessage> {
    @Override
    public void onNext(DynamicMessage value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
