package io.protogate.upstream;

import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.ServerCallHandler;
import io.protogate.contract.Part;
import io.protogate.descriptor.Schema;
import java.io.InputStream;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The upstream tier of one contract, immutable: for every method of a routed service, the handler
 * that forwards its calls to the service's upstream. Computed once per contract, so a call finds
 * its handler with one map lookup and keeps it, with its channel, until it ends: a swap that moves
 * a route affects only the calls that start after it.
 */
public final class UpstreamRouting {
  /**
   * The routes of a contract, an input set by {@code serve --upstream} and the configuration
   * file: a swap that changes them and the schema moves both in one step.
   */
  public static final Part<Routes> ROUTES = Part.input("upstream routes", Routes.none());

  private static final UpstreamRouting NONE = new UpstreamRouting(Map.of(), Map.of());

  private final Map<String, ServerCallHandler<InputStream, InputStream>> handlers;
  private final Map<String, Upstream> services;

  private UpstreamRouting(Map<String, ServerCallHandler<InputStream, InputStream>> handlers,
      Map<String, Upstream> services) {
    this.handlers = handlers;
    this.services = services;
  }

  public static UpstreamRouting none() {
    return NONE;
  }

  /** Routes the services of {@code services} that {@code routes} cover, over {@code channels}. */
  public static UpstreamRouting build(
      List<ServiceDescriptor> services, Routes routes, UpstreamChannels channels) {
    if (routes.isEmpty()) {
      return NONE;
    }
    Map<String, ServerCallHandler<InputStream, InputStream>> handlers = new HashMap<>();
    Map<String, Upstream> routed = new LinkedHashMap<>();
    for (ServiceDescriptor service : services) {
      Route route = routes.find(service.getFullName()).orElse(null);
      if (route == null) {
        continue;
      }
      Upstream upstream = route.upstream();
      routed.put(service.getFullName(), upstream);
      for (MethodDescriptor method : service.getMethods()) {
        String name = Schema.fullMethodName(method);
        handlers.put(name, new ForwardingCallHandler(channels.channel(upstream),
            channels.calls(upstream),
            PassThrough.method(name, Schema.methodType(method)), upstream,
            service.getFullName()));
      }
    }
    return new UpstreamRouting(Map.copyOf(handlers), Collections.unmodifiableMap(routed));
  }

  /** The handler forwarding {@code fullMethodName} ({@code pkg.Service/Method}), if routed. */
  public Optional<ServerCallHandler<InputStream, InputStream>> handler(String fullMethodName) {
    return Optional.ofNullable(handlers.get(fullMethodName));
  }

  /** Each routed service's full name and its upstream, in contract order. */
  public Map<String, Upstream> services() {
    return services;
  }
}
