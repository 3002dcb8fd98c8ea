package io.protogate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every response carries, whatever went wrong: the contract version, and the status that
 * says what to do. Each case is one a hardening review found without the header.
 */
class EveryResponseTest {
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new BytesMarshaller();
  private static final String HELLO = "GrpcService/hello";
  private static final String VERSION = ServerFixture.BUNDLED.version();

  /** What a call got back: headers (null for a trailers-only response), trailers, status. */
  private record Answer(Metadata headers, Metadata trailers, Status status) {
    String version() {
      String inHeaders = headers == null ? null : headers.get(VersionHeader.KEY);
      return inHeaders != null ? inHeaders : trailers.get(VersionHeader.KEY);
    }
  }

  private static Answer call(ServerFixture fixture, String method, CallOptions options,
      Metadata extra, byte[] request) throws Exception {
    MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(method)
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = fixture.channel.newCall(raw,
        options.withDeadlineAfter(10, TimeUnit.SECONDS));
    Metadata[] headers = new Metadata[1];
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onHeaders(Metadata h) {
        headers[0] = h;
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        answer.complete(new Answer(headers[0], trailers, status));
      }
    }, extra);
    call.request(1);
    call.sendMessage(request);
    call.halfClose();
    return answer.get(15, TimeUnit.SECONDS);
  }

  private static byte[] hello(ServerFixture fixture) {
    return fixture.message(ServerFixture.method(HELLO).getInputType(),
        "{\"data\": \"x\"}").toByteArray();
  }

  @Test
  void unknownMethod_unimplementedWithTheVersion() throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      Answer answer = call(fixture, "GrpcService/nope", CallOptions.DEFAULT, new Metadata(),
          new byte[0]);

      assertEquals(Status.Code.UNIMPLEMENTED, answer.status().getCode());
      assertTrue(answer.status().getDescription().contains("GrpcService/nope"));
      assertEquals(VERSION, answer.version());
    }
  }

  @Test
  void unknownService_unimplementedWithTheVersion() throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      Answer answer = call(fixture, "no.Such/Thing", CallOptions.DEFAULT, new Metadata(),
          new byte[0]);

      assertEquals(Status.Code.UNIMPLEMENTED, answer.status().getCode());
      assertEquals(VERSION, answer.version());
    }
  }

  @Test
  void garbageRequest_invalidArgumentWithTheVersion() throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      Answer answer = call(fixture, HELLO, CallOptions.DEFAULT, new Metadata(),
          new byte[] {(byte) 0xff, 0x01, 0x02});

      assertEquals(Status.Code.INVALID_ARGUMENT, answer.status().getCode());
      assertEquals(VERSION, answer.version());
    }
  }

  @Test
  void garbageToReflectionOrHealth_invalidArgumentWithTheVersion() throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      for (String[] method : new String[][] {
          {"grpc.health.v1.Health/Check", "grpc.health.v1.HealthCheckRequest"},
          {"grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
              "grpc.reflection.v1.ServerReflectionRequest"},
          // grpc-java serves v1alpha through v1's messages, and names v1's request type.
          {"grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
              "grpc.reflection.v1.ServerReflectionRequest"}}) {
        Answer answer = call(fixture, method[0], CallOptions.DEFAULT, new Metadata(),
            new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});

        assertEquals(Status.Code.INVALID_ARGUMENT, answer.status().getCode(), method[0]);
        assertTrue(answer.status().getDescription().startsWith(
            "the request is not a valid " + method[1] + ": "), answer.status().toString());
        assertEquals(VERSION, answer.version(), method[0]);
      }
    }
  }

  @Test
  void handlerFails_internalWithTheVersion() throws Exception {
    Handlers handlers = Handlers.builder().unary(HELLO, (request, call) -> {
      throw new IllegalStateException("boom");
    }).build();
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      Answer answer = call(fixture, HELLO, CallOptions.DEFAULT, new Metadata(), hello(fixture));

      assertEquals(Status.Code.INTERNAL, answer.status().getCode());
      assertEquals(VERSION, answer.version());
    }
  }

  @Test
  void gzipRequestInflatingPastTheLimit_resourceExhaustedWithTheVersion() throws Exception {
    try (ServerFixture fixture = new ServerFixture(ProtogateServer.builder(ServerFixture.BUNDLED)
        .demoHandlers(BuiltinHandlers.demo())
        .maxInboundMessageSize(64 * 1024))) {
      DynamicMessage bomb = fixture.message(ServerFixture.method(HELLO).getInputType(),
          "{\"data\": \"" + "0".repeat(1 << 20) + "\"}");

      Answer answer = call(fixture, HELLO, CallOptions.DEFAULT.withCompression("gzip"),
          new Metadata(), bomb.toByteArray());

      assertEquals(Status.Code.RESOURCE_EXHAUSTED, answer.status().getCode(),
          answer.status().toString());
      assertEquals(VERSION, answer.version());
    }
  }

  @Test
  void oversizedMetadata_resourceExhaustedWithTheVersion() throws Exception {
    try (ServerFixture fixture = new ServerFixture(ProtogateServer.builder(ServerFixture.BUNDLED)
        .limits(ServerLimits.builder().maxHeaderListSize(4096).build()))) {
      Metadata big = new Metadata();
      big.put(Metadata.Key.of("x-big", Metadata.ASCII_STRING_MARSHALLER), "b".repeat(6000));

      Answer answer = call(fixture, HELLO, CallOptions.DEFAULT, big, hello(fixture));

      assertEquals(Status.Code.RESOURCE_EXHAUSTED, answer.status().getCode());
      assertEquals(VERSION, answer.version());
    }
  }

  @Test
  void healthOfAnUnknownService_notFoundWithTheVersion() throws Exception {
    try (ServerFixture fixture = ServerFixture.bundled()) {
      CompletableFuture<Metadata> trailers = new CompletableFuture<>();
      ClientCall<HealthCheckRequest, io.grpc.health.v1.HealthCheckResponse> call =
          fixture.channel.newCall(HealthGrpc.getCheckMethod(), CallOptions.DEFAULT);
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onClose(Status status, Metadata t) {
          trailers.complete(t);
        }
      }, new Metadata());
      call.request(1);
      call.sendMessage(HealthCheckRequest.newBuilder().setService("no.Such").build());
      call.halfClose();

      assertEquals(VERSION, trailers.get(15, TimeUnit.SECONDS).get(VersionHeader.KEY));
    }
  }
}
