package io.protogate.server;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.protogate.descriptor.Schema;
import io.protogate.handler.BidiStreamingHandler;
import io.protogate.handler.CallContext;
import io.protogate.handler.ClientStreamingHandler;
import io.protogate.handler.Handlers;
import io.protogate.handler.MethodHandler;
import io.protogate.handler.ServerStreamingHandler;
import io.protogate.handler.UnaryHandler;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Builds one {@link ServerServiceDefinition} per service of a {@link Schema}, each method routed
 * to its handler by full method name, or answering {@code UNIMPLEMENTED} when it has none. The
 * definitions carry the proto descriptors that reflection needs.
 */
final class DynamicServices {
  /** Hands request bytes through untouched: {@link RequestParsingCallHandler} parses them. */
  private static final MethodDescriptor.Marshaller<InputStream> UNPARSED_REQUEST =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(InputStream value) {
          return value;
        }

        @Override
        public InputStream parse(InputStream stream) {
          return stream;
        }
      };

  private DynamicServices() {}

  static List<ServerServiceDefinition> build(Schema schema, Handlers handlers) {
    List<ServerServiceDefinition> definitions = new ArrayList<>();
    VersionHeader version = new VersionHeader(schema.version());
    for (Descriptors.ServiceDescriptor service : schema.services()) {
      definitions.add(ServerInterceptors.intercept(build(service, handlers), version));
    }
    return definitions;
  }

  private static ServerServiceDefinition build(
      Descriptors.ServiceDescriptor service, Handlers handlers) {
    List<MethodDescriptor<InputStream, DynamicMessage>> methods = new ArrayList<>();
    for (Descriptors.MethodDescriptor method : service.getMethods()) {
      methods.add(
          MethodDescriptor.<InputStream, DynamicMessage>newBuilder()
              .setType(Schema.methodType(method))
              .setFullMethodName(Schema.fullMethodName(method))
              .setRequestMarshaller(UNPARSED_REQUEST)
              .setResponseMarshaller(
                  ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
              .setSchemaDescriptor(new SchemaSuppliers.Method(method))
              .build());
    }
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(service.getFullName())
            .setSchemaDescriptor(new SchemaSuppliers.Service(service));
    methods.forEach(descriptor::addMethod);
    // grpc-java insists on the very MethodDescriptor instances of the ServiceDescriptor here.
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(descriptor.build());
    for (int i = 0; i < methods.size(); i++) {
      Descriptors.MethodDescriptor method = service.getMethods().get(i);
      definition.addMethod(methods.get(i), callHandler(method, handlers));
    }
    return definition.build();
  }

  private static ServerCallHandler<InputStream, DynamicMessage> callHandler(
      Descriptors.MethodDescriptor method, Handlers handlers) {
    String name = Schema.fullMethodName(method);
    MethodHandler handler = handlers.find(name).orElse(null);
    if (handler == null) {
      return (call, headers) -> {
        call.close(
            Status.UNIMPLEMENTED.withDescription(
                "method "
                    + name
                    + " is in the served contract but has no handler; register a HandlerProvider"
                    + " for it"),
            new Metadata());
        return new io.grpc.ServerCall.Listener<>() {};
      };
    }
    checkShape(method, handler);
    return new RequestParsingCallHandler(method, perCall(name, handler));
  }

  private static void checkShape(Descriptors.MethodDescriptor method, MethodHandler handler) {
    Class<? extends MethodHandler> expected =
        switch (Schema.methodType(method)) {
          case UNARY -> UnaryHandler.class;
          case SERVER_STREAMING -> ServerStreamingHandler.class;
          case CLIENT_STREAMING -> ClientStreamingHandler.class;
          default -> BidiStreamingHandler.class;
        };
    if (!expected.isInstance(handler)) {
      throw new IllegalArgumentException(
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
    String expected = method.getOutputType().getFullName();
    if (response == null || !response.getDescriptorForType().getFullName().equals(expected)) {
      throw new IllegalStateException(
          "handler for " + name + " returned " + (response == null ? "null" : "a "
              + response.getDescriptorForType().getFullName()) + " instead of a " + expected);
    }
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
