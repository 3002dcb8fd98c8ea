package io.protogate.handler.builtin;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.protogate.handler.CallContext;
import io.protogate.handler.Fields;
import io.protogate.handler.HandlerProvider;
import io.protogate.handler.Handlers;
import java.time.Instant;
import java.util.Map;

/**
 * The handlers for the contracts bundled with Protogate: {@code GrpcService/hello} answering as
 * the original Python service does, and the {@code protogate.demo.StreamingDemo} methods, one per
 * streaming call type. They are the demo tier: they answer only what no handler, stub or upstream
 * route answers, so a route for {@code GrpcService} takes over from the bundled {@code hello}.
 */
public final class BuiltinHandlers implements HandlerProvider {
  static final String HELLO = "GrpcService/hello";
  static final String COUNTDOWN = "protogate.demo.StreamingDemo/Countdown";
  static final String SUM = "protogate.demo.StreamingDemo/Sum";
  static final String ECHO = "protogate.demo.StreamingDemo/Echo";

  /** Countdown refuses more ticks than this, so one request cannot hold a stream for long. */
  static final int MAX_COUNTDOWN = 10_000;

  /** The bundled contracts' handlers, for {@code ProtogateServer.Builder.demoHandlers}. */
  public static Handlers demo() {
    return Handlers.builder().provider(new BuiltinHandlers()).build();
  }

  @Override
  public void register(Handlers.Builder handlers) {
    handlers
        .unary(HELLO, BuiltinHandlers::hello)
        .serverStreaming(COUNTDOWN, BuiltinHandlers::countdown)
        .clientStreaming(SUM, BuiltinHandlers::sum)
        .bidiStreaming(ECHO, BuiltinHandlers::echo)
        .nonBlocking(HELLO, COUNTDOWN, SUM, ECHO);
  }

  static DynamicMessage hello(DynamicMessage request, CallContext call) {
    String result =
        Fields.getString(request, "data")
            + Fields.getString(request, "skill.name")
            + " this is gprc test service";
    return Fields.set(
            Fields.set(call.newResponse(), "result", result), "map_result", Map.of("12", 1232))
        .build();
  }

  static void countdown(
      DynamicMessage request, CallContext call, StreamObserver<DynamicMessage> responses) {
    long from = Fields.getLong(request, "from");
    if (from < 0 || from > MAX_COUNTDOWN) {
      responses.onError(
          Status.INVALID_ARGUMENT
              .withDescription("from: " + from + " (expected: 0 to " + MAX_COUNTDOWN + ")")
              .asRuntimeException());
      return;
    }
    ServerCallStreamObserver<DynamicMessage> stream =
        (ServerCallStreamObserver<DynamicMessage>) responses;
    Countdown countdown = new Countdown(from, call, stream);
    stream.setOnReadyHandler(countdown::sendWhileReady);
    countdown.sendWhileReady();
  }

  /**
   * Sends ticks only while the transport takes them and picks up again when it is ready, so a
   * long countdown to a slow client neither piles up in memory nor holds the event loop.
   */
  private static final class Countdown {
    private final CallContext call;
    private final ServerCallStreamObserver<DynamicMessage> stream;
    private long remaining;
    private boolean completed;

    Countdown(long from, CallContext call, ServerCallStreamObserver<DynamicMessage> stream) {
      this.remaining = from;
      this.call = call;
      this.stream = stream;
    }

    void sendWhileReady() {
      while (remaining > 0 && stream.isReady() && !stream.isCancelled()) {
        Instant now = Instant.now();
        Timestamp at =
            Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()).build();
        DynamicMessage.Builder tick = call.newResponse();
        Fields.set(tick, "remaining", remaining);
        Fields.set(tick, "at", at);
        stream.onNext(tick.build());
        remaining--;
      }
      if (remaining == 0 && !completed && !stream.isCancelled()) {
        completed = true;
        stream.onCompleted();
      }
    }
  }

  static StreamObserver<DynamicMessage> sum(
      CallContext call, StreamObserver<DynamicMessage> responses) {
    return new StreamObserver<>() {
      long total;
      int count;

      @Override
      public void onNext(DynamicMessage number) {
        total += Fields.getLong(number, "value");
        count++;
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        DynamicMessage.Builder result = call.newResponse();
        Fields.set(result, "total", total);
        Fields.set(result, "count", count);
        responses.onNext(result.build());
        responses.onCompleted();
      }
    };
  }

  static StreamObserver<DynamicMessage> echo(
      CallContext call, StreamObserver<DynamicMessage> responses) {
    return new StreamObserver<>() {
      @Override
      public void onNext(DynamicMessage message) {
        responses.onNext(message);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }
}
