package io.protogate.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.DynamicMessage;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Fields;
import io.protogate.handler.Handlers;
import io.protogate.server.ProtogateServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionTest {
  @Test
  void build_headersAddedToTheBuilderAfterwardsDoNotReachTheBuiltConnection() throws Exception {
    Schema schema = SchemaLoader.fromSources(BundledDescriptors.sources());
    Metadata.Key<String> tenant = Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);
    Handlers handlers = Handlers.builder()
        .unary("GrpcService/hello", (request, call) -> Fields.set(call.newResponse(), "result",
            String.join(",", call.headers().getAll(tenant))).build())
        .build();
    try (ProtogateServer server =
        ProtogateServer.builder(schema).port(0).handlers(handlers).build().start()) {
      Connection.Builder builder =
          Connection.builder("127.0.0.1:" + server.port()).plaintext(true).header("x-tenant", "a");
      Connection connection = builder.build();
      builder.header("x-tenant", "b");

      ManagedChannel channel = connection.open();
      try {
        var method = schema.findMethod("GrpcService/hello").orElseThrow();
        DynamicMessage response = DynamicCalls.unary(channel, method,
            DynamicMessage.getDefaultInstance(method.getInputType()), Duration.ofSeconds(10));

        assertEquals("a", Fields.getString(response, "result"));
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
