package io.protogate.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.protogate.client.DynamicCalls;
import io.protogate.client.ReflectionClient;
import io.protogate.handler.Fields;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Calls through a Protogate gateway to Java upstreams: what passes through (messages of all four
 * call types, headers, trailers, statuses, deadlines, cancellation, flow control) and what the
 * gateway says when the upstream fails.
 */
class ForwardingTest {
  private static final String ECHO = "protogate.demo.StreamingDemo/Echo";

  @Test
  void route_takesOverFromTheDemoHello_withHeadersAndTrailersBothWays() throws Exception {
    try (TestUpstream upstream = TestUpstream.start("a");
        Gateway gateway = Gateway.routing("GrpcService=" + upstream.address())) {
      Metadata headers = new Metadata();
      headers.put(TestUpstream.TENANT, "acme");
      AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      DynamicMessage response = ClientCalls.blockingUnaryCall(
          ClientInterceptors.intercept(gateway.channel, MetadataUtils.newAttachHeadersInterceptor(headers),
              MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers)),
          DynamicCalls.methodDescriptor(Gateway.method("GrpcService/hello")),
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
          Gateway.message(Gateway.method("GrpcService/hello").getInputType(),
              "{\"data\": \"hi\"}"));

      assertEquals("acme@a:hi", Fields.getString(response, "result"));
      assertEquals("a", responseHeaders.get().get(TestUpstream.NAME));
      assertEquals("done", trailers.get().get(TestUpstream.TRAILER));
    }
  }

  @Test
  void inProcessDoor_reachesTheUpstreamToo() throws Exception {
    try (TestUpstream upstream = TestUpstream.start("a");
        Gateway gateway = Gateway.routing("*=" + upstream.address())) {
      Descriptors.MethodDescriptor hello = Gateway.method("GrpcService/hello");
      for (int i = 0; i < 20; i++) {
        DynamicMessage response = DynamicCalls.unary(gateway.server.channel(), hello,
            Gateway.message(hello.getInputType(), "{\"data\": \"in-process " + i + "\"}"),
            java.time.Duration.ofSeconds(10));

        assertEquals("a:in-process " + i, Fields.getString(response, "result"));
      }
      List<DynamicMessage> echo = call(gateway.server.channel(), ECHO,
          List.of("{\"text\": \"one\"}", "{\"text\": \"two\"}"));
      assertEquals(2, echo.size());
    }
  }

  @Test
  void reflection_ofTheGateway_describesRoutedServices() throws Exception {
    try (Gateway gateway = Gateway.routing("*=127.0.0.1:1")) {
      com.google.protobuf.DescriptorProtos.FileDescriptorSet files = ReflectionClient.fetch(
          gateway.channel, java.time.Duration.ofSeconds(10), "GrpcService");

      assertTrue(files.getFileList().stream().anyMatch(file -> file.getServiceList().stream()
          .anyMatch(service -> service.getName().equals("GrpcService"))), files.toString());
    }
  }

  @Test
  void upstreamStatus_passesThroughUnchanged() throws Exception {
    try (TestUpstream upstream = TestUpstream.start("a");
        Gateway gateway = Gateway.routing("*=" + upstream.address())) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> gateway.hello("fail"));

      assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
      assertEquals("no such thing", e.getStatus().getDescription());
    }
  }

  @Test
  void allFourCallTypes_areForwarded() throws Exception {
    try (TestUpstream upstream = TestUpstream.start("a");
        Gateway gateway = Gateway.routing("protogate.demo.*=" + upstream.address())) {
      List<DynamicMessage> ticks = call(gateway, "protogate.demo.StreamingDemo/Countdown",
          List.of("{\"from\": 3}"));
      List<DynamicMessage> sum = call(gateway, "protogate.demo.StreamingDemo/Sum",
          List.of("{\"value\": 1}", "{\"value\": 2}", "{\"value\": 3}"));
      List<DynamicMessage> echo = call(gateway, ECHO,
          List.of("{\"text\": \"one\"}", "{\"text\": \"two\"}"));
      // Not routed: the gateway's own demo hello answers.
      DynamicMessage hello = gateway.hello("x");

      assertEquals(List.of(3L, 2L, 1L),
          ticks.stream().map(t -> Fields.getLong(t, "remaining")).toList());
      assertEquals(6L, Fields.getLong(sum.get(0), "total"));
      assertEquals(List.of("one", "two"),
          echo.stream().map(m -> Fields.getString(m, "text")).toList());
      assertEquals(3, upstream.calls.get());
      assertEquals("x this is gprc test service", Fields.getString(hello, "result"));
    }
  }

  @Test
  void slowReader_holdsTheUpstreamBack_thenGetsEveryMessage() throws Exception {
    try (TestUpstream upstream = TestUpstream.start("a");
        Gateway gateway = Gateway.routing("protogate.demo.StreamingDemo=" + upstream.address())) {
      Descriptors.MethodDescriptor echo = Gateway.method(ECHO);
      ClientCall<DynamicMessage, DynamicMessage> call = gateway.channel.newCall(
          DynamicCalls.methodDescriptor(echo), CallOptions.DEFAULT.withDeadlineAfter(60,
              TimeUnit.SECONDS));
      List<DynamicMessage> received = new ArrayList<>();
      CompletableFuture<Status> closed = new CompletableFuture<>();
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onMessage(DynamicMessage message) {
          received.add(message);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          closed.complete(status);
        }
      }, new Metadata());
      call.sendMessage(Gateway.message(echo.getInputType(), "{\"text\": \"flood\"}"));
      call.halfClose();

      // The caller asks for nothing: the upstream can send only what the windows hold.
      int stalledAt = settle(() -> upstream.flooded.get());
      call.request(Integer.MAX_VALUE);

      assertTrue(stalledAt < TestUpstream.FLOOD_MESSAGES / 2,
          "the upstream sent " + stalledAt + " of " + TestUpstream.FLOOD_MESSAGES
              + " messages to a caller that read none");
      assertEquals(Status.Code.OK, closed.get(30, TimeUnit.SECONDS).getCode());
      assertEquals(TestUpstream.FLOOD_MESSAGES, received.size());
    }
  }

  @Test
  void cancellingCaller_cancelsTheUpstreamCall() throws Exception {
    try (TestUpstream upstream = TestUpstream.start("a");
        Gateway gateway = Gateway.routing("*=" + upstream.address())) {
      Descriptors.MethodDescriptor echo = Gateway.method(ECHO);
      ClientCall<DynamicMessage, DynamicMessage> call = gateway.channel.newCall(
          DynamicCalls.methodDescriptor(echo), CallOptions.DEFAULT);
      CompletableFuture<DynamicMessage> first = new CompletableFuture<>();
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onMessage(DynamicMessage message) {
          first.complete(message);
        }
      }, new Metadata());
      call.request(1);
      call.sendMessage(Gateway.message(echo.getInputType(), "{\"text\": \"one\"}"));
      first.get(10, TimeUnit.SECONDS);

      call.cancel("the test gives up", null);

      assertTrue(upstream.cancelled.await(10, TimeUnit.SECONDS),
          "the upstream never saw the cancellation");
    }
  }

  @Test
  void callersDeadline_reachesTheUpstream_andRunsOutAsDeadlineExceeded() throws Exception {
    try (TestUpstream upstream = TestUpstream.start("a");
        Gateway gateway = Gateway.routing("*=" + upstream.address())) {
      gateway.hello("quick", new Metadata(),
          CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS));
      long seen = upstream.lastDeadlineMillis.get();

      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> gateway.hello("slow", new Metadata(),
              CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS)));

      assertTrue(seen > 3000 && seen <= 5000, "the upstream saw a deadline of " + seen + " ms");
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      assertTrue(upstream.cancelled.await(10, TimeUnit.SECONDS), "the upstream kept working");
    }
  }

  @Test
  void upstreamDeadline_appliesToCallsThatHaveNone() throws Exception {
    try (TestUpstream upstream = TestUpstream.start("a");
        Gateway gateway = Gateway.routing("*=" + upstream.address() + ";deadline=0.3s")) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> gateway.hello("slow", new Metadata(), CallOptions.DEFAULT));

      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    }
  }

  @Test
  void upstreamDown_isUnavailableNamingIt_andUsedAgainAtOnceWhenBack() throws Exception {
    int port = freePort();
    String address = "127.0.0.1:" + port;
    try (Gateway gateway = Gateway.routing("GrpcService=" + address)) {
      StatusRuntimeException down =
          assertThrows(StatusRuntimeException.class, () -> gateway.hello("x"));
      try (TestUpstream upstream = new TestUpstream("back", port)) {
        // The first call may still meet the failed connection; it makes the gateway reconnect
        // at once, instead of after grpc-java's backoff, so the next call goes through.
        DynamicMessage response = eventually(() -> gateway.hello("x"));

        assertEquals("back:x", Fields.getString(response, "result"));
      }
      StatusRuntimeException downAgain =
          assertThrows(StatusRuntimeException.class, () -> gateway.hello("x"));

      assertEquals(Status.Code.UNAVAILABLE, down.getStatus().getCode());
      assertEquals("upstream " + address + " for GrpcService refused the connection",
          down.getStatus().getDescription());
      assertEquals(Status.Code.UNAVAILABLE, downAgain.getStatus().getCode());
    }
  }

  @Test
  void severalAddresses_spreadTheCalls() throws Exception {
    try (TestUpstream a = TestUpstream.start("a");
        TestUpstream b = TestUpstream.start("b");
        Gateway gateway = Gateway.routing("*=" + a.address() + "," + b.address())) {
      for (int i = 0; i < 20; i++) {
        gateway.hello("x");
      }

      assertEquals(20, a.calls.get() + b.calls.get());
      assertTrue(a.calls.get() >= 5 && b.calls.get() >= 5,
          "a got " + a.calls.get() + " calls, b " + b.calls.get());
    }
  }

  @Test
  void health_ofARoutedService_followsItsUpstream() throws Exception {
    TestUpstream upstream = TestUpstream.start("a");
    try (Gateway gateway = Gateway.routing("GrpcService=" + upstream.address())) {
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(gateway.channel);
      awaitHealth(health, "GrpcService", ServingStatus.SERVING);

      upstream.close();

      awaitHealth(health, "GrpcService", ServingStatus.NOT_SERVING);
      assertEquals(ServingStatus.SERVING, status(health, "protogate.demo.StreamingDemo"));
    } finally {
      upstream.close();
    }
  }

  static void awaitHealth(HealthGrpc.HealthBlockingStub health, String service,
      ServingStatus expected) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    ServingStatus now = null;
    while (System.nanoTime() < until && (now = status(health, service)) != expected) {
      Thread.sleep(50);
    }
    assertEquals(expected, now, "health of " + service);
  }

  /** The service's health, or null while the gateway has none for it (NOT_FOUND). */
  static ServingStatus status(HealthGrpc.HealthBlockingStub health, String service) {
    try {
      return health.withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  /** Runs a call of any type with these JSON requests, and returns the responses. */
  static List<DynamicMessage> call(Gateway gateway, String fullMethodName, List<String> requests)
      throws InterruptedException {
    return call(gateway.channel, fullMethodName, requests);
  }

  static List<DynamicMessage> call(io.grpc.Channel channel, String fullMethodName,
      List<String> requests) throws InterruptedException {
    Descriptors.MethodDescriptor method = Gateway.method(fullMethodName);
    Iterator<DynamicMessage> messages = requests.stream()
        .map(json -> Gateway.message(method.getInputType(), json)).iterator();
    List<DynamicMessage> responses = new ArrayList<>();
    DynamicCalls.Outcome outcome = DynamicCalls.run(channel, method,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), messages, responses::add);
    assertEquals(Status.Code.OK, outcome.status().getCode(), outcome.status().toString());
    return responses;
  }

  /** The first answer of {@code call} within two seconds, trying every 100 ms. */
  static <T> T eventually(java.util.function.Supplier<T> call) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (true) {
      try {
        return call.get();
      } catch (StatusRuntimeException e) {
        if (System.nanoTime() > until) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  /** Waits until {@code value} stops changing for half a second, and returns it. */
  private static int settle(java.util.function.IntSupplier value) throws InterruptedException {
    int last = -1;
    int now = value.getAsInt();
    while (now != last) {
      last = now;
      Thread.sleep(500);
      now = value.getAsInt();
    }
    return now;
  }

  static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
