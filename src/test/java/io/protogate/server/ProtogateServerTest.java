package io.protogate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.protogate.client.DynamicCalls;
import io.protogate.handler.Fields;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProtogateServerTest {
  private static final String HELLO = "GrpcService/hello";
  private static final String SUM = "protogate.demo.StreamingDemo/Sum";
  private static final String HELLO_REQUEST =
      "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"engineer\"}}";

  /** Sends raw bytes as a request, as a broken or hostile client would. */
  private static final MethodDescriptor<byte[], byte[]> RAW_HELLO =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(HELLO)
          .setRequestMarshaller(new BytesMarshaller())
          .setResponseMarshaller(new BytesMarshaller())
          .build();

  @Test
  void hello_answersAsTheOriginalService() throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      DynamicMessage response = fixture.unary(HELLO, HELLO_REQUEST);

      assertEquals(
          "xiao gangengineer this is gprc test service", Fields.getString(response, "result"));
      assertEquals(
          fixture.message(
              response.getDescriptorForType(),
              "{\"result\": \"xiao gangengineer this is gprc test service\","
                  + " \"mapResult\": {\"12\": 1232}}"),
          response);
    }
  }

  @Test
  void serverStreaming_countdownSendsOneTickPerNumber() throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      Iterator<DynamicMessage> ticks = countdown(fixture, fixture.channel, 3);
      List<Long> remaining = new ArrayList<>();
      ticks.forEachRemaining(tick -> {
        remaining.add(Fields.getLong(tick, "remaining"));
        assertTrue(Fields.getLong(tick, "at.seconds") > 0, "tick has a timestamp: " + tick);
      });

      assertEquals(List.of(3L, 2L, 1L), remaining);
    }
  }

  @Test
  void serverStreaming_longCountdownToAClientThatReadsSlowly_arrivesWholeAndInOrder()
      throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      // A 1 KiB window and one message read at a time: the server must wait for the client
      // again and again, and go on each time it may.
      ManagedChannel slowReader = NettyChannelBuilder.forAddress("127.0.0.1", fixture.server.port())
          .usePlaintext().flowControlWindow(1024).build();
      try {
        Iterator<DynamicMessage> ticks = countdown(fixture, slowReader, 10_000);
        long expected = 10_000;
        while (ticks.hasNext()) {
          assertEquals(expected--, Fields.getLong(ticks.next(), "remaining"));
        }

        assertEquals(0, expected);
      } finally {
        slowReader.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void clientStreaming_sumAddsEveryNumber() throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      var method = ServerFixture.method(SUM);
      Recorder<DynamicMessage> responses = new Recorder<DynamicMessage>();
      StreamObserver<DynamicMessage> requests =
          ClientCalls.asyncClientStreamingCall(
              fixture.channel.newCall(DynamicCalls.methodDescriptor(method), deadline()),
              responses);
      for (int i = 1; i <= 4; i++) {
        requests.onNext(fixture.message(method.getInputType(), "{\"value\": " + i + "}"));
      }
      requests.onCompleted();

      DynamicMessage result = responses.awaitOk().get(0);
      assertEquals(10L, Fields.getLong(result, "total"));
      assertEquals(4L, Fields.getLong(result, "count"));
    }
  }

  @Test
  void bidiStreaming_echoAnswersEachMessageAsItArrives() throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      var method = ServerFixture.method("protogate.demo.StreamingDemo/Echo");
      Recorder<DynamicMessage> responses = new Recorder<DynamicMessage>();
      StreamObserver<DynamicMessage> requests =
          ClientCalls.asyncBidiStreamingCall(
              fixture.channel.newCall(DynamicCalls.methodDescriptor(method), deadline()),
              responses);
      for (int i = 1; i <= 3; i++) {
        requests.onNext(
            fixture.message(method.getInputType(), "{\"text\": \"m" + i + "\", \"sequence\": " + i + "}"));
        // Each answer arrives before the next message is sent: the stream is truly interactive.
        assertEquals("m" + i, Fields.getString(responses.next(), "text"));
      }
      requests.onCompleted();
      assertEquals(List.of(), responses.awaitOk());
    }
  }

  @Test
  void garbageRequestBytes_invalidArgumentNamingTheType_andServerKeepsServing() throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> ClientCalls.blockingUnaryCall(
                  fixture.channel, RAW_HELLO, deadline(), new byte[] {(byte) 0xff, (byte) 0xff,
                      (byte) 0xff}));

      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("HelloRequest"), e.getMessage());
      assertEquals("xiao gangengineer this is gprc test service",
          Fields.getString(fixture.unary(HELLO, HELLO_REQUEST), "result"));
    }
  }

  @Test
  void garbageInAStream_invalidArgumentAndTheHandlerSeesCancellation() throws Exception {
    CountDownLatch handlerSawError = new CountDownLatch(1);
    Handlers handlers = Handlers.builder()
        .bidiStreaming("protogate.demo.StreamingDemo/Echo", (call, responses) ->
            new StreamObserver<>() {
              @Override
              public void onNext(DynamicMessage value) {
                responses.onNext(value);
              }

              @Override
              public void onError(Throwable t) {
                handlerSawError.countDown();
              }

              @Override
              public void onCompleted() {
                responses.onCompleted();
              }
            })
        .build();
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      MethodDescriptor<byte[], byte[]> rawEcho = RAW_HELLO.toBuilder()
          .setFullMethodName("protogate.demo.StreamingDemo/Echo")
          .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
          .build();
      Recorder<byte[]> responses = new Recorder<>();
      StreamObserver<byte[]> requests =
          ClientCalls.asyncBidiStreamingCall(fixture.channel.newCall(rawEcho, deadline()),
              responses);
      requests.onNext(new byte[] {0x0a, 0x02, 'h', 'i'});
      requests.onNext(new byte[] {0x0a, 0x7f});

      Status status = responses.awaitStatus();
      assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
      assertTrue(status.getDescription().contains("protogate.demo.EchoMessage"), status.toString());
      assertEquals(1, responses.queue.size(), "the valid first message was answered");
      assertTrue(handlerSawError.await(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void unknownMethod_unimplemented() throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      MethodDescriptor<byte[], byte[]> unknown =
          RAW_HELLO.toBuilder().setFullMethodName("GrpcService/nope").build();

      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> ClientCalls.blockingUnaryCall(fixture.channel, unknown, deadline(), new byte[0]));

      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("GrpcService/nope"), e.getMessage());
    }
  }

  @Test
  void methodNothingAnswers_unimplementedNamingTheMethod() throws Exception {
    try (ServerFixture fixture = new ServerFixture(ProtogateServer.builder(ServerFixture.BUNDLED))) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> fixture.unary(HELLO, HELLO_REQUEST));

      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("GrpcService/hello is in the served contract but nothing answers it"),
          e.getMessage());
    }
  }

  @ParameterizedTest(name = "non-blocking: {0}")
  @ValueSource(booleans = {false, true})
  void handlerThrows_internalWithShortMessage_noStackTrace_onAPoolThreadOrTheEventLoop(
      boolean nonBlocking) throws Exception {
    Handlers.Builder handlers = Handlers.builder()
        .unary(HELLO, (request, call) -> {
          throw new IllegalStateException("secret internal detail");
        });
    if (nonBlocking) {
      handlers.nonBlocking(HELLO);
    }
    try (ServerFixture fixture = ServerFixture.bundled(handlers.build())) {
      for (int call = 0; call < 2; call++) {
        StatusRuntimeException e =
            assertThrows(StatusRuntimeException.class, () -> fixture.unary(HELLO, HELLO_REQUEST));

        assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
        String description = e.getStatus().getDescription();
        assertTrue(description.contains("GrpcService/hello") && description.contains(
            "IllegalStateException"), description);
        assertFalse(description.contains("secret") || description.contains("at io."),
            description);
      }
    }
  }


  @Test
  void handlerThrowsStatus_callerGetsThatStatus() throws Exception {
    Handlers handlers = Handlers.builder()
        .unary(HELLO, (request, call) -> {
          throw Status.PERMISSION_DENIED.withDescription("not you").asException();
        })
        .build();
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> fixture.unary(HELLO, HELLO_REQUEST));

      assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
      assertEquals("not you", e.getStatus().getDescription());
    }
  }

  @Test
  void handlerReturnsWrongType_internalNamingBothTypes() throws Exception {
    Handlers handlers = Handlers.builder().unary(HELLO, (request, call) -> request).build();
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> fixture.unary(HELLO, HELLO_REQUEST));

      assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
      // The caller learns what went wrong: both types, named.
      assertTrue(e.getStatus().getDescription().contains(
          "answered a HelloRequest instead of a HelloResponse"), e.getStatus().getDescription());
    }
  }

  @Test
  void streamingHandlerThrowsOnARequest_internal() throws Exception {
    Handlers handlers = Handlers.builder()
        .clientStreaming(SUM, (call, responses) ->
            new StreamObserver<>() {
              @Override
              public void onNext(DynamicMessage value) {
                throw new ArithmeticException("overflow");
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            })
        .build();
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      var method = ServerFixture.method(SUM);
      Recorder<DynamicMessage> responses = new Recorder<DynamicMessage>();
      StreamObserver<DynamicMessage> requests = ClientCalls.asyncClientStreamingCall(
          fixture.channel.newCall(DynamicCalls.methodDescriptor(method), deadline()), responses);
      requests.onNext(fixture.message(method.getInputType(), "{\"value\": 1}"));
      requests.onCompleted();

      Status status = responses.awaitStatus();
      assertEquals(Status.Code.INTERNAL, status.getCode());
      assertTrue(status.getDescription().contains("ArithmeticException"), status.toString());
    }
  }

  @Test
  void deadline_reachesTheHandler_andCallerGetsDeadlineExceeded() throws Exception {
    CountDownLatch handlerSawCancellation = new CountDownLatch(1);
    CountDownLatch handlerSawDeadline = new CountDownLatch(1);
    Handlers handlers = Handlers.builder()
        .unary(HELLO, (request, call) -> {
          if (call.deadline().isPresent()) {
            handlerSawDeadline.countDown();
          }
          call.onCancel(handlerSawCancellation::countDown);
          handlerSawCancellation.await(10, TimeUnit.SECONDS);
          return call.newResponse().build();
        })
        .build();
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      var method = ServerFixture.method(HELLO);
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> DynamicCalls.unary(fixture.channel, method,
              fixture.message(method.getInputType(), "{}"), Duration.ofMillis(300)));

      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      assertTrue(handlerSawDeadline.await(10, TimeUnit.SECONDS));
      assertTrue(handlerSawCancellation.await(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void clientCancels_handlerSeesCancellation() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch handlerSawCancellation = new CountDownLatch(1);
    Handlers handlers = Handlers.builder()
        .serverStreaming("protogate.demo.StreamingDemo/Countdown", (request, call, responses) -> {
          call.onCancel(handlerSawCancellation::countDown);
          started.countDown();
        })
        .build();
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      var method = ServerFixture.method("protogate.demo.StreamingDemo/Countdown");
      var clientCall = fixture.channel.newCall(DynamicCalls.methodDescriptor(method), deadline());
      ClientCalls.asyncServerStreamingCall(clientCall,
          fixture.message(method.getInputType(), "{\"from\": 1}"), new Recorder<DynamicMessage>());
      assertTrue(started.await(10, TimeUnit.SECONDS));

      clientCall.cancel("user pressed Ctrl-C", null);

      assertTrue(handlerSawCancellation.await(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void requestLargerThanTheLimit_resourceExhausted_andServerKeepsServing() throws Exception {
    try (ServerFixture fixture = new ServerFixture(ProtogateServer.builder(ServerFixture.BUNDLED)
        .demoHandlers(BuiltinHandlers.demo())
        .maxInboundMessageSize(1024))) {
      String big = "x".repeat(4096);
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> fixture.unary(HELLO, "{\"data\": \"" + big + "\"}"));

      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertEquals("xiao gangengineer this is gprc test service",
          Fields.getString(fixture.unary(HELLO, HELLO_REQUEST), "result"));
    }
  }

  @Test
  void handlerOfTheWrongShape_refusedAtBuild() {
    Handlers handlers = Handlers.builder()
        .serverStreaming(HELLO, (request, call, responses) -> responses.onCompleted())
        .build();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ProtogateServer.builder(ServerFixture.BUNDLED).handlers(handlers).build());

    assertTrue(e.getMessage().contains("GrpcService/hello") && e.getMessage().contains("UNARY"),
        e.getMessage());
  }

  @Test
  void blockingHandlerRunsOnAPoolThread_nonBlockingOneGoesOnMeanwhileOnTheSameConnection()
      throws Exception {
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> helloThreads = new CopyOnWriteArrayList<>();
    List<String> sumThreads = new CopyOnWriteArrayList<>();
    Handlers handlers = Handlers.builder()
        .unary(HELLO, (request, call) -> {
          helloThreads.add(Thread.currentThread().getName());
          return call.newResponse().build();
        })
        .clientStreaming(SUM, (call, responses) -> {
          sumThreads.add(Thread.currentThread().getName());
          blocked.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return new Recorder<>();
        })
        .nonBlocking(HELLO)
        .build();
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      var sum = ServerFixture.method(SUM);
      ClientCalls.asyncClientStreamingCall(
          fixture.channel.newCall(DynamicCalls.methodDescriptor(sum), deadline()),
          new Recorder<DynamicMessage>());
      assertTrue(blocked.await(10, TimeUnit.SECONDS));

      fixture.unary(HELLO, "{}");
      release.countDown();

      assertTrue(sumThreads.get(0).startsWith("protogate-handler-"), sumThreads.toString());
      assertFalse(helloThreads.get(0).startsWith("protogate-handler-"), helloThreads.toString());
    } finally {
      release.countDown();
    }
  }

  @Test
  void close_letsCallsInFlightFinish_andRefusesNewOnes() throws Exception {
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Handlers handlers = Handlers.builder()
        .unary(HELLO, (request, call) -> {
          if (Fields.getString(request, "data").equals("slow")) {
            inHandler.countDown();
            release.await(10, TimeUnit.SECONDS);
          }
          return Fields.set(call.newResponse(), "result", "finished").build();
        })
        .build();
    ServerFixture fixture = ServerFixture.bundled(handlers);
    try {
      var method = ServerFixture.method(HELLO);
      Recorder<DynamicMessage> inFlight = new Recorder<DynamicMessage>();
      ClientCalls.asyncUnaryCall(
          fixture.channel.newCall(DynamicCalls.methodDescriptor(method), deadline()),
          fixture.message(method.getInputType(), "{\"data\": \"slow\"}"), inFlight);
      assertTrue(inHandler.await(10, TimeUnit.SECONDS));

      Thread closer = new Thread(() -> {
        try {
          fixture.server.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      closer.start();
      StatusRuntimeException refused = null;
      for (int i = 0; i < 100 && refused == null; i++) {
        try {
          fixture.unary(HELLO, "{}");
          Thread.sleep(20);
        } catch (StatusRuntimeException e) {
          refused = e;
        }
      }
      release.countDown();

      assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
      assertEquals("finished", Fields.getString(inFlight.awaitOk().get(0), "result"));
      closer.join(10_000);
      assertFalse(closer.isAlive());
    } finally {
      release.countDown();
      fixture.close();
    }
  }

  private static Iterator<DynamicMessage> countdown(
      ServerFixture fixture, Channel channel, int from) {
    var method = ServerFixture.method("protogate.demo.StreamingDemo/Countdown");
    return ClientCalls.blockingServerStreamingCall(
        channel,
        DynamicCalls.methodDescriptor(method),
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
        fixture.message(method.getInputType(), "{\"from\": " + from + "}"));
  }

  static CallOptions deadline() {
    return CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Collects a call's responses and its end, for tests to wait on. */
  static class Recorder<T> implements StreamObserver<T> {
    final LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
    final List<T> messages = new ArrayList<>();
    final CountDownLatch done = new CountDownLatch(1);
    volatile Status status;

    @Override
    public void onNext(T value) {
      queue.add(value);
    }

    @Override
    public void onError(Throwable t) {
      status = Status.fromThrowable(t);
      done.countDown();
    }

    @Override
    public void onCompleted() {
      status = Status.OK;
      done.countDown();
    }

    T next() throws InterruptedException {
      T next = queue.poll(10, TimeUnit.SECONDS);
      assertTrue(next != null, "no response within 10 s");
      return next;
    }

    Status awaitStatus() throws InterruptedException {
      assertTrue(done.await(10, TimeUnit.SECONDS), "call did not end within 10 s");
      return status;
    }

    List<T> awaitOk() throws InterruptedException {
      Status end = awaitStatus();
      assertTrue(end.isOk(), "call failed: " + end);
      queue.drainTo(messages);
      return messages;
    }
  }
}
