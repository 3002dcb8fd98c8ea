package io.protogate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.protogate.client.DynamicCalls;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the server stops: promptly, completely, whatever is open or interrupts it. */
class ShutdownTest {
  private static final String ECHO = "protogate.demo.StreamingDemo/Echo";

  private static ProtogateServer start(Duration grace) {
    return ProtogateServer.builder(ServerFixture.BUNDLED)
        .demoHandlers(BuiltinHandlers.demo())
        .port(0)
        .shutdownGrace(grace)
        .build()
        .start();
  }

  @Test
  void openHealthWatch_toldNotServingThenEnded_doesNotHoldShutdownForTheGrace()
      throws Exception {
    ProtogateServer server = start(Duration.ofSeconds(60));
    try (ServerFixture.Channel channel = new ServerFixture.Channel(server.port())) {
      LinkedBlockingQueue<Object> watched = new LinkedBlockingQueue<>();
      HealthGrpc.newStub(channel.channel).watch(HealthCheckRequest.getDefaultInstance(),
          new StreamObserver<>() {
            @Override
            public void onNext(HealthCheckResponse value) {
              watched.add(value.getStatus());
            }

            @Override
            public void onError(Throwable t) {
              watched.add(Status.fromThrowable(t).getCode());
            }

            @Override
            public void onCompleted() {
              watched.add(Status.Code.OK);
            }
          });
      assertEquals(ServingStatus.SERVING, watched.poll(10, TimeUnit.SECONDS));

      Thread closer = new Thread(() -> {
        try {
          server.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      closer.start();
      closer.join(20_000);

      assertTrue(!closer.isAlive(), "an open Watch held shutdown");
      assertEquals(ServingStatus.NOT_SERVING, watched.poll(10, TimeUnit.SECONDS));
      assertEquals(Status.Code.UNAVAILABLE, watched.poll(10, TimeUnit.SECONDS));
    } finally {
      server.stopNow();
    }
  }

  @Test
  void closeInterrupted_stillStopsTheServer_andCancelsCallsInFlight() throws Exception {
    ProtogateServer server = start(Duration.ofSeconds(60));
    try (ServerFixture.Channel channel = new ServerFixture.Channel(server.port())) {
      var method = ServerFixture.method(ECHO);
      LinkedBlockingQueue<Status> ended = new LinkedBlockingQueue<>();
      CountDownLatch echoed = new CountDownLatch(1);
      ClientCall<DynamicMessage, DynamicMessage> call =
          channel.channel.newCall(DynamicCalls.methodDescriptor(method), CallOptions.DEFAULT);
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onMessage(DynamicMessage message) {
          echoed.countDown();
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          ended.add(status);
        }
      }, new Metadata());
      call.request(1);
      call.sendMessage(DynamicMessage.getDefaultInstance(method.getInputType()));
      assertTrue(echoed.await(10, TimeUnit.SECONDS), "the call never got going");

      Thread.currentThread().interrupt();
      try {
        assertThrows(InterruptedException.class, server::close);
      } finally {
        Thread.interrupted();
      }

      Status.Code code = ended.poll(10, TimeUnit.SECONDS).getCode();
      assertTrue(code == Status.Code.CANCELLED || code == Status.Code.UNAVAILABLE, code.name());
      server.awaitTermination();
    } finally {
      server.stopNow();
    }
  }
}
