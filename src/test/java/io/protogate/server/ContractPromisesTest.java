package io.protogate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.protogate.client.DynamicCalls;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Fields;
import io.protogate.handler.Handlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** README promises about swaps, the version header and shutdown, each checked on the wire. */
class ContractPromisesTest {
  private static final String HELLO = "GrpcService/hello";

  /** A unary hello call's outcome: response headers, trailers, status, the answer. */
  private record Answer(Metadata headers, Metadata trailers, Status status, DynamicMessage body) {}

  private static CompletableFuture<Answer> hello(ServerFixture fixture) {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    var method = ServerFixture.method(HELLO);
    ClientCall<DynamicMessage, DynamicMessage> call = fixture.channel.newCall(
        DynamicCalls.methodDescriptor(method),
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS));
    Metadata[] headers = new Metadata[1];
    DynamicMessage[] body = new DynamicMessage[1];
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onHeaders(Metadata h) {
        headers[0] = h;
      }

      @Override
      public void onMessage(DynamicMessage message) {
        body[0] = message;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        answer.complete(new Answer(headers[0], trailers, status, body[0]));
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(fixture.message(method.getInputType(), "{\"data\": \"x\"}"));
    call.halfClose();
    return answer;
  }

  @Test
  void callInFlightAcrossASwap_finishesOnTheOldContract_newCallsSeeTheNew() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Handlers handlers = Handlers.builder().unary(HELLO, (request, call) -> {
      started.countDown();
      release.await(20, TimeUnit.SECONDS);
      // What the handler answers with is the method as the call started with it.
      return Fields.set(call.newResponse(), "result", call.method().getFile().getName()).build();
    }).build();
    Schema next = SchemaLoader.load(List.of(Path.of("descriptors/hello.desc")));
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      CompletableFuture<Answer> inFlight = hello(fixture);
      assertTrue(started.await(10, TimeUnit.SECONDS));

      fixture.server.swap(next);
      release.countDown();
      Answer old = inFlight.get(20, TimeUnit.SECONDS);
      Answer fresh = hello(fixture).get(20, TimeUnit.SECONDS);

      assertNotEquals(ServerFixture.BUNDLED.version(), next.version());
      assertEquals(Status.Code.OK, old.status().getCode());
      assertEquals(ServerFixture.BUNDLED.version(), old.headers().get(VersionHeader.KEY));
      assertEquals(next.version(), fresh.headers().get(VersionHeader.KEY));
    }
  }

  @Test
  void callFailingBeforeAnyHeader_versionInTheTrailers() throws Exception {
    Handlers handlers = Handlers.builder().unary(HELLO, (request, call) -> {
      throw Status.NOT_FOUND.withDescription("no such x").asRuntimeException();
    }).build();
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      Answer answer = hello(fixture).get(20, TimeUnit.SECONDS);

      assertEquals(Status.Code.NOT_FOUND, answer.status().getCode());
      assertNull(answer.headers());
      assertEquals(ServerFixture.BUNDLED.version(), answer.trailers().get(VersionHeader.KEY));
    }
  }

  @Test
  void callStillRunningAfterTheGracePeriod_cancelled_andTheHandlerSeesIt() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch handlerSawCancel = new CountDownLatch(1);
    Handlers handlers = Handlers.builder().unary(HELLO, (request, call) -> {
      call.onCancel(handlerSawCancel::countDown);
      started.countDown();
      handlerSawCancel.await(30, TimeUnit.SECONDS);
      return call.newResponse().build();
    }).build();
    ProtogateServer server = ProtogateServer.builder(ServerFixture.BUNDLED).handlers(handlers)
        .port(0).shutdownGrace(Duration.ofSeconds(1)).build().start();
    try (ServerFixture.Channel channel = new ServerFixture.Channel(server.port())) {
      CompletableFuture<Answer> inFlight = helloOn(channel);
      assertTrue(started.await(10, TimeUnit.SECONDS));

      server.close();

      assertTrue(handlerSawCancel.await(10, TimeUnit.SECONDS), "the handler was not told");
      Status status = inFlight.get(10, TimeUnit.SECONDS).status();
      assertTrue(status.getCode() == Status.Code.CANCELLED
          || status.getCode() == Status.Code.UNAVAILABLE, status.toString());
    } finally {
      server.stopNow();
    }
  }

  private static CompletableFuture<Answer> helloOn(ServerFixture.Channel channel) {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    var method = ServerFixture.method(HELLO);
    ClientCall<DynamicMessage, DynamicMessage> call = channel.channel.newCall(
        DynamicCalls.methodDescriptor(method),
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS));
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        answer.complete(new Answer(null, trailers, status, null));
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(DynamicMessage.getDefaultInstance(method.getInputType()));
    call.halfClose();
    return answer;
  }
}
