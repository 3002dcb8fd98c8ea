package io.protogate.server;

import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.protogate.contract.LiveContract;
import io.protogate.upstream.PassThrough;
import java.io.InputStream;
import java.util.List;

/**
 * The services of the contract served now, read from the {@link LiveContract} at every lookup: a
 * call resolves its method once, when it starts, against one published contract, and reflection
 * lists exactly one contract's services, never half of two.
 */
final class ServiceRegistry extends HandlerRegistry {
  private final LiveContract contract;
  private final Dispatch dispatch;

  ServiceRegistry(LiveContract contract, Dispatch dispatch) {
    this.contract = contract;
    this.dispatch = dispatch;
  }

  @Override
  public List<ServerServiceDefinition> getServices() {
    return contract.current().part(dispatch.services).definitions();
  }

  /**
   * The method's definition in the contract served now; for a name it does not have, one that
   * answers {@code UNIMPLEMENTED} through the server's interceptors (grpc-java's own answer would
   * bypass them, and with them the version header).
   */
  @Override
  public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
    ServerMethodDefinition<?, ?> known =
        contract.current().part(dispatch.services).methods().get(methodName);
    return known != null ? known : unknown(methodName);
  }

  private static ServerMethodDefinition<InputStream, InputStream> unknown(String methodName) {
    MethodDescriptor<InputStream, InputStream> method =
        MethodDescriptor.<InputStream, InputStream>newBuilder()
            .setType(MethodDescriptor.MethodType.UNKNOWN)
            .setFullMethodName(methodName)
            .setRequestMarshaller(PassThrough.INSTANCE)
            .setResponseMarshaller(PassThrough.INSTANCE)
            .build();
    Status status = Status.UNIMPLEMENTED.withDescription("unknown method " + methodName
        + ": the served contract has no such method (see them with: protogate list)");
    return ServerMethodDefinition.create(method, (call, headers) -> {
      call.close(status, new Metadata());
      return new ServerCall.Listener<>() {};
    });
  }
}
