package io.protogate.stub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import com.google.rpc.ErrorInfo;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.protogate.client.DynamicCalls;
import io.protogate.contract.Contract;
import io.protogate.server.ProtogateServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Stubs answering real gRPC calls over loopback, in every call shape. */
class StubServerTest {
  private final History history = new History(100);
  private ProtogateServer server;
  private ManagedChannel channel;

  private void serve(String yaml, boolean mockAll) throws Exception {
    server = ProtogateServer.builder(Contract.of(TestContract.SCHEMA)
            .with(Stubs.FILES, StubFiles.parse("stubs.yaml", yaml))
            .with(Stubs.MOCK_ALL, mockAll))
        .stubAnswers(new StubAnswers(history))
        .port(0).shutdownGrace(Duration.ofSeconds(1)).build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  private DynamicMessage unary(Channel via, String method, String json, Duration deadline) {
    return DynamicCalls.unary(via, TestContract.SCHEMA.findMethod(method).orElseThrow(),
        TestContract.request(method, json), deadline);
  }

  private static String json(DynamicMessage message) {
    return TestContract.compact(message);
  }

  @Test
  void unary_answersWithTemplatesAndResponseHeaders() throws Exception {
    serve("""
        service: shop.Shop
        method: Find
        input: {equals: {text: "hi"}}
        output:
          headers: {x-served-for: "{{headers.x-user}}"}
          data:
            result: "{{request.text}} from stub, user {{.Headers.x-user}}"
            total: "{{request.userId}}"
            hits: ["{{request.tags.1}}"]
        """, false);
    Metadata sent = new Metadata();
    sent.put(Metadata.Key.of("x-user", Metadata.ASCII_STRING_MARSHALLER), "bob");
    AtomicReference<Metadata> headers = new AtomicReference<>();
    Channel via = ClientInterceptors.intercept(channel,
        MetadataUtils.newAttachHeadersInterceptor(sent),
        MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()));
    DynamicMessage answer = unary(via, "shop.Shop/Find",
        "{\"text\": \"hi\", \"user_id\": 77, \"tags\": [\"a\", \"b\"]}", Duration.ofSeconds(10));
    assertEquals("{\"result\":\"hifromstub,userbob\",\"total\":\"77\",\"hits\":[\"b\"]}",
        json(answer));
    assertEquals("bob", headers.get().get(
        Metadata.Key.of("x-served-for", Metadata.ASCII_STRING_MARSHALLER)));
    assertTrue(headers.get().containsKey(
        Metadata.Key.of("protogate-contract-version", Metadata.ASCII_STRING_MARSHALLER)));
  }

  @Test
  void inProcessChannel_theOtherDoorsEntry_getsTheSameStubAnswer() throws Exception {
    serve("""
        service: shop.Shop
        method: Find
        output: {data: {result: "{{request.text}} in-process"}}
        """, false);
    assertEquals("{\"result\":\"xin-process\"}", json(unary(server.channel(), "shop.Shop/Find",
        "{\"text\": \"x\"}", Duration.ofSeconds(10))));
  }

  @Test
  void miss_isNotFoundNamingTheClosestStub() throws Exception {
    serve("""
        service: shop.Shop
        method: Find
        input: {equals: {text: "hi"}}
        output: {data: {result: "x"}}
        """, false);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> unary(channel, "shop.Shop/Find", "{\"text\": \"ho\"}", Duration.ofSeconds(10)));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("the closest is stubs.yaml, stub #1"),
        e.getStatus().getDescription());
    assertTrue(e.getStatus().getDescription().endsWith(
        "input.equals.text: wants \"hi\", got \"ho\""), e.getStatus().getDescription());
    History.Call call = history.calls().get(0);
    assertEquals("shop.Shop/Find", call.method());
    assertEquals(null, call.stubId());
    assertEquals("NOT_FOUND", call.code());
    assertEquals("ho", call.requests().get(0).get("text"));
    // A method with no stub (and no --mock-all) is not the stubs' business.
    assertEquals(Status.Code.UNIMPLEMENTED, assertThrows(StatusRuntimeException.class,
        () -> unary(channel, "UserService/GetUser", "{}", Duration.ofSeconds(10)))
        .getStatus().getCode());
    assertEquals(1, history.calls().size());
  }

  @Test
  void error_carriesCodeMessageAndDetails() throws Exception {
    serve("""
        service: shop.Shop
        method: Find
        output:
          error: "Validation failed for {{request.text}}"
          code: 3
          details:
            - type: "type.googleapis.com/google.rpc.ErrorInfo"
              reason: "API_DISABLED"
              domain: "example.service.local"
              metadata:
                service: "example.service.local"
        """, false);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> unary(channel, "shop.Shop/Find", "{\"text\": \"t\"}", Duration.ofSeconds(10)));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("Validation failed for t", e.getStatus().getDescription());
    ErrorInfo info = StatusProto.fromThrowable(e).getDetails(0).unpack(ErrorInfo.class);
    assertEquals("API_DISABLED", info.getReason());
    assertEquals("example.service.local", info.getMetadataOrThrow("service"));
  }

  @Test
  void delay_longerThanTheDeadline_isDeadlineExceededAndShorterIsServed() throws Exception {
    serve("""
        - service: shop.Shop
          method: Find
          input: {equals: {text: "slow"}}
          output: {delay: 5s, data: {result: "late"}}
        - service: shop.Shop
          method: Find
          input: {equals: {text: "quick"}}
          output: {delay: 150ms, data: {result: "on time"}}
        """, false);
    assertEquals(Status.Code.DEADLINE_EXCEEDED, assertThrows(StatusRuntimeException.class,
        () -> unary(channel, "shop.Shop/Find", "{\"text\": \"slow\"}", Duration.ofMillis(300)))
        .getStatus().getCode());
    long start = System.nanoTime();
    assertEquals("{\"result\":\"ontime\"}",
        json(unary(channel, "shop.Shop/Find", "{\"text\": \"quick\"}", Duration.ofSeconds(10))));
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(150));
  }

  @Test
  void serverStreaming_sendsTheStreamThenTheError() throws Exception {
    serve("""
        service: shop.Shop
        method: Watch
        input: {equals: {text: "w"}}
        output:
          delay: 10ms
          stream:
            - {result: "one {{request.text}}"}
            - {result: "two"}
            - {result: "three"}
          error: "Completed with warnings"
          code: UNKNOWN
        """, false);
    Iterator<DynamicMessage> answers = ClientCalls.blockingServerStreamingCall(channel,
        DynamicCalls.methodDescriptor(TestContract.SCHEMA.findMethod("shop.Shop/Watch")
            .orElseThrow()), CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        TestContract.request("shop.Shop/Watch", "{\"text\": \"w\"}"));
    List<String> results = new ArrayList<>();
    StatusRuntimeException end = assertThrows(StatusRuntimeException.class, () -> {
      while (answers.hasNext()) {
        results.add(json(answers.next()));
      }
    });
    assertEquals(List.of("{\"result\":\"onew\"}", "{\"result\":\"two\"}",
        "{\"result\":\"three\"}"), results);
    assertEquals("Completed with warnings", end.getStatus().getDescription());
  }

  @Test
  void clientStreaming_isMatchedOnTheMessagesReceived() throws Exception {
    serve("""
        service: shop.Shop
        method: Upload
        inputs:
          - equals: {sku: "a"}
          - equals: {sku: "b"}
        output: {data: {result: "got {{request.sku}} last"}}
        """, false);
    assertEquals(List.of("{\"result\":\"gotblast\"}"),
        stream("shop.Shop/Upload", "{\"sku\": \"a\"}", "{\"sku\": \"b\"}"));
    assertThrows(StatusRuntimeException.class,
        () -> stream("shop.Shop/Upload", "{\"sku\": \"b\"}", "{\"sku\": \"a\"}"));
  }

  @Test
  void bidiStreaming_answersEachMessageWithItsStreamElement() throws Exception {
    serve("""
        service: shop.Shop
        method: Chat
        inputs:
          - equals: {sku: "hello"}
          - equals: {sku: "how are you"}
        output:
          stream:
            - {result: "Hello Alice!"}
            - {result: "Fine, thanks"}
        """, false);
    assertEquals(List.of("{\"result\":\"HelloAlice!\"}", "{\"result\":\"Fine,thanks\"}"),
        stream("shop.Shop/Chat", "{\"sku\": \"hello\"}", "{\"sku\": \"how are you\"}"));
  }

  @Test
  void mockAll_answersUnstubbedMethodsWithExamples() throws Exception {
    serve("""
        service: shop.Shop
        method: Find
        output: {data: {result: "stubbed"}}
        """, true);
    assertEquals("{\"result\":\"stubbed\"}",
        json(unary(channel, "shop.Shop/Find", "{}", Duration.ofSeconds(10))));
    assertEquals("{\"id\":\"id-1\",\"name\":\"JaneDoe\",\"email\":\"jane.doe@example.com\","
            + "\"role\":\"examplerole\",\"userId\":\"user-1\"}",
        json(unary(channel, "UserService/GetUser", "{}", Duration.ofSeconds(10))));
    assertEquals(3, stream("shop.Shop/Watch", "{}").size());
  }

  private List<String> stream(String method, String... requests) throws Exception {
    return TestContract.stream(channel, method, requests);
  }
}
