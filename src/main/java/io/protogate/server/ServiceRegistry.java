package io.protogate.server;

import io.grpc.HandlerRegistry;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dynamic services as one immutable snapshot, published by a single volatile write so that a
 * new set replaces the old in one step: a call resolves its method once, when it starts, and
 * reflection lists exactly one snapshot's services, never half of two.
 */
final class ServiceRegistry extends HandlerRegistry {
  private record Snapshot(
      List<ServerServiceDefinition> services, Map<String, ServerMethodDefinition<?, ?>> methods) {}

  private volatile Snapshot snapshot;

  ServiceRegistry(List<ServerServiceDefinition> services) {
    replace(services);
  }

  void replace(List<ServerServiceDefinition> services) {
    Map<String, ServerMethodDefinition<?, ?>> methods = new HashMap<>();
    for (ServerServiceDefinition service : services) {
      for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
        methods.put(method.getMethodDescriptor().getFullMethodName(), method);
      }
    }
    snapshot = new Snapshot(List.copyOf(services), Map.copyOf(methods));
  }

  @Override
  public List<ServerServiceDefinition> getServices() {
    return snapshot.services();
  }

  @Override
  public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
    return snapshot.methods().get(methodName);
  }
}
