package io.protogate.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.HashMap;
import java.util.Map;

/**
 * Answers a request that does not parse with {@code INVALID_ARGUMENT}, for the services that
 * parse their own requests (reflection, health), as the contract's methods do. grpc-java would
 * end such a call with {@code UNKNOWN} "Application error processing RPC" from below every
 * interceptor, so without the contract version header either. The service is given raw messages
 * (grpc-java's {@code useInputStreamMessages}), so that parsing happens where a failure can be
 * caught and answered.
 */
final class ParseFailures implements ServerInterceptor {
  /** The request type of each method, by full method name, to name in the answer. */
  private final Map<String, String> requestTypes;

  private ParseFailures(Map<String, String> requestTypes) {
    this.requestTypes = requestTypes;
  }

  static ServerServiceDefinition answeredIn(ServerServiceDefinition service) {
    Map<String, String> types = new HashMap<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      MethodDescriptor<?, ?> descriptor = method.getMethodDescriptor();
      types.put(descriptor.getFullMethodName(),
          descriptor.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
              && p.getMessagePrototype() instanceof Message prototype
              ? prototype.getDescriptorForType().getFullName() : "request message");
    }
    return ServerInterceptors.intercept(
        ServerInterceptors.useInputStreamMessages(service), new ParseFailures(Map.copyOf(types)));
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String type = requestTypes.get(call.getMethodDescriptor().getFullMethodName());
    return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      private boolean refused;

      @Override
      public void onMessage(ReqT message) {
        if (refused) {
          return;
        }
        try {
          super.onMessage(message);
        } catch (StatusRuntimeException e) {
          if (!(e.getCause() instanceof InvalidProtocolBufferException invalid)) {
            throw e;
          }
          refused = true;
          call.close(Status.INVALID_ARGUMENT.withDescription(
              "the request is not a valid " + type + ": " + invalid.getMessage()), new Metadata());
        }
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }

      @Override
      public void onReady() {
        if (!refused) {
          super.onReady();
        }
      }
    };
  }
}
