package io.protogate.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Any;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.rpc.BadRequest;
import io.grpc.Metadata;
import io.grpc.protobuf.StatusProto;
import io.protogate.connect.ConnectHandler;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.DescriptorSource;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Fields;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.http.HttpJsonOptions;
import io.protogate.http.HttpPort;
import io.protogate.http.TranscodingHandler;
import io.protogate.interop.NodeScripts;
import io.protogate.server.ProtogateServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gRPC-Web and Connect as connect-node (an independent implementation of both) speaks them, in
 * JSON and binary, over HTTP/1.1 and HTTP/2: unary, server streaming, GET, errors with details,
 * deadlines and metadata, against local handlers.
 */
class BrowserDoorsInteropTest {
  private static final Metadata.Key<String> TAG =
      Metadata.Key.of("x-tag", Metadata.ASCII_STRING_MARSHALLER);
  private static final String[] PROTOCOLS = {"connect", "grpc-web"};

  private static ProtogateServer server;
  private static HttpPort http;
  private static String baseUrl;
  private static Path descriptorSet;
  private static final Map<String, JsonObject> results = new HashMap<>();

  /** A contract beside the bundled ones: a NO_SIDE_EFFECTS method, one that fails, one that hangs. */
  static FileDescriptorProto lookupProto() {
    DescriptorProto key = DescriptorProto.newBuilder().setName("Key")
        .addField(FieldDescriptorProto.newBuilder().setName("name").setJsonName("name").setNumber(1)
            .setType(FieldDescriptorProto.Type.TYPE_STRING)).build();
    DescriptorProto value = DescriptorProto.newBuilder().setName("Value")
        .addField(FieldDescriptorProto.newBuilder().setName("text").setJsonName("text").setNumber(1)
            .setType(FieldDescriptorProto.Type.TYPE_STRING)).build();
    return FileDescriptorProto.newBuilder().setName("test/lookup.proto").setPackage("test")
        .setSyntax("proto3").addMessageType(key).addMessageType(value)
        .addService(ServiceDescriptorProto.newBuilder().setName("Lookup")
            .addMethod(method("Get").setOptions(MethodOptions.newBuilder()
                .setIdempotencyLevel(MethodOptions.IdempotencyLevel.NO_SIDE_EFFECTS)))
            .addMethod(method("Fail"))
            .addMethod(method("Hang")))
        .build();
  }

  private static MethodDescriptorProto.Builder method(String name) {
    return MethodDescriptorProto.newBuilder().setName(name).setInputType(".test.Key")
        .setOutputType(".test.Value");
  }

  @BeforeAll
  static void startAndCall(@TempDir Path dir) throws Exception {
    NodeScripts.assumeAvailable("@connectrpc/connect-node");
    List<DescriptorSource> sources = new ArrayList<>(BundledDescriptors.sources());
    sources.add(new DescriptorSource("lookup.desc",
        FileDescriptorSet.newBuilder().addFile(lookupProto()).build().toByteArray()));
    Schema schema = SchemaLoader.fromSources(sources);
    FileDescriptorSet.Builder everything = FileDescriptorSet.newBuilder();
    for (FileDescriptor file : schema.files()) {
      everything.addFile(file.toProto());
    }
    descriptorSet = Files.write(dir.resolve("all.desc"), everything.build().toByteArray());
    Handlers handlers = Handlers.builder()
        .unary("test.Lookup/Get", (request, call) -> {
          call.responseHeaders().put(TAG, "header-" + Fields.getString(request, "name"));
          call.responseTrailers().put(TAG, "trailer");
          String tag = call.headers().get(TAG);
          return Fields.set(call.newResponse(), "text",
              "value of " + Fields.getString(request, "name") + (tag == null ? "" : " " + tag))
              .build();
        })
        .unary("test.Lookup/Fail", (request, call) -> {
          throw StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
              .setCode(io.grpc.Status.Code.INVALID_ARGUMENT.value())
              .setMessage("name must not be " + Fields.getString(request, "name"))
              .addDetails(Any.pack(BadRequest.newBuilder().addFieldViolations(
                  BadRequest.FieldViolation.newBuilder().setField("name")
                      .setDescription("reserved")).build()))
              .build());
        })
        .unaryAsync("test.Lookup/Hang", (request, call) -> new CompletableFuture<>())
        .nonBlocking("test.Lookup/Hang")
        .build();
    server = ProtogateServer.builder(schema).port(0).handlers(handlers)
        .demoHandlers(BuiltinHandlers.demo()).build().start();
    http = HttpPort.builder().port(0)
        .handler(new ConnectHandler(server.channel(), server::schema, 4 << 20))
        .handler(new GrpcWebHandler(server.channel(), server::schema, 4 << 20))
        .handler(TranscodingHandler.of(server, HttpJsonOptions.builder().build()))
        .build()
        .start();
    baseUrl = "http://127.0.0.1:" + http.port();

    JsonArray plan = new JsonArray();
    for (String protocol : PROTOCOLS) {
      for (boolean binary : new boolean[] {false, true}) {
        plan.add(call(protocol, binary, "GrpcService", "hello",
            "{\"data\":\"xiao gang\",\"skill\":{\"name\":\"engineer\"}}"));
        JsonObject countdown = call(protocol, binary, "protogate.demo.StreamingDemo",
            "Countdown", "{\"from\":3}");
        countdown.addProperty("stream", true);
        plan.add(countdown);
        JsonObject invalid = call(protocol, binary, "protogate.demo.StreamingDemo",
            "Countdown", "{\"from\":-1}");
        invalid.addProperty("stream", true);
        plan.add(invalid);
        plan.add(call(protocol, binary, "test.Lookup", "Fail", "{\"name\":\"root\"}"));
        JsonObject hang = call(protocol, binary, "test.Lookup", "Hang", "{}");
        hang.addProperty("timeoutMs", 300);
        plan.add(hang);
        JsonObject get = call(protocol, binary, "test.Lookup", "Get", "{\"name\":\"k\"}");
        JsonObject headers = new JsonObject();
        headers.addProperty("x-tag", "sent");
        get.add("headers", headers);
        plan.add(get);
      }
    }
    for (boolean binary : new boolean[] {false, true}) {
      JsonObject get = call("connect", binary, "test.Lookup", "Get", "{\"name\":\"g\"}");
      get.addProperty("get", true);
      get.addProperty("tag", "connect-get-" + binary);
      plan.add(get);
      JsonObject sum = call("connect", binary, "protogate.demo.StreamingDemo", "Sum", "{}");
      sum.add("requests", JsonParser.parseString("[{\"value\":1},{\"value\":2},{\"value\":3}]"));
      sum.addProperty("httpVersion", "2");
      sum.addProperty("tag", "connect-sum-" + binary);
      plan.add(sum);
      JsonObject echo = call("connect", binary, "protogate.demo.StreamingDemo", "Echo", "{}");
      echo.add("requests", JsonParser.parseString("[{\"text\":\"a\"},{\"text\":\"b\"}]"));
      echo.addProperty("httpVersion", "2");
      echo.addProperty("tag", "connect-echo-" + binary);
      plan.add(echo);
      JsonObject h2 = call("connect", binary, "GrpcService", "hello", "{\"data\":\"h2\"}");
      h2.addProperty("httpVersion", "2");
      h2.addProperty("tag", "connect-h2-" + binary);
      plan.add(h2);
    }
    List<String> lines = NodeScripts.run("connect_client.mjs", plan.toString(), baseUrl,
        descriptorSet.toString());
    for (int i = 0; i < lines.size(); i++) {
      JsonObject request = plan.get(i).getAsJsonObject();
      results.put(request.get("tag").getAsString(), JsonParser.parseString(lines.get(i))
          .getAsJsonObject());
    }
    assertEquals(plan.size(), lines.size(), String.join("\n", lines));
  }

  private static JsonObject call(
      String protocol, boolean binary, String service, String method, String request) {
    JsonObject call = new JsonObject();
    call.addProperty("protocol", protocol);
    call.addProperty("binary", binary);
    call.addProperty("service", service);
    call.addProperty("method", method);
    call.add("request", JsonParser.parseString(request));
    call.addProperty("tag", protocol + "-" + binary + "-" + method + "-" + request);
    return call;
  }

  @AfterAll
  static void stop() throws Exception {
    if (http != null) {
      http.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static JsonObject result(String protocol, boolean binary, String method, String req) {
    JsonObject result = results.get(protocol + "-" + binary + "-" + method + "-" + req);
    assertNotNull(result, "no result for " + protocol + " " + method + " " + req);
    return result;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"connect", "grpc-web"})
  void unary_answersAsTheOriginalService_inJsonAndBinary(String protocol) {
    for (boolean binary : new boolean[] {false, true}) {
      JsonObject result = result(protocol, binary, "hello",
          "{\"data\":\"xiao gang\",\"skill\":{\"name\":\"engineer\"}}");
      assertNull(result.get("error"), result.toString());
      assertEquals("xiao gangengineer this is gprc test service",
          result.getAsJsonObject("response").get("result").getAsString(), result.toString());
      assertEquals(1232, result.getAsJsonObject("response").getAsJsonObject("mapResult")
          .get("12").getAsInt());
      assertEquals(server.schema().version(),
          result.getAsJsonObject("headers").get("protogate-contract-version").getAsString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"connect", "grpc-web"})
  void serverStreaming_deliversEveryMessageInOrder(String protocol) {
    for (boolean binary : new boolean[] {false, true}) {
      JsonObject result = result(protocol, binary, "Countdown", "{\"from\":3}");
      assertNull(result.get("error"), result.toString());
      JsonArray responses = result.getAsJsonArray("responses");
      assertEquals(3, responses.size(), result.toString());
      for (int i = 0; i < 3; i++) {
        assertEquals(3 - i,
            responses.get(i).getAsJsonObject().get("remaining").getAsInt(), result.toString());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"connect", "grpc-web"})
  void streamingError_reachesTheClientWithItsCodeAndMessage(String protocol) {
    for (boolean binary : new boolean[] {false, true}) {
      JsonObject error = result(protocol, binary, "Countdown", "{\"from\":-1}")
          .getAsJsonObject("error");
      assertNotNull(error);
      assertEquals("InvalidArgument", error.get("code").getAsString());
      assertTrue(error.get("message").getAsString().contains("from: -1"), error.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"connect", "grpc-web"})
  void unaryError_carriesItsDetails(String protocol) {
    for (boolean binary : new boolean[] {false, true}) {
      JsonObject error = result(protocol, binary, "Fail", "{\"name\":\"root\"}")
          .getAsJsonObject("error");
      assertNotNull(error);
      assertEquals("InvalidArgument", error.get("code").getAsString());
      assertEquals("name must not be root", error.get("message").getAsString());
      assertEquals("google.rpc.BadRequest",
          error.getAsJsonArray("details").get(0).getAsString(), error.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"connect", "grpc-web"})
  void clientDeadline_endsTheCallWithDeadlineExceeded(String protocol) {
    for (boolean binary : new boolean[] {false, true}) {
      JsonObject error = result(protocol, binary, "Hang", "{}").getAsJsonObject("error");
      assertNotNull(error);
      assertEquals("DeadlineExceeded", error.get("code").getAsString(), error.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"connect", "grpc-web"})
  void metadata_travelsBothWays(String protocol) {
    for (boolean binary : new boolean[] {false, true}) {
      JsonObject result = result(protocol, binary, "Get", "{\"name\":\"k\"}");
      assertEquals("value of k sent",
          result.getAsJsonObject("response").get("text").getAsString(), result.toString());
      assertEquals("header-k", result.getAsJsonObject("headers").get("x-tag").getAsString());
      assertEquals("trailer", result.getAsJsonObject("trailers").get("x-tag").getAsString());
    }
  }

  @Test
  void connectGet_callsANoSideEffectsMethod() {
    for (boolean binary : new boolean[] {false, true}) {
      JsonObject result = results.get("connect-get-" + binary);
      assertEquals("value of g", result.getAsJsonObject("response").get("text").getAsString(),
          result.toString());
    }
  }

  @Test
  void connectClientStreaming_sumsEveryMessage() {
    for (boolean binary : new boolean[] {false, true}) {
      JsonObject result = results.get("connect-sum-" + binary);
      assertNull(result.get("error"), result.toString());
      assertEquals("6", result.getAsJsonObject("response").get("total").getAsString());
      assertEquals(3, result.getAsJsonObject("response").get("count").getAsInt());
    }
  }

  @Test
  void connectBidiStreaming_echoesEachMessage() {
    for (boolean binary : new boolean[] {false, true}) {
      JsonObject result = results.get("connect-echo-" + binary);
      assertNull(result.get("error"), result.toString());
      JsonArray responses = result.getAsJsonArray("responses");
      assertEquals(2, responses.size(), result.toString());
      assertEquals("a", responses.get(0).getAsJsonObject().get("text").getAsString());
      assertEquals("b", responses.get(1).getAsJsonObject().get("text").getAsString());
    }
  }

  @Test
  void connect_overHttp2() {
    for (boolean binary : new boolean[] {false, true}) {
      JsonObject result = results.get("connect-h2-" + binary);
      assertEquals("h2 this is gprc test service",
          result.getAsJsonObject("response").get("result").getAsString(), result.toString());
    }
  }

  @Test
  void connectCurlShape_unaryJsonWithProtocolHeader() throws Exception {
    HttpResponse<String> response = post("/GrpcService/hello", "application/json",
        "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"engineer\"}}",
        "Connect-Protocol-Version", "1");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("{\"result\":\"xiao gangengineer this is gprc test service\","
        + "\"mapResult\":{\"12\":1232}}", response.body());
  }

  @Test
  void connectError_unknownMethod_notFoundJsonWith501() throws Exception {
    HttpResponse<String> response = post("/GrpcService/nope", "application/json", "{}",
        "Connect-Protocol-Version", "1");
    assertEquals(501, response.statusCode());
    JsonObject error = JsonParser.parseString(response.body()).getAsJsonObject();
    assertEquals("unimplemented", error.get("code").getAsString());
    assertTrue(error.get("message").getAsString().contains("GrpcService/nope"), response.body());
  }

  @Test
  void connect_unknownCodec_415() throws Exception {
    HttpResponse<String> response = post("/GrpcService/hello", "application/xml", "<a/>",
        "Connect-Protocol-Version", "1");
    assertEquals(415, response.statusCode());
    assertTrue(response.headers().firstValue("Accept-Post").orElse("").contains(
        "application/proto"));
  }

  @Test
  void connectGet_ofAMethodWithSideEffects_refusedSayingWhy() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(baseUrl + "/GrpcService/hello?encoding=json&message=%7B%7D&connect=v1"))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(501, response.statusCode(), response.body());
    assertTrue(response.body().contains("NO_SIDE_EFFECTS"), response.body());
  }

  @Test
  void connect_badJson_invalidArgumentNamingTheType() throws Exception {
    HttpResponse<String> response = post("/GrpcService/hello", "application/json",
        "{\"dta\": 1}", "Connect-Protocol-Version", "1");
    assertEquals(400, response.statusCode());
    assertTrue(response.body().contains("HelloRequest"), response.body());
    assertTrue(response.body().contains("invalid_argument"), response.body());
  }

  @Test
  void grpcWebText_acceptsSeveralPaddedChunks() {
    byte[] decoded = GrpcWebHandler.decodeText("YQ==YmM=ZGVm".getBytes());
    assertEquals("abcdef", new String(decoded));
  }

  @Test
  void grpcWeb_clientStreamingMethod_unimplementedSayingWhy() throws Exception {
    HttpResponse<String> response = post("/protogate.demo.StreamingDemo/Sum",
        "application/grpc-web+proto", "", "X-Grpc-Web", "1");
    assertEquals(200, response.statusCode());
    assertEquals("12", response.headers().firstValue("grpc-status").orElse(""));
    assertTrue(response.headers().firstValue("grpc-message").orElse("").contains("gRPC-Web"));
  }

  @Test
  void plainJsonPost_isLeftToTheHttpJsonDoor() throws Exception {
    HttpResponse<String> response = post("/GrpcService/nope", "application/json", "{}");
    assertEquals(404, response.statusCode());
    assertEquals(5, JsonParser.parseString(response.body()).getAsJsonObject().get("code")
        .getAsInt(), "a google.rpc.Status body, not Connect's error: " + response.body());
  }

  private static HttpResponse<String> post(
      String path, String contentType, String body, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
        .send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
