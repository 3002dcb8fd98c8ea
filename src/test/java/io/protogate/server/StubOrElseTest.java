package io.protogate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Descriptors;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.protogate.client.DynamicCalls;
import io.protogate.handler.Fields;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.json.JsonCodec;
import io.protogate.stub.History;
import io.protogate.stub.StubAnswers;
import io.protogate.stub.StubFiles;
import io.protogate.stub.StubSet;
import io.protogate.upstream.PassThrough;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Partial mocking: the stub answers the calls it matches, the tier behind it the others. */
class StubOrElseTest {
  @Test
  void matchedCallsGoToTheStub_othersToTheTierBehind() throws Exception {
    Descriptors.MethodDescriptor hello = ServerFixture.method("GrpcService/hello");
    StubSet stubs = StubSet.of(ServerFixture.BUNDLED, StubFiles.parse("hello.yaml", """
        service: GrpcService
        method: hello
        input: {equals: {data: "mocked"}}
        output: {data: {result: "from the stub"}}
        """));
    MethodDescriptor<InputStream, InputStream> descriptor =
        MethodDescriptor.<InputStream, InputStream>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("GrpcService/hello")
            .setRequestMarshaller(PassThrough.INSTANCE)
            .setResponseMarshaller(PassThrough.INSTANCE)
            .build();
    ServerServiceDefinition service = ServerServiceDefinition.builder("GrpcService")
        .addMethod(descriptor, new StubOrElse(hello,
            HandlerCalls.of(hello, new StubAnswers(new History(10)).handler(stubs, hello)),
            HandlerCalls.of(hello, BuiltinHandlers.demo().find("GrpcService/hello").orElseThrow()),
            stubs))
        .build();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(service).build().start();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
        .usePlaintext().build();
    try {
      JsonCodec json = JsonCodec.of(ServerFixture.BUNDLED);
      assertEquals("from the stub", Fields.getString(DynamicCalls.unary(channel, hello,
          json.parse("{\"data\": \"mocked\"}", hello.getInputType()), Duration.ofSeconds(30)),
          "result"));
      assertEquals("real this is gprc test service", Fields.getString(DynamicCalls.unary(channel,
          hello, json.parse("{\"data\": \"real\"}", hello.getInputType()),
          Duration.ofSeconds(30)), "result"));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
