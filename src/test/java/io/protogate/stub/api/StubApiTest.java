package io.protogate.stub.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.protogate.client.DynamicCalls;
import io.protogate.contract.Contract;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Fields;
import io.protogate.json.JsonCodec;
import io.protogate.server.ProtogateServer;
import io.protogate.stub.History;
import io.protogate.stub.StubAnswers;
import io.protogate.stub.StubApi;
import io.protogate.stub.StubFiles;
import io.protogate.stub.Stubs;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stub API driven over HTTP, as a test suite would, against a serving gateway. */
class StubApiTest {
  private static final Schema HELLO = SchemaLoader.fromSources(BundledDescriptors.sources());
  private static final Descriptors.MethodDescriptor METHOD =
      HELLO.findMethod("GrpcService/hello").orElseThrow();

  private final History history = new History(100);
  private final HttpClient http = HttpClient.newHttpClient();
  private ProtogateServer server;
  private Server jetty;
  private ManagedChannel channel;
  private String base;

  @BeforeEach
  void start() throws Exception {
    server = ProtogateServer.builder(Contract.of(HELLO).with(Stubs.FILES, StubFiles.parse(
            "files/hello.yaml", """
                id: from-file
                service: GrpcService
                method: hello
                input: {equals: {data: "file"}}
                output: {data: {result: "from the file"}}
                """)))
        .stubAnswers(new StubAnswers(history))
        .port(0).shutdownGrace(Duration.ofSeconds(1)).build().start();
    jetty = new Server(new InetSocketAddress("127.0.0.1", 0));
    jetty.setHandler(new StubApiHandler(new StubApi(server.contract(), history)));
    jetty.start();
    base = "http://127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    jetty.stop();
    server.close();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String hello(String data) {
    DynamicMessage request = JsonCodec.of(HELLO).parse("{\"data\": \"" + data + "\"}",
        METHOD.getInputType());
    return Fields.getString(DynamicCalls.unary(channel, METHOD, request, Duration.ofSeconds(30)),
        "result");
  }

  @Test
  void addListCallHistoryDeleteAndReset() throws Exception {
    HttpResponse<String> added = send("POST", "/protogate/stubs", """
        [{"service": "GrpcService", "method": "hello",
          "input": {"equals": {"data": "api"}},
          "output": {"data": {"result": "from the API, {{request.data}}"}}}]
        """);
    assertEquals(200, added.statusCode(), added.body());
    String id = JsonParser.parseString(added.body()).getAsJsonArray().get(0).getAsString();

    JsonArray listed = JsonParser.parseString(send("GET", "/protogate/stubs", null).body())
        .getAsJsonArray();
    assertEquals(2, listed.size());
    assertEquals("from-file", listed.get(0).getAsJsonObject().get("id").getAsString());
    assertEquals(id, listed.get(1).getAsJsonObject().get("id").getAsString());

    assertEquals("from the API, api", hello("api"));
    assertEquals("from the file", hello("file"));

    JsonArray calls = JsonParser.parseString(send("GET", "/protogate/history", null).body())
        .getAsJsonArray();
    assertEquals(2, calls.size());
    JsonElement first = calls.get(0);
    assertEquals("GrpcService/hello", first.getAsJsonObject().get("method").getAsString());
    assertEquals(id, first.getAsJsonObject().get("stubId").getAsString());
    assertEquals("api", first.getAsJsonObject().getAsJsonArray("requests").get(0)
        .getAsJsonObject().get("data").getAsString());
    assertEquals(200, send("DELETE", "/protogate/history", null).statusCode());
    assertEquals("[]", send("GET", "/protogate/history", null).body().strip());

    assertEquals(200, send("DELETE", "/protogate/stubs/" + id, null).statusCode());
    assertEquals(Status.Code.NOT_FOUND,
        assertThrows(StatusRuntimeException.class, () -> hello("api")).getStatus().getCode());
    HttpResponse<String> fileStub = send("DELETE", "/protogate/stubs/from-file", null);
    assertEquals(404, fileStub.statusCode());
    assertTrue(fileStub.body().contains("comes from a stub file"), fileStub.body());

    send("POST", "/protogate/stubs", "{\"id\": \"from-file\", \"service\": \"GrpcService\","
        + " \"method\": \"hello\", \"output\": {\"data\": {\"result\": \"overridden\"}}}");
    assertEquals("overridden", hello("file"));
    assertEquals(200, send("DELETE", "/protogate/stubs", null).statusCode());
    assertEquals("from the file", hello("file"));
  }

  @Test
  void invalidStub_isRefusedWithTheReasonAndChangesNothing() throws Exception {
    HttpResponse<String> refused = send("POST", "/protogate/stubs", """
        {"service": "GrpcService", "method": "hello", "output": {"data": {"reslt": "x"}}}
        """);
    assertEquals(400, refused.statusCode());
    assertTrue(refused.body().contains("request stub #1 (GrpcService/hello): output.data.reslt:"
        + " HelloResponse has no field \\\"reslt\\\"; did you mean \\\"result\\\"?"),
        refused.body());
    assertEquals(1, JsonParser.parseString(send("GET", "/protogate/stubs", null).body())
        .getAsJsonArray().size());
    assertEquals(400, send("POST", "/protogate/stubs", "{not json").statusCode());
    assertEquals(404, send("GET", "/protogate/nothing-here", null).statusCode());
  }

  @Test
  void search_saysWhichStubWouldAnswer() throws Exception {
    HttpResponse<String> found = send("POST", "/protogate/stubs/search",
        "{\"service\": \"GrpcService\", \"method\": \"hello\", \"data\": {\"data\": \"file\"}}");
    assertEquals(200, found.statusCode(), found.body());
    assertTrue(found.body().contains("\"id\":\"from-file\""), found.body());
    HttpResponse<String> missed = send("POST", "/protogate/stubs/search",
        "{\"service\": \"GrpcService\", \"method\": \"hello\", \"data\": {\"data\": \"x\"}}");
    assertEquals(404, missed.statusCode());
    assertTrue(missed.body().contains("input.equals.data"), missed.body());
  }
}
