package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Any;
import com.google.protobuf.AnyProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.protobuf.StatusProto;
import io.grpc.Status;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.DescriptorSource;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Fields;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.server.ProtogateServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client commands end to end against a Protogate server on loopback. */
class ClientCommandsTest {
  private static final Schema BUNDLED = SchemaLoader.fromSources(BundledDescriptors.sources());
  private static final String HELLO = "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"engineer\"}}";
  private static ProtogateServer server;
  private static String address;

  @BeforeAll
  static void start() {
    server = ProtogateServer.builder(BUNDLED)
        .port(0)
        .demoHandlers(BuiltinHandlers.demo())
        .build()
        .start();
    address = "127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    server.close();
  }

  record Result(int exit, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.commandLine()
        .setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err))
        .execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void call_hello_printsTheResponseAsJson() {
    Result result = run("call", "--plaintext", address, "GrpcService/hello", "-d", HELLO);

    assertEquals(0, result.exit(), result.err());
    assertEquals("{\n  \"result\": \"xiao gangengineer this is gprc test service\",\n"
        + "  \"mapResult\": {\n    \"12\": 1232\n  }\n}\n", result.out());
  }

  @Test
  void call_acceptsEverySpellingOfTheMethod() {
    for (String name : new String[] {"GrpcService.hello", ".GrpcService/hello",
        "protogate.demo.StreamingDemo.Countdown"}) {
      String request = name.contains("Countdown") ? "{\"from\": 1}" : HELLO;
      Result result = run("call", "--plaintext", address, name, "-d", request);

      assertEquals(0, result.exit(), name + ": " + result.err());
    }
  }

  @Test
  void call_protoNamesAndEmitDefaults() {
    Result result = run("call", "--plaintext", "--proto-names", "--emit-defaults", address,
        "GrpcService/hello");

    assertEquals(0, result.exit(), result.err());
    assertTrue(result.out().contains("\"map_result\""), result.out());
    assertTrue(result.out().contains("\"result\": \" this is gprc test service\""),
        result.out());
  }

  @Test
  void call_formatText() {
    Result result = run("call", "--plaintext", "--format", "text", address, "GrpcService/hello",
        "-d", HELLO);

    assertEquals(0, result.exit(), result.err());
    assertTrue(result.out().startsWith("result: \"xiao gangengineer this is gprc test service\""),
        result.out());
  }

  @Test
  void call_serverStreaming_printsOneObjectPerMessage() {
    Result result = run("call", "--plaintext", address, "protogate.demo.StreamingDemo/Countdown",
        "-d", "{\"from\": 3}");

    assertEquals(0, result.exit(), result.err());
    assertEquals(3, result.out().split("\"remaining\"", -1).length - 1, result.out());
  }

  @Test
  void call_clientStreaming_concatenatedObjectsAreSentAsASeparateRequestEach() {
    Result result = run("call", "--plaintext", address, "protogate.demo.StreamingDemo/Sum",
        "-d", "{\"value\": 1}{\"value\": 2}\n{\"value\": 3}");

    assertEquals(0, result.exit(), result.err());
    assertTrue(result.out().contains("\"total\": \"6\"") && result.out().contains("\"count\": 3"),
        result.out());
  }

  @Test
  void call_bidiFromStandardInput_isInteractive() throws Exception {
    Process process = new ProcessBuilder(ServeCommandTest.javaCommand("call", "--plaintext",
        address, "protogate.demo.StreamingDemo/Echo", "-d", "@"))
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    try (Writer stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        BufferedReader stdout = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (int i = 1; i <= 2; i++) {
        stdin.write("{\"text\": \"line " + i + "\"}\n");
        stdin.flush();
        // The answer to each line is read before the next is written: no buffering until EOF.
        String answer = readObject(stdout);
        assertTrue(answer.contains("\"text\": \"line " + i + "\""), answer);
      }
      stdin.close();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
      assertEquals(0, process.exitValue());
    } finally {
      process.destroyForcibly();
    }
  }

  private static String readObject(BufferedReader reader) throws Exception {
    StringBuilder object = new StringBuilder();
    String line;
    while ((line = reader.readLine()) != null) {
      object.append(line).append('\n');
      if (line.equals("}")) {
        break;
      }
    }
    return object.toString();
  }

  @Test
  void call_misspelledField_namesTypeAndSuggestsTheNearest_exitTwo() {
    Result result = run("call", "--plaintext", address, "GrpcService/hello",
        "-d", "{\"data\": \"x\", \"skill\": {\"nmae\": \"y\"}}");

    assertEquals(2, result.exit());
    String error = result.err().strip();
    assertTrue(error.contains("nmae") && error.contains("Skill")
        && error.contains("did you mean \"name\"?"), error);
    assertFalse(error.contains("\n") || error.contains("\tat "), error);
  }

  @Test
  void call_malformedJson_exitTwo() {
    Result result = run("call", "--plaintext", address, "GrpcService/hello", "-d", "{\"data\": ");

    assertEquals(2, result.exit());
    assertTrue(result.err().contains("malformed JSON"), result.err());
  }

  @Test
  void call_wrongValueType_exitTwo() {
    Result result = run("call", "--plaintext", address, "protogate.demo.StreamingDemo/Countdown",
        "-d", "{\"from\": \"many\"}");

    assertEquals(2, result.exit());
    assertTrue(result.err().contains("protogate.demo.CountdownRequest"), result.err());
  }

  @Test
  void call_unknownMethodOrService_listsWhatExists_exitTwo() {
    Result method = run("call", "--plaintext", address, "GrpcService/helo");
    Result service = run("call", "--plaintext", address, "NoService/hello");

    assertEquals(2, method.exit());
    assertTrue(method.err().contains("has no method 'helo'; its methods: hello"), method.err());
    assertEquals(2, service.exit());
    assertTrue(service.err().contains("GrpcService, grpc.health.v1.Health"), service.err());
  }

  @Test
  void call_unaryWithTwoRequests_exitTwo() {
    Result result = run("call", "--plaintext", address, "GrpcService/hello", "-d", "{}{}");

    assertEquals(2, result.exit());
    assertTrue(result.err().contains("exactly one request"), result.err());
  }

  @Test
  void call_errorStatus_exitsSixtyFourPlusCode_andFormatErrorPrintsJson() {
    Handlers handlers = Handlers.builder()
        .unary("GrpcService/hello", (request, call) -> {
          throw Status.NOT_FOUND.withDescription("no such thing").asException();
        })
        .build();
    try (ServerScope scope = new ServerScope(handlers)) {
      Result plain = run("call", "--plaintext", scope.address, "GrpcService/hello");
      Result json = run("call", "--plaintext", "--format-error", scope.address,
          "GrpcService/hello");

      assertEquals(64 + 5, plain.exit());
      assertEquals("protogate: GrpcService/hello failed: NOT_FOUND: no such thing",
          plain.err().strip());
      assertEquals(64 + 5, json.exit());
      assertEquals("{\"code\":5,\"message\":\"no such thing\"}", json.out().strip());
    }
  }

  @Test
  void call_headersReachTheServer_andVerbosePrintsResponseMetadata() {
    Metadata.Key<String> tenant = Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);
    Handlers handlers = Handlers.builder()
        .unary("GrpcService/hello", (request, call) ->
            Fields.set(call.newResponse(), "result", call.headers().get(tenant)).build())
        .build();
    try (ServerScope scope = new ServerScope(handlers)) {
      Result result = run("call", "--plaintext", "-v", "-H", "x-tenant: acme", scope.address,
          "GrpcService/hello");

      assertEquals(0, result.exit(), result.err());
      assertTrue(result.out().contains("\"result\": \"acme\""), result.out());
      assertTrue(result.err().contains("Response headers:")
          && result.err().contains("content-type: application/grpc")
          && result.err().contains("Response trailers:"), result.err());
    }
  }

  @Test
  void call_binaryHeader_isSentAsBase64DecodedBytes() {
    Metadata.Key<byte[]> token = Metadata.Key.of("x-token-bin", Metadata.BINARY_BYTE_MARSHALLER);
    Handlers handlers = Handlers.builder()
        .unary("GrpcService/hello", (request, call) -> Fields.set(call.newResponse(), "result",
            java.util.Arrays.toString(call.headers().get(token))).build())
        .build();
    try (ServerScope scope = new ServerScope(handlers)) {
      Result sent = run("call", "--plaintext", "-H", "x-token-bin: AAEC", scope.address,
          "GrpcService/hello");
      Result notBase64 = run("call", "--plaintext", "-H", "x-token-bin: !!", scope.address,
          "GrpcService/hello");

      assertEquals(0, sent.exit(), sent.err());
      assertTrue(sent.out().contains("\"result\": \"[0, 1, 2]\""), sent.out());
      assertEquals(2, notBase64.exit());
      assertTrue(notBase64.err().contains("x-token-bin") && notBase64.err().contains("base64"),
          notBase64.err());
    }
  }

  @Test
  void call_maxTime_deadlineExceeded_exitSixtyEight() {
    Handlers handlers = Handlers.builder()
        .unary("GrpcService/hello", (request, call) -> {
          while (!call.isCancelled()) {
            Thread.sleep(10);
          }
          return call.newResponse().build();
        })
        .build();
    try (ServerScope scope = new ServerScope(handlers)) {
      Result result = run("call", "--plaintext", "--max-time", "0.5", scope.address,
          "GrpcService/hello");

      assertEquals(64 + 4, result.exit(), result.err());
      assertTrue(result.err().contains("DEADLINE_EXCEEDED"), result.err());
    }
  }

  @Test
  void call_serverDown_oneLine_exitOne() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    Result result = run("call", "--plaintext", "127.0.0.1:" + closedPort, "GrpcService/hello");

    assertEquals(1, result.exit());
    assertTrue(result.err().startsWith("protogate: cannot reach 127.0.0.1:" + closedPort),
        result.err());
    assertEquals(1, result.err().strip().lines().count(), result.err());
  }

  @Test
  void call_plaintextServerWithoutPlaintextFlag_exitOneMentioningPlaintext() {
    Result result = run("call", "--connect-timeout", "5", address, "GrpcService/hello");

    assertEquals(1, result.exit());
    assertTrue(result.err().contains("--plaintext"), result.err());
  }

  @Test
  @SuppressWarnings("deprecation") // v1alpha-only servers are exactly what this test needs.
  void list_serverWithOnlyV1alphaReflection_fallsBackToIt() throws Exception {
    io.grpc.Server legacy = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder
        .forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
        .addService(io.grpc.protobuf.services.ProtoReflectionService.newInstance())
        .addService(new io.grpc.protobuf.services.HealthStatusManager().getHealthService())
        .build()
        .start();
    try {
      Result result = run("list", "--plaintext", "127.0.0.1:" + legacy.getPort());

      assertEquals(0, result.exit(), result.err());
      assertEquals("grpc.health.v1.Health\ngrpc.reflection.v1alpha.ServerReflection\n",
          result.out());
    } finally {
      legacy.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void call_responseLargerThanMaxMsgSz_resourceExhausted_exitSeventyTwo() {
    // --protoset: the limit applies to reflection's answers too, which exceed 100 bytes.
    Result result = run("call", "--plaintext", "--max-msg-sz", "100", "--protoset",
        "descriptors/hello.desc", address,
        "GrpcService/hello", "-d", "{\"data\": \"" + "x".repeat(200) + "\"}");

    assertEquals(64 + 8, result.exit(), result.err());
    assertTrue(result.err().contains("RESOURCE_EXHAUSTED"), result.err());
  }

  @Test
  void list_servicesAndMethods() {
    Result services = run("list", "--plaintext", address);
    Result methods = run("list", "--plaintext", address, "protogate.demo.StreamingDemo");

    assertEquals(0, services.exit(), services.err());
    assertTrue(services.out().lines().toList().containsAll(java.util.List.of("GrpcService",
        "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
        "protogate.demo.StreamingDemo")), services.out());
    assertEquals("protogate.demo.StreamingDemo.Countdown\nprotogate.demo.StreamingDemo.Sum\n"
        + "protogate.demo.StreamingDemo.Echo\n", methods.out());
  }

  @Test
  void describe_serviceAndMessage_asProtoSource() {
    Result service = run("describe", "--plaintext", address, "GrpcService");
    Result message = run("describe", "--plaintext", address, "HelloRequest");

    assertEquals(0, service.exit(), service.err());
    assertTrue(service.out().contains("rpc hello"), service.out());
    assertTrue(message.out().contains("string data = 1;"), message.out());
  }

  @Test
  void describe_msgTemplate_isJsonThatCallAccepts() {
    Result template = run("describe", "--plaintext", "--msg-template", address, "HelloRequest");

    assertEquals(0, template.exit(), template.err());
    assertTrue(template.out().contains("\"skill\": {"), template.out());
    Result call = run("call", "--plaintext", address, "GrpcService/hello", "-d", template.out());
    assertEquals(0, call.exit(), call.err());
  }

  @Test
  void describe_unknownSymbol_exitTwo() {
    Result result = run("describe", "--plaintext", address, "NoSuchThing");

    assertEquals(2, result.exit());
    assertTrue(result.err().contains("NoSuchThing"), result.err());
  }

  @Test
  void protosetOut_writesASetThatProtosetCanUseWithoutReflection(@TempDir Path dir) {
    Path set = dir.resolve("pinned.desc");

    Result pin = run("list", "--plaintext", "--protoset-out", set.toString(), address);
    Result call = run("call", "--plaintext", "--protoset", set.toString(), address,
        "GrpcService/hello", "-d", HELLO);

    assertEquals(0, pin.exit(), pin.err());
    assertTrue(Files.isRegularFile(set));
    assertEquals(0, call.exit(), call.err());
    assertTrue(call.out().contains("this is gprc test service"), call.out());
  }

  @Test
  void protosetThatIsNotOne_oneLine_exitOne(@TempDir Path dir) throws Exception {
    Path bogus = Files.writeString(dir.resolve("bogus.desc"), "not a set");

    Result result = run("call", "--plaintext", "--protoset", bogus.toString(), address,
        "GrpcService/hello");

    assertEquals(1, result.exit());
    assertTrue(result.err().contains(bogus + ": not a descriptor set"), result.err());
  }

  @Test
  void listAndDescribe_withProtosetAndNoAddress_readOnlyTheFile() {
    Result services = run("list", "--protoset", "descriptors/demo.desc");
    Result methods = run("list", "--protoset", "descriptors/demo.desc",
        "protogate.demo.StreamingDemo");
    Result message = run("describe", "--protoset", "descriptors/hello.desc", "HelloRequest");

    assertEquals(0, services.exit(), services.err());
    assertEquals("protogate.demo.StreamingDemo\n", services.out());
    assertEquals(0, methods.exit(), methods.err());
    assertTrue(methods.out().startsWith("protogate.demo.StreamingDemo.Countdown\n"),
        methods.out());
    assertEquals(0, message.exit(), message.err());
    assertTrue(message.out().contains("string data = 1;"), message.out());
    assertFalse(message.out().contains("service GrpcService"), message.out());
  }

  @Test
  void describe_unknownSymbolWithProtoset_namesTheProtosetNotTheServer() {
    Result result = run("describe", "--protoset", "descriptors/hello.desc", "NoSuchThing");

    assertEquals(2, result.exit());
    assertTrue(result.err().contains("--protoset descriptors/hello.desc has the services:"
        + " GrpcService"), result.err());
    assertFalse(result.err().contains("the server"), result.err());
  }

  @Test
  void call_errorStatusWithDetails_decodesThemAsJson_onOneLine() throws Exception {
    Descriptors.Descriptor helloResponse = BUNDLED.findMessage("HelloResponse").orElseThrow();
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.FAILED_PRECONDITION.value())
        .setMessage("not now")
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("QUOTA")
            .setDomain("example.com").build()))
        .addDetails(Any.pack(RetryInfo.newBuilder()
            .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(2)).build()))
        .addDetails(Any.pack(BadRequest.newBuilder().addFieldViolations(BadRequest
            .FieldViolation.newBuilder().setField("data").setDescription("too short")).build()))
        .addDetails(Any.newBuilder().setTypeUrl("type.googleapis.com/HelloResponse")
            .setValue(Fields.set(DynamicMessage.newBuilder(helloResponse), "result", "r")
                .build().toByteString()))
        .build();
    Handlers handlers = Handlers.builder()
        .unary("GrpcService/hello", (request, call) -> {
          throw StatusProto.toStatusException(status);
        })
        .build();
    try (ServerScope scope = new ServerScope(handlers)) {
      Result plain = run("call", "--plaintext", scope.address, "GrpcService/hello");
      Result json = run("call", "--plaintext", "--format-error", scope.address,
          "GrpcService/hello");

      assertEquals(64 + 9, plain.exit());
      String error = plain.err().strip();
      assertEquals(1, error.lines().count(), error);
      assertTrue(error.startsWith("protogate: GrpcService/hello failed: FAILED_PRECONDITION:"
          + " not now; details: {\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\","
          + "\"reason\":\"QUOTA\",\"domain\":\"example.com\"}"), error);
      assertTrue(error.contains("\"retryDelay\":\"2s\"") && error.contains("\"field\":\"data\"")
          && error.contains("{\"@type\":\"type.googleapis.com/HelloResponse\",\"result\":\"r\"}"),
          error);
      assertEquals(64 + 9, json.exit());
      JsonObject printed = JsonParser.parseString(json.out()).getAsJsonObject();
      assertEquals(9, printed.get("code").getAsInt());
      assertEquals("QUOTA", printed.getAsJsonArray("details").get(0).getAsJsonObject()
          .get("reason").getAsString());
      assertEquals(4, printed.getAsJsonArray("details").size());
    }
  }

  @Test
  void call_responseHoldingAnAnyOfAnUnknownType_saysWhatCouldNotBePrintedAndWhy_exitOne() {
    FileDescriptorProto file = FileDescriptorProto.newBuilder()
        .setName("holder.proto").setPackage("holder").setSyntax("proto3")
        .addDependency("google/protobuf/any.proto")
        .addMessageType(DescriptorProto.newBuilder().setName("Holder")
            .addField(FieldDescriptorProto.newBuilder().setName("any").setNumber(1)
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
                .setType(FieldDescriptorProto.Type.TYPE_MESSAGE)
                .setTypeName(".google.protobuf.Any")))
        .addService(ServiceDescriptorProto.newBuilder().setName("Holders")
            .addMethod(MethodDescriptorProto.newBuilder().setName("Get")
                .setInputType(".holder.Holder").setOutputType(".holder.Holder")))
        .build();
    Schema schema = SchemaLoader.fromSources(List.of(new DescriptorSource("holder.desc",
        FileDescriptorSet.newBuilder().addFile(AnyProto.getDescriptor().toProto())
            .addFile(file).build().toByteArray())));
    Handlers handlers = Handlers.builder()
        .unary("holder.Holders/Get", (request, call) -> {
          DynamicMessage.Builder response = call.newResponse();
          Descriptors.FieldDescriptor any = response.getDescriptorForType().findFieldByName("any");
          return response.setField(any, DynamicMessage.newBuilder(any.getMessageType())
              .setField(any.getMessageType().findFieldByName("type_url"),
                  "type.googleapis.com/elsewhere.Unknown")
              .setField(any.getMessageType().findFieldByName("value"), ByteString.EMPTY)
              .build()).build();
        })
        .build();
    try (ProtogateServer holders =
        ProtogateServer.builder(schema).port(0).handlers(handlers).build().start()) {
      String holderAddress = "127.0.0.1:" + holders.port();
      Result result = run("call", "--plaintext", holderAddress, "holder.Holders/Get");
      Result text = run("call", "--plaintext", "--format", "text", holderAddress,
          "holder.Holders/Get");

      assertEquals(1, result.exit(), result.err());
      assertEquals("protogate: response 1 (a holder.Holder) arrived but cannot be printed as"
          + " JSON: it holds an Any of type elsewhere.Unknown, which the contract from"
          + " reflection:" + holderAddress + " does not define; print it with --format text, or"
          + " pass a --protoset that defines the type", result.err().strip());
      assertEquals(0, text.exit(), text.err());
      assertTrue(text.out().contains("elsewhere.Unknown"), text.out());
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void usageErrors_areOneLinePointingToHelp_exitTwo() {
    Result unknownFlag = run("call", "--plaintext", "--no-such-flag", address, "X/y");
    Result missingArgument = run("call", "--plaintext");

    assertEquals(2, unknownFlag.exit());
    assertEquals("protogate: Unknown option: '--no-such-flag'; see 'protogate call --help'",
        unknownFlag.err().strip());
    assertEquals(2, missingArgument.exit());
    assertEquals(1, missingArgument.err().strip().lines().count(), missingArgument.err());
    assertTrue(missingArgument.err().strip().endsWith("; see 'protogate call --help'"),
        missingArgument.err());
  }

  @Test
  void outOfRangeNumbers_namedByTheirFlag_exitTwo() {
    for (String[] flag : new String[][] {{"--max-msg-sz", "0"}, {"--connect-timeout", "-1"},
        {"--connect-timeout", "0"}, {"--max-time", "-1"}}) {
      Result result = run("call", "--plaintext", flag[0], flag[1], address, "GrpcService/hello",
          "-d", HELLO);

      assertEquals(2, result.exit(), String.join(" ", flag) + ": " + result.err());
      assertTrue(result.err().startsWith("protogate: " + flag[0] + " "), result.err());
    }
  }

  @Test
  void addressThatIsNotHostPort_refusedAtOnce_exitTwo() {
    for (String target : new String[] {"127.0.0.1:99999", "[::1", "bad host:1", "localhost"}) {
      Result result = run("call", "--plaintext", target, "GrpcService/hello", "-d", HELLO);

      assertEquals(2, result.exit(), target + ": " + result.err());
      assertEquals("protogate: '" + target + "' is not host:port (a host name or address, [IPv6]"
          + " in brackets, and a port 1-65535); a list of addresses is written host:port,host:port",
          result.err().strip());
    }
  }

  @Test
  void headerValueWithAControlCharacter_refused_exitTwo() {
    Result result = run("call", "--plaintext", "-H", "x-a: one\ntwo", address,
        "GrpcService/hello", "-d", HELLO);

    assertEquals(2, result.exit(), result.err());
    assertTrue(result.err().startsWith("protogate: -H 'x-a': the value holds a character that is"
        + " not printable ASCII"), result.err());
  }

  @Test
  void grpcurlSingleDashSpellings_areAccepted() {
    Result call = run("call", "-plaintext", "-max-time", "10", "-connect-timeout", "10",
        "-max-msg-sz", "1000", "-H", "x-a: b", "-emit-defaults", "-format", "json",
        "-format-error", address, "GrpcService/hello", "-d", HELLO);
    Result describe = run("describe", "-protoset", "descriptors/hello.desc", "-msg-template",
        "HelloRequest");

    assertEquals(0, call.exit(), call.err());
    assertTrue(call.out().contains("this is gprc test service"), call.out());
    assertEquals(0, describe.exit(), describe.err());
    assertTrue(describe.out().contains("\"skill\""), describe.out());
  }

  @Test
  void version_worksOnEverySubcommand() {
    // Every subcommand Main knows, so that a new one cannot be left out.
    for (String command : Main.commandLine().getSubcommands().keySet()) {
      Result result = run(command, "--version");

      assertEquals(0, result.exit(), command + ": " + result.err());
      assertTrue(result.out().startsWith("protogate "), command + ": " + result.out());
    }
  }

  @Test
  void call_hugeInvalidInput_errorQuotesAShortExcerpt() {
    Result result = run("call", "--plaintext", address, "protogate.demo.StreamingDemo/Sum",
        "-d", "{\"value\": 1} " + "\0".repeat(1 << 20));

    assertEquals(2, result.exit());
    String error = result.err().strip();
    assertEquals(1, error.lines().count());
    assertTrue(error.length() < 300, error.length() + " characters");
    assertTrue(error.contains("request 2 (at line 1 column ") && error.contains("characters)"),
        error);
  }

  @Test
  void call_reflectionNeverAnswers_exitOneInOneLine_formatErrorPrintsItAsJson() throws Exception {
    // A socket that accepts connections and never says a word: not down, just silent.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String silentAddress = "127.0.0.1:" + silent.getLocalPort();

      Result result = run("call", "--plaintext", "--connect-timeout", "1", "--format-error",
          silentAddress, "GrpcService/hello");

      assertEquals(1, result.exit(), result.err());
      assertEquals(1, result.err().strip().lines().count(), result.err());
      JsonObject printed = JsonParser.parseString(result.out()).getAsJsonObject();
      assertEquals(Status.Code.DEADLINE_EXCEEDED.value(), printed.get("code").getAsInt());
      assertTrue(printed.get("message").getAsString().contains(silentAddress),
          printed.toString());
    }
  }

  /** A second server with its own handlers, for one test. */
  private static final class ServerScope implements AutoCloseable {
    final ProtogateServer server;
    final String address;

    ServerScope(Handlers handlers) {
      server = ProtogateServer.builder(BUNDLED).port(0).handlers(handlers).build().start();
      address = "127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
      try {
        server.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
