package io.protogate.server;

import io.grpc.HandlerRegistry;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.protogate.contract.LiveContract;
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

  @Override
  public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
    return contract.current().part(dispatch.services).methods().get(methodName);
  }
}
