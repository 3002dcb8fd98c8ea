package io.protogate.client;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.protogate.descriptor.Schema;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Calls a method known only by its proto descriptor, with {@code DynamicMessage}s both ways, on
 * any gRPC channel.
 */
public final class DynamicCalls {
  private DynamicCalls() {}

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
}
