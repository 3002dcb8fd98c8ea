package io.protogate.server;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.protogate.client.DynamicCalls;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.json.JsonCodec;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A Protogate server on a free loopback port and a plaintext channel to it, for one test. */
final class ServerFixture implements AutoCloseable {
  static final Schema BUNDLED = SchemaLoader.fromSources(BundledDescriptors.sources());

  final ProtogateServer server;
  final ManagedChannel channel;
  final JsonCodec json = JsonCodec.of(BUNDLED);

  ServerFixture(ProtogateServer.Builder builder) {
    server = builder.port(0).shutdownGrace(Duration.ofSeconds(2)).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  static ServerFixture bundled(Handlers handlers) {
    return new ServerFixture(
        ProtogateServer.builder(BUNDLED).handlers(handlers).demoHandlers(BuiltinHandlers.demo()));
  }

  static ServerFixture bundled() {
    return bundled(Handlers.builder().build());
  }

  static Descriptors.MethodDescriptor method(String fullMethodName) {
    return BUNDLED.findMethod(fullMethodName).orElseThrow();
  }

  DynamicMessage message(Descriptors.Descriptor type, String json) {
    return this.json.parse(json, type);
  }

  /** A unary call with a 10 s deadline, request given as JSON. */
  DynamicMessage unary(String fullMethodName, String requestJson) {
    Descriptors.MethodDescriptor method = method(fullMethodName);
    return DynamicCalls.unary(
        channel, method, message(method.getInputType(), requestJson), Duration.ofSeconds(10));
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  /** A plaintext channel to a server a test manages itself. */
  static final class Channel implements AutoCloseable {
    final ManagedChannel channel;

    Channel(int port) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
