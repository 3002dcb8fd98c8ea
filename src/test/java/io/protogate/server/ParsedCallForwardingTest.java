package io.protogate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.protogate.client.DynamicCalls;
import io.protogate.handler.Fields;
import io.protogate.handler.Handlers;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The call a handler gets passes on what grpc-java asks of it: flow control, security level. */
class ParsedCallForwardingTest {
  private static final String ECHO = "protogate.demo.StreamingDemo/Echo";

  @Test
  void onReadyThreshold_setByAHandler_takesEffect() throws Exception {
    CompletableFuture<Integer> sentWhileReady = new CompletableFuture<>();
    String chunk = "x".repeat(64 * 1024);
    Handlers handlers = Handlers.builder().bidiStreaming(ECHO, (call, responses) -> {
      ServerCallStreamObserver<DynamicMessage> flow =
          (ServerCallStreamObserver<DynamicMessage>) responses;
      flow.setOnReadyThreshold(8 << 20);
      return new StreamObserver<>() {
        @Override
        public void onNext(DynamicMessage value) {
          int sent = 0;
          while (flow.isReady() && sent < 400) {
            flow.onNext(Fields.set(call.newResponse(), "text", chunk).build());
            sent++;
          }
          sentWhileReady.complete(sent);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          flow.onCompleted();
        }
      };
    }).nonBlocking(ECHO).build();
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      var method = ServerFixture.method(ECHO);
      ClientCall<DynamicMessage, DynamicMessage> call = fixture.channel.newCall(
          DynamicCalls.methodDescriptor(method), CallOptions.DEFAULT);
      call.start(new ClientCall.Listener<>() {}, new Metadata());
      // The client reads nothing: only the threshold decides how much the server may queue.
      call.sendMessage(DynamicMessage.getDefaultInstance(method.getInputType()));

      int sent = sentWhileReady.get(20, TimeUnit.SECONDS);
      call.cancel("done", null);

      // 64 KiB each: past the default 32 KiB threshold and the client's window (1 MiB) only if
      // the handler's 8 MiB threshold reached the transport.
      assertTrue(sent * 64 > 4 * 1024, sent + " messages sent while ready");
    }
  }

  @Test
  void securityLevel_ofTheTransportCall() {
    var method = ServerFixture.method(ECHO);
    ServerCall<?, ?>[] seen = new ServerCall<?, ?>[1];
    RequestParsingCallHandler handler = new RequestParsingCallHandler(method, context ->
        (call, headers) -> {
          seen[0] = call;
          return new ServerCall.Listener<>() {};
        });

    handler.startCall(new TlsCall(), new Metadata());

    assertEquals(SecurityLevel.PRIVACY_AND_INTEGRITY, seen[0].getSecurityLevel());
  }

  /** A transport call that says it is protected by TLS. */
  private static final class TlsCall extends ServerCall<InputStream, InputStream> {
    @Override
    public SecurityLevel getSecurityLevel() {
      return SecurityLevel.PRIVACY_AND_INTEGRITY;
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(InputStream message) {}

    @Override
    public void close(Status status, Metadata trailers) {}

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    public MethodDescriptor<InputStream, InputStream> getMethodDescriptor() {
      return null;
    }
  }
}
