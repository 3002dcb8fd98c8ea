package io.protogate.server;

import com.google.protobuf.Descriptors;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.protogate.contract.Contract;
import io.protogate.contract.ContractException;
import io.protogate.contract.Part;
import io.protogate.descriptor.Schema;
import io.protogate.handler.Handlers;
import io.protogate.handler.MethodHandler;
import io.protogate.stub.ExampleResponses;
import io.protogate.stub.Recorder;
import io.protogate.stub.StubAnswers;
import io.protogate.stub.StubSet;
import io.protogate.stub.Stubs;
import io.protogate.upstream.PassThrough;
import io.protogate.upstream.UpstreamChannels;
import io.protogate.upstream.UpstreamRouting;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one place that decides what answers each method of a contract, in this order: a Java
 * handler, else a stub, else an upstream route, else a bundled demo handler, else (with {@code
 * --mock-all}) an example response, else {@code UNIMPLEMENTED} naming the method. The decision is
 * made once per contract, when it is derived, into {@link Services}: the service definitions
 * every door calls through, carrying the proto descriptors reflection needs. Every method moves
 * raw bytes both ways; each tier parses what it needs, so a pass-through tier never parses at all.
 */
final class Dispatch {
  /** The service definitions of one contract, and its methods by gRPC full name. */
  record Services(
      List<ServerServiceDefinition> definitions,
      Map<String, ServerMethodDefinition<?, ?>> methods) {}

  private final Handlers handlers;
  private final Handlers demo;
  private final StubAnswers stubs;
  /** Records the calls forwarded upstream; null when not recording. */
  private final Recorder recorder;
  /** The upstream tier of each contract: derived before {@link #services}, which reads it. */
  final Part<UpstreamRouting> upstreams;
  final Part<Services> services = Part.derived("service definitions", this::derive);

  /**
   * The stub tier reads {@link Stubs#CHECKED}: register it on the live contract first. With a
   * {@code recorder}, every call forwarded upstream is recorded as a stub.
   */
  Dispatch(Handlers handlers, Handlers demo, StubAnswers stubs, UpstreamChannels channels,
      Recorder recorder) {
    this.handlers = handlers;
    this.demo = demo;
    this.stubs = stubs;
    this.recorder = recorder;
    this.upstreams = Part.derived("upstream routing", (contract, previous) ->
        UpstreamRouting.build(contract.schema().services(),
            contract.part(UpstreamRouting.ROUTES), channels));
  }

  /** True if some Java handler may block, so that some calls need a thread of their own. */
  boolean anyMayBlock() {
    return !handlers.allNonBlocking();
  }

  /** True if calls of {@code fullMethodName} go to a handler that may block. */
  boolean mayBlock(String fullMethodName) {
    return handlers.find(fullMethodName).isPresent() && !handlers.isNonBlocking(fullMethodName);
  }

  private Services derive(Contract contract, Contract previous) throws ContractException {
    if (previous != null) {
      keepsHandledMethods(previous.schema(), contract.schema());
    }
    List<ServerServiceDefinition> definitions = new ArrayList<>();
    Map<String, ServerMethodDefinition<?, ?>> methods = new HashMap<>();
    VersionHeader version = new VersionHeader(contract.version());
    for (Descriptors.ServiceDescriptor service : contract.schema().services()) {
      ServerServiceDefinition definition =
          ServerInterceptors.intercept(define(service, contract), version);
      definitions.add(definition);
      for (ServerMethodDefinition<?, ?> method : definition.getMethods()) {
        methods.put(method.getMethodDescriptor().getFullMethodName(), method);
      }
    }
    return new Services(List.copyOf(definitions), Map.copyOf(methods));
  }

  /**
   * Refuses a contract that drops a method a Java handler answers now: the handler was written for
   * it, so its disappearance is a mistake whatever the breaking-change mode.
   */
  private void keepsHandledMethods(Schema served, Schema next) throws ContractException {
    for (String method : handlers.methods()) {
      if (served.findMethod(method).isPresent() && next.findMethod(method).isEmpty()) {
        throw new ContractException("method " + method + " is answered by the handler "
            + handlers.find(method).orElseThrow().getClass().getName() + ", but the new contract"
            + " no longer has it; keep the method in the contract, or remove its handler first");
      }
    }
  }

  private ServerServiceDefinition define(Descriptors.ServiceDescriptor service, Contract contract)
      throws ContractException {
    List<MethodDescriptor<InputStream, InputStream>> methods = new ArrayList<>();
    for (Descriptors.MethodDescriptor method : service.getMethods()) {
      methods.add(
          MethodDescriptor.<InputStream, InputStream>newBuilder()
              .setType(Schema.methodType(method))
              .setFullMethodName(Schema.fullMethodName(method))
              .setRequestMarshaller(PassThrough.INSTANCE)
              .setResponseMarshaller(PassThrough.INSTANCE)
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
      definition.addMethod(methods.get(i), answer(service.getMethods().get(i), contract));
    }
    return definition.build();
  }

  /** The tiers, in order: the first that has something for the method answers it. */
  private ServerCallHandler<InputStream, InputStream> answer(
      Descriptors.MethodDescriptor method, Contract contract) throws ContractException {
    String name = Schema.fullMethodName(method);
    MethodHandler handler = handlers.find(name).orElse(null);
    if (handler != null) {
      return answeredBy("handler", HandlerCalls.of(method, handler));
    }
    ServerCallHandler<InputStream, InputStream> forward =
        contract.part(upstreams).handler(name).orElse(null);
    if (forward != null && recorder != null) {
      // Inside partial mocking: only the calls that do reach the upstream are recorded.
      forward = recorder.recording(contract.schema(), method, forward);
    }
    StubSet stubbed = contract.part(Stubs.CHECKED);
    if (stubbed.answers(name)) {
      ServerCallHandler<InputStream, InputStream> stub =
          HandlerCalls.of(method, stubs.handler(stubbed, method));
      // Partial mocking: a request no stub matches goes to the method's upstream route.
      return answeredBy("stub", forward == null || method.isClientStreaming()
          ? stub : new StubOrElse(method, stub, forward, stubbed));
    }
    if (forward != null) {
      return answeredBy("upstream " + contract.part(upstreams).services()
          .get(method.getService().getFullName()), forward);
    }
    MethodHandler bundled = demo.find(name).orElse(null);
    if (bundled != null) {
      return answeredBy("demo", HandlerCalls.of(method, bundled));
    }
    if (contract.part(Stubs.MOCK_ALL)) {
      return answeredBy("example", HandlerCalls.of(method, ExampleResponses.handler(method)));
    }
    return answeredBy("unimplemented", unimplemented(name));
  }

  /** Tells whoever asked, through {@link CallTags#ANSWERED_BY}, which tier answers the call. */
  static ServerCallHandler<InputStream, InputStream> answeredBy(
      String tier, ServerCallHandler<InputStream, InputStream> handler) {
    return (call, headers) -> {
      AtomicReference<String> slot = CallTags.ANSWERED_BY.get();
      if (slot != null) {
        slot.set(tier);
      }
      return handler.startCall(call, headers);
    };
  }

  private static ServerCallHandler<InputStream, InputStream> unimplemented(String name) {
    Status status =
        Status.UNIMPLEMENTED.withDescription(
            "method " + name + " is in the served contract but nothing answers it: register a"
                + " HandlerProvider for it, or route its service to an upstream");
    return (call, headers) -> {
      call.close(status, new Metadata());
      return new ServerCall.Listener<>() {};
    };
  }
}
