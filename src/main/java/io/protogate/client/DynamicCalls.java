package io.protogate.client;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.protogate.descriptor.Schema;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Calls a method known only by its proto descriptor, with {@code DynamicMessage}s both ways, on
 * any gRPC channel: one code path for all four call types, sending each request as soon as it is
 * produced and handing each response over as soon as it arrives.
 */
public final class DynamicCalls {
  private DynamicCalls() {}

  /** Receives what the server sends, in order, on a gRPC thread. */
  public interface Listener {
    default void onHeaders(Metadata headers) {}

    void onMessage(DynamicMessage response);
  }

  /** How a call ended: its status and trailers, and whether the server ever answered. */
  public record Outcome(Status status, Metadata trailers, boolean serverAnswered) {}

  /** The grpc-java method descriptor for {@code method}, marshalling {@code DynamicMessage}s. */
  public static MethodDescriptor<DynamicMessage, DynamicMessage> methodDescriptor(
      Descriptors.MethodDescriptor method) {
    return MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
        .setType(Schema.methodType(method))
        .setFullMethodName(Schema.fullMethodName(method))
        .setRequestMarshaller(
            ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
        .setResponseMarshaller(
            ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
        .build();
  }

  /** One unary call, blocking, with a deadline. */
  public static DynamicMessage unary(
      Channel channel, Descriptors.MethodDescriptor method, DynamicMessage request,
      Duration deadline) {
    return ClientCalls.blockingUnaryCall(
        channel,
        methodDescriptor(method),
        CallOptions.DEFAULT.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS),
        request);
  }

  /**
   * Runs one call of any type: sends every request {@code requests} yields (pulled lazily, so a
   * request typed at a terminal goes out at once), then half-closes, and returns as soon as the
   * call ends, even while {@code requests} is still waiting for input: a deadline that passes or
   * a server that ends the call must not leave the caller blocked on a terminal. If {@code
   * requests} throws, the call is cancelled and the exception rethrown; so is an exception the
   * listener throws for a response.
   */
  public static Outcome run(
      Channel channel,
      Descriptors.MethodDescriptor method,
      CallOptions options,
      Iterator<DynamicMessage> requests,
      Listener listener)
      throws InterruptedException {
    ClientCall<DynamicMessage, DynamicMessage> call =
        channel.newCall(methodDescriptor(method), options);
    CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    call.start(
        new ClientCall.Listener<>() {
          private volatile boolean answered;

          @Override
          public void onHeaders(Metadata headers) {
            answered = true;
            listener.onHeaders(headers);
          }

          @Override
          public void onMessage(DynamicMessage message) {
            answered = true;
            try {
              listener.onMessage(message);
            } catch (RuntimeException e) {
              // grpc-java cancels the call when a listener throws; keep the reason for the caller.
              failure.compareAndSet(null, e);
              throw e;
            }
            call.request(1);
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            outcome.complete(new Outcome(status, trailers, answered || !trailers.keys().isEmpty()));
          }
        },
        new Metadata());
    call.request(1);
    // Reading requests may block (standard input), so it has a thread of its own; it is a daemon,
    // since nothing it could still send matters once the call has ended.
    Thread sender = new Thread(() -> {
      try {
        while (!outcome.isDone() && requests.hasNext()) {
          DynamicMessage request = requests.next();
          if (!outcome.isDone()) {
            call.sendMessage(request);
          }
        }
        call.halfClose();
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
        call.cancel("the client could not produce a request", e);
      }
    }, "protogate-requests");
    sender.setDaemon(true);
    sender.start();
    Outcome ended;
    try {
      ended = outcome.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return ended;
  }
}
