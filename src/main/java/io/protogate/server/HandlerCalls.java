package io.protogate.server;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.ServerCallHandler;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.protogate.contract.ContractException;
import io.protogate.descriptor.Schema;
import io.protogate.handler.AsyncUnaryHandler;
import io.protogate.handler.BidiStreamingHandler;
import io.protogate.handler.CallContext;
import io.protogate.handler.ClientStreamingHandler;
import io.protogate.handler.MethodHandler;
import io.protogate.handler.ServerStreamingHandler;
import io.protogate.handler.UnaryHandler;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.logging.Logger;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * How a Java handler answers a call: requests parsed by {@link RequestParsingCallHandler}, the
 * handler run in the shape its method declares, and whatever it throws turned into a status by
 * {@link Failures} instead of escaping into gRPC.
 */
final class HandlerCalls {
  private static final Logger logger = Logger.getLogger(HandlerCalls.class.getName());

  private HandlerCalls() {}

  /**
   * The call handler for {@code method} answered by {@code handler}; refused if the handler's
   * shape does not fit the method's call type.
   */
  static ServerCallHandler<InputStream, InputStream> of(
      Descriptors.MethodDescriptor method, MethodHandler handler) throws ContractException {
    checkShape(method, handler);
    return new RequestParsingCallHandler(method, perCall(Schema.fullMethodName(method), handler));
  }

  private static void checkShape(Descriptors.MethodDescriptor method, MethodHandler handler)
      throws ContractException {
    Class<? extends MethodHandler> expected =
        switch (Schema.methodType(method)) {
          case UNARY -> handler instanceof AsyncUnaryHandler
              ? AsyncUnaryHandler.class : UnaryHandler.class;
          case SERVER_STREAMING -> ServerStreamingHandler.class;
          case CLIENT_STREAMING -> ClientStreamingHandler.class;
          default -> BidiStreamingHandler.class;
        };
    if (!expected.isInstance(handler)) {
      throw new ContractException(
          "the handler for "
              + Schema.fullMethodName(method)
              + " ("
              + handler.getClass().getName()
              + ") is not a "
              + expected.getSimpleName()
              + ", but the contract declares the method "
              + Schema.methodType(method));
    }
  }

  private static Function<CallContext, ServerCallHandler<DynamicMessage, DynamicMessage>> perCall(
      String name, MethodHandler handler) {
    if (handler instanceof UnaryHandler unary) {
      return call -> ServerCalls.asyncUnaryCall(
          (request, responses) -> {
            DynamicMessage response;
            try {
              response = unary.handle(request, call);
              checkResponse(name, call.method(), response);
            } catch (Exception e) {
              responses.onError(Failures.toStatus(name, e));
              return;
            }
            responses.onNext(response);
            responses.onCompleted();
          });
    }
    if (handler instanceof AsyncUnaryHandler async) {
      return call -> ServerCalls.asyncUnaryCall(
          (request, responses) -> {
            try {
              async.handle(request, call).whenComplete((response, failure) -> {
                if (failure == null) {
                  try {
                    checkResponse(name, call.method(), response);
                  } catch (StatusRuntimeException e) {
                    failure = e;
                  }
                }
                if (failure != null) {
                  responses.onError(Failures.toStatus(name, unwrap(failure)));
                  return;
                }
                responses.onNext(response);
                responses.onCompleted();
              });
            } catch (Exception e) {
              responses.onError(Failures.toStatus(name, e));
            }
          });
    }
    if (handler instanceof ServerStreamingHandler streaming) {
      return call -> ServerCalls.asyncServerStreamingCall(
          (request, responses) -> {
            try {
              streaming.handle(request, call, responses);
            } catch (Exception e) {
              responses.onError(Failures.toStatus(name, e));
            }
          });
    }
    if (handler instanceof ClientStreamingHandler clientStreaming) {
      return call -> ServerCalls.asyncClientStreamingCall(
          responses -> guarded(name, responses, () -> clientStreaming.handle(call, responses)));
    }
    BidiStreamingHandler bidi = (BidiStreamingHandler) handler;
    return call -> ServerCalls.asyncBidiStreamingCall(
        responses -> guarded(name, responses, () -> bidi.handle(call, responses)));
  }

  private static void checkResponse(
      String name, Descriptors.MethodDescriptor method, DynamicMessage response) {
    Status wrong = RequestParsingCallHandler.wrongResponse(method, response);
    if (wrong != null) {
      logger.warning(wrong.getDescription());
      throw wrong.asRuntimeException();
    }
  }

  /** A stage that failed hands its cause over wrapped in a {@link CompletionException}. */
  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
  }

  private static StreamObserver<DynamicMessage> guarded(
      String name,
      StreamObserver<DynamicMessage> responses,
      java.util.concurrent.Callable<StreamObserver<DynamicMessage>> start) {
    try {
      return new GuardedRequestObserver(name, start.call(), responses);
    } catch (Exception e) {
      responses.onError(Failures.toStatus(name, e));
      return new GuardedRequestObserver(name, null, responses);
    }
  }

  /**
   * Stands between the transport and a streaming handler's request observer, so that an exception
   * thrown while it takes a request ends the call with a status instead of escaping into gRPC.
   */
  private static final class GuardedRequestObserver implements StreamObserver<DynamicMessage> {
    private final String name;
    private final StreamObserver<DynamicMessage> requests;
    private final StreamObserver<DynamicMessage> responses;
    private boolean failed;

    GuardedRequestObserver(
        String name, StreamObserver<DynamicMessage> requests,
        StreamObserver<DynamicMessage> responses) {
      this.name = name;
      this.requests = requests;
      this.responses = responses;
      this.failed = requests == null;
    }

    @Override
    public void onNext(DynamicMessage value) {
      run(() -> requests.onNext(value));
    }

    @Override
    public void onError(Throwable t) {
      if (!failed) {
        failed = true;
        requests.onError(t);
      }
    }

    @Override
    public void onCompleted() {
      run(requests::onCompleted);
    }

    private void run(Runnable step) {
      if (failed) {
        return;
      }
      try {
        step.run();
      } catch (RuntimeException e) {
        failed = true;
        responses.onError(Failures.toStatus(name, e));
      }
    }
  }
}
