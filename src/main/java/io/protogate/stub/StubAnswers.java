package io.protogate.stub;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.protogate.descriptor.Schema;
import io.protogate.handler.AsyncUnaryHandler;
import io.protogate.handler.BidiStreamingHandler;
import io.protogate.handler.CallContext;
import io.protogate.handler.ClientStreamingHandler;
import io.protogate.handler.MethodHandler;
import io.protogate.handler.ServerStreamingHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Answers methods from stubs, as {@link MethodHandler}s, so a stubbed call goes through the same
 * request parsing, errors and version header as a Java handler. Stubs never block: a delay is a
 * timer, not a sleeping thread, so stub calls run on the transport's event loop. A call no stub
 * matches ends with {@code NOT_FOUND} naming the closest stub and what differed. Every call is
 * written to the {@link History}.
 */
public final class StubAnswers {
  private final History history;

  public StubAnswers(History history) {
    this.history = history;
  }

  public History history() {
    return history;
  }

  /** The handler of {@code method} answering from {@code stubs}, in the method's call shape. */
  public MethodHandler handler(StubSet stubs, MethodDescriptor method) {
    String name = Schema.fullMethodName(method);
    return switch (Schema.methodType(method)) {
      case UNARY -> (AsyncUnaryHandler) (request, call) -> unary(stubs, name, request, call);
      case SERVER_STREAMING -> (ServerStreamingHandler) (request, call, responses) ->
          new Exchange(stubs, name, call, responses).serverStreaming(request);
      case CLIENT_STREAMING -> (ClientStreamingHandler) (call, responses) ->
          new Exchange(stubs, name, call, responses).requests(false);
      default -> (BidiStreamingHandler) (call, responses) ->
          new Exchange(stubs, name, call, responses).requests(true);
    };
  }

  private CompletableFuture<DynamicMessage> unary(
      StubSet stubs, String name, DynamicMessage request, CallContext call) {
    CompletableFuture<DynamicMessage> result = new CompletableFuture<>();
    Exchange exchange = new Exchange(stubs, name, call, new StreamObserver<>() {
      @Override
      public void onNext(DynamicMessage value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    exchange.received.add(stubs.tree(request));
    exchange.answerAll(false);
    return result;
  }

  /**
   * One call's conversation with the stubs: the requests received so far, and a chain of steps
   * (each after its stub's delay) that sends answers in order, from one thread at a time.
   */
  private final class Exchange implements StreamObserver<DynamicMessage> {
    private final StubSet stubs;
    private final String name;
    private final CallContext call;
    private final StreamObserver<DynamicMessage> responses;
    private final Map<String, Object> headers;
    // Added to on the transport's thread, read by delayed steps on the timer's.
    private final List<Map<String, Object>> received = new CopyOnWriteArrayList<>();
    private CompletableFuture<Void> steps = CompletableFuture.completedFuture(null);
    private volatile boolean ended;
    private volatile String stubId;

    Exchange(StubSet stubs, String name, CallContext call,
        StreamObserver<DynamicMessage> responses) {
      this.stubs = stubs;
      this.name = name;
      this.call = call;
      this.responses = responses;
      this.headers = StubSet.headers(call.headers());
    }

    void serverStreaming(DynamicMessage request) {
      received.add(stubs.tree(request));
      answerAll(false);
    }

    StreamObserver<DynamicMessage> requests(boolean bidi) {
      return bidi ? new StreamObserver<>() {
        @Override
        public void onNext(DynamicMessage value) {
          received.add(stubs.tree(value));
          answerLatest();
        }

        @Override
        public void onError(Throwable t) {
          ended = true;
        }

        @Override
        public void onCompleted() {
          then(Duration.ZERO, () -> finish(null));
        }
      } : this;
    }

    // Client streaming: collect, then answer once.
    @Override
    public void onNext(DynamicMessage value) {
      received.add(stubs.tree(value));
    }

    @Override
    public void onError(Throwable t) {
      ended = true;
    }

    @Override
    public void onCompleted() {
      answerAll(false);
    }

    /** Answers everything received with the stub it matches: its data or whole stream. */
    void answerAll(boolean prefix) {
      Stub stub = select(prefix);
      if (stub == null) {
        return;
      }
      Output output = stub.output();
      Map<String, Object> last = received.isEmpty() ? Map.of() : received.get(
          received.size() - 1);
      addHeaders(output, last);
      List<Map<String, Object>> messages;
      if (!call.method().isServerStreaming()) {
        // One answer: the error if the stub has one (as GripMock), else the data.
        messages = output.fails() ? List.of() : List.of(dataOrEmpty(output));
      } else {
        messages = output.stream() != null ? output.stream()
            : output.data() != null ? List.of(output.data()) : List.of();
      }
      for (Map<String, Object> message : messages) {
        then(output.delay(), () -> send(message, last));
      }
      then(messages.isEmpty() ? output.delay() : Duration.ZERO,
          () -> finish(output.fails() ? error(stub, last) : null));
    }

    /**
     * Bidirectional streaming: answers the latest message. A stub with {@code inputs} answers
     * message i with {@code stream[i]} (or its data), and ends the call with its error after its
     * last input; a stub with {@code input} answers each message with its data or whole stream.
     */
    private void answerLatest() {
      Stub stub = select(true);
      if (stub == null) {
        return;
      }
      Output output = stub.output();
      Map<String, Object> last = received.get(received.size() - 1);
      int index = stub.inputs() == null ? -1 : received.size() - 1;
      if (received.size() == 1) {
        addHeaders(output, last);
      }
      List<Map<String, Object>> messages;
      if (output.stream() != null) {
        messages = index < 0 ? output.stream() : index < output.stream().size()
            ? List.of(output.stream().get(index)) : List.of();
      } else {
        messages = output.fails() && output.data() == null ? List.of()
            : List.of(dataOrEmpty(output));
      }
      for (Map<String, Object> message : messages) {
        then(output.delay(), () -> send(message, last));
      }
      if (output.fails() && (index < 0 || index == stub.inputs().size() - 1)) {
        then(messages.isEmpty() ? output.delay() : Duration.ZERO,
            () -> finish(error(stub, last)));
      }
    }

    private Map<String, Object> dataOrEmpty(Output output) {
      return output.data() == null ? Map.of() : output.data();
    }

    private Stub select(boolean prefix) {
      StubSet.Selection selection = stubs.select(name, headers, received, prefix);
      if (selection.stub() == null) {
        finish(Status.NOT_FOUND.withDescription(selection.miss()).asRuntimeException());
        return null;
      }
      stubId = selection.stub().id();
      return selection.stub();
    }

    private void addHeaders(Output output, Map<String, Object> request) {
      output.headers().forEach((key, value) -> call.responseHeaders().put(
          Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER),
          Trees.text(Templates.render(value, request, headers))));
    }

    private StatusRuntimeException error(Stub stub, Map<String, Object> request) {
      Output output = stub.output();
      String message = output.error() == null ? ""
          : Trees.text(Templates.render(output.error(), request, headers));
      if (output.details().isEmpty()) {
        return Status.fromCode(output.code()).withDescription(message).asRuntimeException();
      }
      return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(output.code().value())
          .setMessage(message)
          .addAllDetails(stubs.details(stub))
          .build());
    }

    private void send(Map<String, Object> message, Map<String, Object> request) {
      if (ended || call.isCancelled()) {
        return;
      }
      DynamicMessage response = stubs.prebuilt(message);
      try {
        if (response == null) {
          response = stubs.message(call.responseType(),
              Templates.render(message, request, headers));
        }
      } catch (IllegalArgumentException e) {
        finish(Status.INTERNAL.withDescription("stub " + stubId + ": " + e.getMessage())
            .asRuntimeException());
        return;
      }
      responses.onNext(response);
    }

    /** Ends the call once: with {@code failure}, or successfully when it is null. */
    private void finish(StatusRuntimeException failure) {
      if (ended) {
        return;
      }
      ended = true;
      history.add(new History.Call(Instant.now(), name, List.copyOf(received), headers, stubId,
          failure == null ? "OK" : failure.getStatus().getCode().name(),
          failure == null ? null : failure.getStatus().getDescription()));
      if (call.isCancelled()) {
        return;
      }
      if (failure == null) {
        responses.onCompleted();
      } else {
        responses.onError(failure);
      }
    }

    /** Runs {@code step} after the steps before it, {@code delay} after they are done. */
    private synchronized void then(Duration delay, Runnable step) {
      steps = steps.thenCompose(ignored -> delay.isZero()
              ? CompletableFuture.completedFuture(null)
              : CompletableFuture.runAsync(() -> {},
                  CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS,
                      Runnable::run)))
          .thenRun(step);
    }
  }
}
