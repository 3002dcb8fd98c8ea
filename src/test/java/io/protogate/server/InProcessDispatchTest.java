package io.protogate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.protogate.client.DynamicCalls;
import io.protogate.handler.Fields;
import io.protogate.handler.HandlerProvider;
import io.protogate.handler.Handlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The in-process door, the dispatch order and the builder hooks of the gateway core. */
class InProcessDispatchTest {
  private static final String HELLO = "GrpcService/hello";
  private static final String REQUEST = "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"x\"}}";
  private static final Metadata.Key<String> TAG =
      Metadata.Key.of("x-tag", Metadata.ASCII_STRING_MARSHALLER);

  @Test
  void inProcessChannel_answersAsTheNetworkDoor_withTheVersionHeader() throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      AtomicReference<Metadata> headers = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      Channel channel = ClientInterceptors.intercept(fixture.server.channel(),
          MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));

      DynamicMessage response = unary(fixture, channel, HELLO, REQUEST);

      assertEquals("xiao gangx this is gprc test service", Fields.getString(response, "result"));
      assertEquals(fixture.server.schema().version(), headers.get().get(VersionHeader.KEY));
    }
  }

  @Test
  void interceptor_seesTheCallsOfEveryDoor() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    ServerInterceptor recording = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        seen.add(call.getMethodDescriptor().getFullMethodName());
        return next.startCall(call, headers);
      }
    };
    try (ServerFixture fixture = new ServerFixture(
        ProtogateServer.builder(ServerFixture.BUNDLED)
            .demoHandlers(io.protogate.handler.builtin.BuiltinHandlers.demo())
            .intercept(recording))) {
      fixture.unary(HELLO, REQUEST);
      unary(fixture, fixture.server.channel(), HELLO, REQUEST);

      assertEquals(List.of(HELLO, HELLO), seen);
    }
  }

  @Test
  void javaHandler_answersBeforeTheDemoHandler() throws Exception {
    Handlers mine = Handlers.builder()
        .unary(HELLO, (request, call) -> Fields.set(call.newResponse(), "result", "mine").build())
        .build();
    try (ServerFixture fixture = ServerFixture.bundled(mine)) {
      assertEquals("mine", Fields.getString(fixture.unary(HELLO, REQUEST), "result"));
    }
  }

  @Test
  void asyncUnaryHandler_answersWhenItsStageCompletes_andItsFailureIsTheStatus() throws Exception {
    ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    Handlers async = Handlers.builder()
        .unaryAsync(HELLO, (request, call) -> {
          CompletableFuture<DynamicMessage> answer = new CompletableFuture<>();
          String data = Fields.getString(request, "data");
          later.schedule(() -> {
            if (data.equals("missing")) {
              answer.completeExceptionally(
                  Status.NOT_FOUND.withDescription("no such data").asRuntimeException());
            } else {
              answer.complete(Fields.set(call.newResponse(), "result", "later " + data).build());
            }
          }, 50, TimeUnit.MILLISECONDS);
          return answer;
        })
        .nonBlocking(HELLO)
        .build();
    try (ServerFixture fixture = ServerFixture.bundled(async)) {
      assertEquals("later x",
          Fields.getString(fixture.unary(HELLO, "{\"data\": \"x\"}"), "result"));
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> fixture.unary(HELLO, "{\"data\": \"missing\"}"));
      assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
      assertEquals("no such data", e.getStatus().getDescription());
    } finally {
      later.shutdownNow();
    }
  }

  @Test
  void callContext_responseHeadersAndTrailers_reachTheCaller() throws Exception {
    Handlers tagging = Handlers.builder()
        .unary(HELLO, (request, call) -> {
          call.responseHeaders().put(TAG, "in-headers");
          call.responseTrailers().put(TAG, "in-trailers");
          return call.newResponse().build();
        })
        .build();
    try (ServerFixture fixture = ServerFixture.bundled(tagging)) {
      AtomicReference<Metadata> headers = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      Channel channel = ClientInterceptors.intercept(fixture.channel,
          MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));

      unary(fixture, channel, HELLO, REQUEST);

      assertEquals("in-headers", headers.get().get(TAG));
      assertEquals("in-trailers", trailers.get().get(TAG));
    }
  }

  @Test
  void callContext_headersOfACallThatFailsFirst_goInTheTrailers() throws Exception {
    Handlers failing = Handlers.builder()
        .unary(HELLO, (request, call) -> {
          call.responseHeaders().put(TAG, "early");
          throw Status.FAILED_PRECONDITION.withDescription("not now").asException();
        })
        .build();
    try (ServerFixture fixture = ServerFixture.bundled(failing)) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> fixture.unary(HELLO, REQUEST));

      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
      assertEquals("early", e.getTrailers().get(TAG));
    }
  }

  @Test
  void blockingExecutor_runsTheHandlersThatMayBlock() throws Exception {
    var executor = Executors.newSingleThreadExecutor(task -> new Thread(task, "given-executor"));
    Handlers blocking = Handlers.builder()
        .unary(HELLO, (request, call) ->
            Fields.set(call.newResponse(), "result", Thread.currentThread().getName()).build())
        .build();
    try (ServerFixture fixture = new ServerFixture(
        ProtogateServer.builder(ServerFixture.BUNDLED)
            .handlers(blocking)
            .blockingExecutor(executor))) {
      assertEquals("given-executor", Fields.getString(fixture.unary(HELLO, REQUEST), "result"));
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void close_closesProvidersAndCloseableHandlers() throws Exception {
    AtomicBoolean providerClosed = new AtomicBoolean();
    AtomicBoolean handlerClosed = new AtomicBoolean();
    final class ClosingHandler implements io.protogate.handler.UnaryHandler, AutoCloseable {
      @Override
      public DynamicMessage handle(DynamicMessage request, io.protogate.handler.CallContext call) {
        return call.newResponse().build();
      }

      @Override
      public void close() {
        handlerClosed.set(true);
      }
    }
    HandlerProvider provider = new HandlerProvider() {
      @Override
      public void register(Handlers.Builder handlers) {
        handlers.unary(HELLO, new ClosingHandler());
      }

      @Override
      public void close() {
        providerClosed.set(true);
      }
    };
    ServerFixture fixture = ServerFixture.bundled(Handlers.builder().provider(provider).build());
    fixture.unary(HELLO, REQUEST);

    fixture.close();

    assertTrue(providerClosed.get(), "provider closed");
    assertTrue(handlerClosed.get(), "handler closed");
  }

  private static DynamicMessage unary(
      ServerFixture fixture, Channel channel, String method, String json) {
    var descriptor = ServerFixture.method(method);
    return DynamicCalls.unary(channel, descriptor,
        fixture.message(descriptor.getInputType(), json), Duration.ofSeconds(10));
  }
}
