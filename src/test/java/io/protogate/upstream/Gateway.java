package io.protogate.upstream;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.protogate.client.DynamicCalls;
import io.protogate.contract.Contract;
import io.protogate.contract.ContractException;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.json.JsonCodec;
import io.protogate.server.ProtogateServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A Protogate gateway on loopback with the bundled contracts, their demo handlers and routes. */
final class Gateway implements AutoCloseable {
  static final JsonCodec JSON = JsonCodec.of(TestUpstream.BUNDLED);

  final ProtogateServer server;
  final ManagedChannel channel;

  Gateway(Routes routes) {
    server = ProtogateServer.builder(
            Contract.of(TestUpstream.BUNDLED).with(UpstreamRouting.ROUTES, routes))
        .port(0)
        .demoHandlers(BuiltinHandlers.demo())
        .shutdownGrace(Duration.ofSeconds(2))
        .build()
        .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  static Gateway routing(String... routes) {
    return new Gateway(Routes.of(List.of(routes).stream().map(Route::parse).toList()));
  }

  /** Routes as {@code routes} say from now on, in one swap. */
  void route(String... routes) throws ContractException {
    Routes next = Routes.of(List.of(routes).stream().map(Route::parse).toList());
    server.contract().update(current -> current.with(UpstreamRouting.ROUTES, next));
  }

  static Descriptors.MethodDescriptor method(String fullMethodName) {
    return TestUpstream.BUNDLED.findMethod(fullMethodName).orElseThrow();
  }

  static DynamicMessage message(Descriptors.Descriptor type, String json) {
    return JSON.parse(json, type);
  }

  /** {@code GrpcService/hello} with {@code data}, a 10 s deadline and these headers. */
  DynamicMessage hello(String data, Metadata headers, CallOptions options) {
    Descriptors.MethodDescriptor method = method("GrpcService/hello");
    return ClientCalls.blockingUnaryCall(
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
        DynamicCalls.methodDescriptor(method),
        options,
        message(method.getInputType(), "{\"data\": \"" + data + "\"}"));
  }

  DynamicMessage hello(String data) {
    return hello(data, new Metadata(),
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }
}
