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
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How the server stops: promptly, completely, whatever is open or interrupts it. */
class ShutdownTest {
  private static final String ECHO = "protogate.demo.StreamingDemo/Echo";

  private static ProtogateServer start(Duration grace) {
    return ProtogateServer.builder(ServerFixture.BUNDLED)
        .handlers(Handlers.discovered(ShutdownTest.class.getClassLoader()))
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
      ClientCall<DynamicMessage, DynamicMessage> call =
          channel.channel.newCall(DynamicCalls.methodDescriptor(method), CallOptions.DEFAULT);
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onClose(Status status, Metadata trailers) {
          ended.add(status);
        }
      }, new Metadata());
      call.request(1);
      call.sendMessage(DynamicMessage.getDefaultInstance(method.getInputType()));

      Thread.currentThread().interrupt();
      assertThrows(InterruptedException.class, server::close);

      assertEquals(Status.Code.UNAVAILABLE, ended.poll(10, TimeUnit.SECONDS).getCode());
      server.awaitTermination();
    } finally {
      server.stopNow();
    }
  }
}
