package io.protogate.stub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.protogate.client.DynamicCalls;
import io.protogate.contract.Contract;
import io.protogate.server.ProtogateServer;
import io.protogate.upstream.Route;
import io.protogate.upstream.Routes;
import io.protogate.upstream.UpstreamRouting;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Recorder} behind a gateway forwarding to an upstream (itself a Protogate answering from
 * stubs, so that it can send response headers, error details and every call shape), then the
 * recorded directory served as stubs with the upstream gone.
 */
class RecorderTest {
  private static final String UPSTREAM_STUBS = """
      - service: shop.Shop
        method: Find
        input: {matches: {text: "^[ab]$"}}
        output:
          headers: {x-served-by: "upstream", set-cookie: "sid=s3cr3t", x-auth-token: "t0ken"}
          data: {result: "found {{request.text}}", total: 3, tier: GOLD, hits: ["x", "y"]}
      - service: shop.Shop
        method: Find
        input: {equals: {text: "boom"}}
        output:
          error: "boom went off"
          code: FAILED_PRECONDITION
          details:
            - {type: type.googleapis.com/google.rpc.ErrorInfo, reason: BOOM, domain: shop}
      - service: shop.Shop
        method: Find
        input: {equals: {text: "who"}}
        output: {data: {result: "tenant {{headers.x-tenant}}"}}
      - service: shop.Shop
        method: Watch
        output: {stream: [{result: "one"}, {result: "two"}]}
      - service: shop.Shop
        method: Upload
        output: {data: {result: "uploaded {{request.sku}}"}}
      - service: shop.Shop
        method: Chat
        inputs: [{equals: {sku: "hi"}}, {equals: {sku: "bye"}}]
        output: {stream: [{result: "hello"}, {result: "goodbye"}]}
      - service: shop.Shop
        method: Chat
        input: {equals: {sku: "twice"}}
        output: {stream: [{result: "one"}, {result: "two"}]}
      """;

  @TempDir Path dir;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private ProtogateServer upstream() throws Exception {
    return serve(ProtogateServer.builder(Contract.of(TestContract.SCHEMA)
        .with(Stubs.FILES, StubFiles.parse("upstream.yaml", UPSTREAM_STUBS))));
  }

  private Recorder recorder(String... headers) throws StubException {
    return Recorder.to(dir, List.of(headers));
  }

  private ProtogateServer gateway(int upstreamPort, Recorder recorder) {
    return gateway(upstreamPort, "", recorder);
  }

  private ProtogateServer gateway(int upstreamPort, String routeOptions, Recorder recorder) {
    return serve(ProtogateServer.builder(Contract.of(TestContract.SCHEMA)
            .with(UpstreamRouting.ROUTES, Routes.of(List.of(
                Route.parse("shop.Shop=127.0.0.1:" + upstreamPort + routeOptions)))))
        .record(recorder));
  }

  private ProtogateServer serve(ProtogateServer.Builder builder) {
    ProtogateServer server = builder.port(0).shutdownGrace(Duration.ofSeconds(1)).build().start();
    closing.add(server);
    return server;
  }

  private Channel channel(ProtogateServer server, Map<String, String> headers,
      AtomicReference<Metadata> responseHeaders) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    closing.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    Metadata sent = new Metadata();
    headers.forEach((k, v) -> sent.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
    return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(sent),
        MetadataUtils.newCaptureMetadataInterceptor(responseHeaders,
            new AtomicReference<>()));
  }

  private Channel channel(ProtogateServer server) {
    return channel(server, Map.of(), new AtomicReference<>());
  }

  private static String find(Channel channel, String text) {
    return findJson(channel, "{\"text\": \"" + text + "\"}");
  }

  private static String findJson(Channel channel, String json) {
    return TestContract.compact(DynamicCalls.unary(channel,
        TestContract.SCHEMA.findMethod("shop.Shop/Find").orElseThrow(),
        TestContract.request("shop.Shop/Find", json), Duration.ofSeconds(10)));
  }


  private List<Path> files() throws Exception {
    try (Stream<Path> list = Files.list(dir)) {
      return list.sorted().toList();
    }
  }

  private String file(String prefix) throws Exception {
    List<Path> matching = files().stream()
        .filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
    assertEquals(1, matching.size(), () -> prefix + " in " + matching);
    return Files.readString(matching.get(0), StandardCharsets.UTF_8);
  }

  /** The calls recorded and then replayed: every call shape, and one request made twice. */
  private static List<String> everyShape(Channel channel) throws Exception {
    List<String> answers = new ArrayList<>();
    for (String text : List.of("a", "a", "b")) {
      answers.add(find(channel, text));
    }
    answers.addAll(TestContract.stream(channel, "shop.Shop/Watch", "{\"text\": \"w\"}"));
    answers.addAll(TestContract.stream(channel, "shop.Shop/Upload", "{\"sku\": \"p\"}",
        "{\"sku\": \"q\"}"));
    answers.addAll(TestContract.stream(channel, "shop.Shop/Chat", "{\"sku\": \"hi\"}",
        "{\"sku\": \"bye\"}"));
    return answers;
  }

  /** Every call shape, what the files hold, and the same answers from them alone. */
  @Test
  void distinctCalls_recordedOnceEach_andAnsweredAgainWithoutTheUpstream() throws Exception {
    ProtogateServer upstream = upstream();
    Recorder recorder = recorder();
    Channel gateway = channel(gateway(upstream.port(), recorder));
    List<String> answers = everyShape(gateway);
    StatusRuntimeException boom =
        assertThrows(StatusRuntimeException.class, () -> find(gateway, "boom"));
    recorder.flush();

    List<String> names = files().stream().map(f -> f.getFileName().toString()).toList();
    assertEquals(6, names.size(), names::toString);
    assertTrue(names.stream().allMatch(n -> n.matches("shop\\.Shop-(Find|Watch|Upload|Chat)-"
        + "[0-9a-f]{16}\\.json")), names::toString);
    String found = files().stream().map(f -> read(f))
        .filter(text -> text.contains("found a")).findFirst().orElseThrow();
    assertEquals("""
        {
          "service": "shop.Shop",
          "method": "Find",
          "input": {
            "equals": {
              "text": "a",
              "tags": [],
              "user_id": "0",
              "tier": "TIER_UNSPECIFIED",
              "items": [],
              "active": false,
              "price": 0.0,
              "path": ""
            }
          },
          "output": {
            "headers": {
              "x-served-by": "upstream"
            },
            "data": {
              "result": "found a",
              "total": "3",
              "tier": "GOLD",
              "hits": [
                "x",
                "y"
              ]
            }
          }
        }
        """, found);
    String error = files().stream().map(f -> read(f))
        .filter(text -> text.contains("boom")).findFirst().orElseThrow();
    assertTrue(error.contains("\"error\": \"boom went off\",\n    \"code\": 9,\n"
        + "    \"details\": [\n      {\n"
        + "        \"type\": \"type.googleapis.com/google.rpc.ErrorInfo\",\n"
        + "        \"reason\": \"BOOM\",\n        \"domain\": \"shop\"\n      }"), error);
    String upload = file("shop.Shop-Upload");
    assertTrue(upload.contains(
        "\"inputs\": [\n    {\n      \"equals\": {\n        \"sku\": \"p\""), upload);
    assertTrue(file("shop.Shop-Watch").contains("\"stream\": ["), file("shop.Shop-Watch"));
    assertTrue(file("shop.Shop-Chat").contains("\"inputs\""), file("shop.Shop-Chat"));

    // The reverse check: the directory is valid stubs for the contract, and answers alone.
    upstream.close();
    Channel replay = channel(serve(ProtogateServer.builder(Contract.of(TestContract.SCHEMA)
        .with(Stubs.FILES, StubFiles.read(dir)))));
    List<String> replayed = everyShape(replay);
    StatusRuntimeException replayedBoom =
        assertThrows(StatusRuntimeException.class, () -> find(replay, "boom"));
    assertEquals(answers, replayed);
    assertEquals(boom.getStatus().getCode(), replayedBoom.getStatus().getCode());
    assertEquals("boom went off", replayedBoom.getStatus().getDescription());
    assertEquals(StatusProto.fromThrowable(boom), StatusProto.fromThrowable(replayedBoom));
    assertEquals("BOOM", StatusProto.fromThrowable(replayedBoom).getDetails(0)
        .unpack(ErrorInfo.class).getReason());
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void responseHeaders_keptButSecretsLeftOut_andRepliedAgain() throws Exception {
    Recorder recorder = recorder();
    Channel gateway = channel(gateway(upstream().port(), recorder));
    find(gateway, "a");
    recorder.flush();
    String text = file("shop.Shop-Find");
    assertTrue(text.contains("\"x-served-by\": \"upstream\""), text);
    assertFalse(text.contains("s3cr3t") || text.contains("t0ken") || text.contains("cookie")
        || text.contains("protogate-contract-version"), text);

    AtomicReference<Metadata> headers =
        new AtomicReference<>();
    Channel replay = channel(serve(ProtogateServer.builder(Contract.of(TestContract.SCHEMA)
        .with(Stubs.FILES, StubFiles.read(dir)))), Map.of(), headers);
    find(replay, "a");
    assertEquals("upstream",
        headers.get().get(Metadata.Key.of("x-served-by", Metadata.ASCII_STRING_MARSHALLER)));
  }

  @Test
  void requestHeaders_onlyThoseNamed_areRecordedAndMatched() throws Exception {
    Recorder recorder = recorder("x-tenant");
    ProtogateServer gateway = gateway(upstream().port(), recorder);
    Map<String, String> acme = Map.of("x-tenant", "acme", "authorization", "Bearer s3cr3t",
        "x-api-key", "k3y");
    String asAcme = find(channel(gateway, acme, new AtomicReference<>()),
        "who");
    String asNobody = find(channel(gateway), "who");
    recorder.flush();

    assertEquals("{\"result\":\"tenantacme\"}", asAcme);
    List<Path> recorded = files();
    assertEquals(2, recorded.size(), recorded::toString);
    for (Path file : recorded) {
      String text = read(file);
      assertFalse(text.contains("s3cr3t") || text.contains("k3y")
          || text.contains("authorization"), text);
    }
    assertEquals(1, recorded.stream().map(RecorderTest::read)
        .filter(t -> t.contains("\"headers\": {\n    \"equals\": {\n      \"x-tenant\": \"acme\""))
        .count());

    Channel replay = channel(serve(ProtogateServer.builder(Contract.of(TestContract.SCHEMA)
        .with(Stubs.FILES, StubFiles.read(dir)))));
    Channel replayAsAcme = channel(serve(ProtogateServer.builder(Contract.of(TestContract.SCHEMA)
        .with(Stubs.FILES, StubFiles.read(dir)))), Map.of("x-tenant", "acme"),
        new AtomicReference<>());
    assertEquals(asAcme, find(replayAsAcme, "who"));
    assertEquals(asNobody, find(replay, "who"));
  }

  @Test
  void sameAnswerAgain_leavesTheFileAlone() throws Exception {
    Recorder recorder = recorder();
    Channel gateway = channel(gateway(upstream().port(), recorder));
    find(gateway, "a");
    recorder.flush();
    Path file = files().get(0);
    FileTime written = FileTime.fromMillis(0);
    Files.setLastModifiedTime(file, written);

    find(gateway, "a");
    recorder.flush();

    assertEquals(List.of(file), files());
    assertEquals(written, Files.getLastModifiedTime(file));
  }

  @Test
  void fileThatCannotBeWritten_callStillAnswered_andOneLineLogged() throws Exception {
    Recorder recorder = recorder();
    Channel gateway = channel(gateway(upstream().port(), recorder));
    find(gateway, "a");
    recorder.flush();
    Path file = files().get(0);
    Files.delete(file);
    Files.createDirectory(file); // Nothing can be renamed onto a directory.
    List<String> logged = logged(() -> {
      assertEquals("{\"result\":\"founda\",\"total\":\"3\",\"tier\":\"GOLD\",\"hits\":[\"x\","
          + "\"y\"]}", find(gateway, "a"));
      recorder.flush();
    });
    assertEquals(1, logged.size(), logged::toString);
    assertTrue(logged.get(0).startsWith("cannot record a call of shop.Shop/Find to " + dir + ": "),
        logged.get(0));
    assertEquals(List.of(file), files()); // No temporary file left behind.
  }

  @Test
  void bidiCall_notAnsweringEachMessageWithOne_isNotRecorded_andSaysWhy() throws Exception {
    Recorder recorder = recorder();
    Channel gateway = channel(gateway(upstream().port(), recorder));
    List<String> logged = logged(() -> {
      assertEquals(List.of("{\"result\":\"one\"}", "{\"result\":\"two\"}"),
          TestContract.stream(gateway, "shop.Shop/Chat", "{\"sku\": \"twice\"}"));
      recorder.flush();
    });
    assertEquals(List.of(), files());
    assertEquals(List.of("not recorded: a call of shop.Shop/Chat: bidirectional calls are"
        + " recorded when they answer each message with one message (a stub answers message i"
        + " with stream[i]); this one answered 1 messages with 2"), logged);
  }

  interface Step {
    void run() throws Exception;
  }

  /** What the recorder logs while {@code step} runs. */
  private static List<String> logged(Step step) throws Exception {
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        logged.add(record.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger logger = Logger.getLogger(Recorder.class.getName());
    logger.addHandler(handler);
    try {
      step.run();
    } finally {
      logger.removeHandler(handler);
    }
    return List.copyOf(logged);
  }

  @Test
  void upstreamUnreachable_isNotRecorded() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Recorder recorder = recorder();
    Channel gateway = channel(gateway(closedPort, recorder));
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> find(gateway, "a"));
    recorder.flush();
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertEquals(List.of(), files());
  }

  @Test
  void replay_answersTheRequestRecorded_notOneThatAlsoSetsAFieldItLeftAtItsDefault()
      throws Exception {
    Recorder recorder = recorder();
    Channel gateway = channel(gateway(upstream().port(), recorder));
    String answer = find(gateway, "a");
    recorder.flush();

    Channel replay = channel(serve(ProtogateServer.builder(Contract.of(TestContract.SCHEMA)
        .with(Stubs.FILES, StubFiles.read(dir)))));
    assertEquals(answer, findJson(replay, "{\"text\": \"a\", \"active\": false}"));
    StatusRuntimeException other = assertThrows(StatusRuntimeException.class,
        () -> findJson(replay, "{\"text\": \"a\", \"active\": true}"));
    assertEquals(Status.Code.NOT_FOUND, other.getStatus().getCode());
  }

  @Test
  void clientStreamWithNoMessages_isNotRecorded_asItsStubWouldAnswerEveryCall()
      throws Exception {
    Recorder recorder = recorder();
    Channel gateway = channel(gateway(upstream().port(), recorder));
    assertEquals(List.of("{\"result\":\"uploaded\"}"),
        TestContract.stream(gateway, "shop.Shop/Upload"));
    recorder.flush();
    assertEquals(List.of(), files());
  }

  @Test
  void failureOfTheGatewaysOwnClient_isNotRecordedAsTheUpstreamsAnswer() throws Exception {
    Recorder recorder = recorder();
    // The upstream's answer is larger than the gateway accepts from it.
    Channel gateway = channel(gateway(upstream().port(), ";max-msg-sz=8", recorder));
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> find(gateway, "a"));
    recorder.flush();
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertEquals(List.of(), files());
  }

  @Test
  void headerNames_thatCannotBeRecorded_areRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> recorder("x-trace-bin"));
    assertTrue(e.getMessage().startsWith("header \"x-trace-bin\" cannot be recorded"),
        e.getMessage());
  }
}
