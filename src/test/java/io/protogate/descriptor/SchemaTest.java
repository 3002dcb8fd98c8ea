package io.protogate.descriptor;

import static io.protogate.descriptor.TestProtos.allMessages;
import static io.protogate.descriptor.TestProtos.enumType;
import static io.protogate.descriptor.TestProtos.file;
import static io.protogate.descriptor.TestProtos.message;
import static io.protogate.descriptor.TestProtos.messageField;
import static io.protogate.descriptor.TestProtos.source;
import static io.protogate.descriptor.TestProtos.stringField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import io.grpc.MethodDescriptor.MethodType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaTest {
  private static final Schema BUNDLED = SchemaLoader.fromSources(BundledDescriptors.sources());

  /** Package shapes: nested messages and enums at every level, and a well-known import. */
  private static final Schema NESTED =
      SchemaLoader.fromSources(
          List.of(
              source(
                  "shapes.desc",
                  file("shapes.proto", "shapes", "google/protobuf/timestamp.proto")
                      .addEnumType(enumType("Color", "RED"))
                      .addMessageType(
                          message("Outer", messageField("inner", 1, ".shapes.Outer.Inner"))
                              .addEnumType(enumType("Mood", "CALM"))
                              .addNestedType(
                                  message("Inner", stringField("name", 1))
                                      .addEnumType(enumType("Kind", "ROUND"))
                                      .addNestedType(message("Deepest"))))
                      .addMessageType(
                          message("Stamped", messageField("at", 1, ".google.protobuf.Timestamp")))
                      .build())));

  @Test
  void findMethod_helloByFullName_findsTheUnaryMethod() {
    MethodDescriptor hello = BUNDLED.findMethod("GrpcService/hello").orElseThrow();

    assertEquals("hello", hello.getName());
    assertEquals("HelloRequest", hello.getInputType().getFullName());
    assertEquals("HelloResponse", hello.getOutputType().getFullName());
    assertEquals("GrpcService/hello", Schema.fullMethodName(hello));
    assertEquals(MethodType.UNARY, Schema.methodType(hello));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GrpcService/Hello",
        "GrpcService.hello",
        "/GrpcService/hello",
        "hello",
        "StreamingDemo/Countdown",
        "protogate.demo.StreamingDemo/countdown",
        ""
      })
  void findMethod_notExactlyAFullMethodName_isEmpty(String name) {
    assertTrue(BUNDLED.findMethod(name).isEmpty(), name + " found");
  }

  @ParameterizedTest
  @CsvSource({
    "GrpcService/hello, UNARY",
    "protogate.demo.StreamingDemo/Countdown, SERVER_STREAMING",
    "protogate.demo.StreamingDemo/Sum, CLIENT_STREAMING",
    "protogate.demo.StreamingDemo/Echo, BIDI_STREAMING"
  })
  void methodType_eachCallShape_followsTheStreamingFlags(String fullName, MethodType expected) {
    MethodDescriptor method = BUNDLED.findMethod(fullName).orElseThrow();

    assertEquals(expected, Schema.methodType(method));
    assertEquals(fullName, Schema.fullMethodName(method));
  }

  @Test
  void fullMethodName_ofEveryMethod_findsThatMethod() {
    List<MethodDescriptor> methods =
        BUNDLED.services().stream().flatMap(s -> s.getMethods().stream()).toList();

    assertEquals(4, methods.size(), methods::toString);
    for (MethodDescriptor method : methods) {
      assertSame(method, BUNDLED.findMethod(Schema.fullMethodName(method)).orElseThrow());
    }
  }

  @Test
  void bundled_listsItsSourcesAndServicesInLoadOrder() {
    assertEquals(List.of("bundled:hello.desc", "bundled:demo.desc"), BUNDLED.sources());
    assertEquals(
        List.of("GrpcService", "protogate.demo.StreamingDemo"),
        BUNDLED.services().stream().map(s -> s.getFullName()).toList());
    assertSame(
        BUNDLED.services().get(1),
        BUNDLED.findService("protogate.demo.StreamingDemo").orElseThrow());
    assertTrue(BUNDLED.findService("StreamingDemo").isEmpty());
  }

  @Test
  void findMessage_nestedMessages_areFoundByFullName() {
    Descriptor outer = NESTED.findMessage("shapes.Outer").orElseThrow();
    Descriptor inner = NESTED.findMessage("shapes.Outer.Inner").orElseThrow();

    assertSame(outer, inner.getContainingType());
    assertSame(inner, outer.findFieldByName("inner").getMessageType());
    assertSame(
        inner, NESTED.findMessage("shapes.Outer.Inner.Deepest").orElseThrow().getContainingType());
    assertTrue(NESTED.findMessage("Inner").isEmpty());
    assertTrue(NESTED.findMessage("shapes.Inner").isEmpty());
    assertTrue(NESTED.findMessage("shapes.Color").isEmpty(), "an enum is not a message");
  }

  @Test
  void findMessage_bundledMapEntry_isFoundAsANestedMessage() {
    Descriptor entry = BUNDLED.findMessage("HelloResponse.MapResultEntry").orElseThrow();

    assertTrue(entry.getOptions().getMapEntry());
    assertSame(BUNDLED.findMessage("HelloResponse").orElseThrow(), entry.getContainingType());
  }

  @Test
  void findEnum_topLevelAndNestedEnums_areFoundByFullName() {
    EnumDescriptor color = NESTED.findEnum("shapes.Color").orElseThrow();
    EnumDescriptor mood = NESTED.findEnum("shapes.Outer.Mood").orElseThrow();
    EnumDescriptor kind = NESTED.findEnum("shapes.Outer.Inner.Kind").orElseThrow();

    assertEquals("RED", color.findValueByNumber(1).getName());
    assertEquals("CALM", mood.findValueByNumber(1).getName());
    assertEquals("ROUND", kind.findValueByNumber(1).getName());
    assertTrue(NESTED.findEnum("shapes.Kind").isEmpty());
    assertTrue(NESTED.findEnum("shapes.Outer").isEmpty(), "a message is not an enum");
  }

  @Test
  void typeRegistry_findsEveryMessageOfEveryLoadedFile() {
    for (Schema schema : List.of(BUNDLED, NESTED)) {
      List<Descriptor> messages = allMessages(schema.files());
      assertFalse(messages.isEmpty());
      for (Descriptor message : messages) {
        assertSame(
            message,
            schema.typeRegistry().find(message.getFullName()),
            message.getFullName() + " missing from the type registry");
      }
    }
    assertNotNull(BUNDLED.typeRegistry().find("protogate.demo.Tick"));
    assertNotNull(NESTED.typeRegistry().find("shapes.Outer.Inner.Deepest"));
  }

  @Test
  void typeRegistry_wellKnownImportNotInTheSet_isRegisteredAndItsFileListed() {
    assertTrue(NESTED.files().contains(Timestamp.getDescriptor().getFile()));

    assertSame(Timestamp.getDescriptor(), NESTED.typeRegistry().find("google.protobuf.Timestamp"));
  }

  @Test
  void typeRegistry_letsJsonFormatRoundTripAnAnyOfALoadedMessage() throws Exception {
    Descriptor tick = BUNDLED.findMessage("protogate.demo.Tick").orElseThrow();
    DynamicMessage message =
        DynamicMessage.newBuilder(tick)
            .setField(tick.findFieldByName("remaining"), 3)
            .setField(
                tick.findFieldByName("at"),
                DynamicMessage.newBuilder(tick.findFieldByName("at").getMessageType())
                    .setField(
                        tick.findFieldByName("at").getMessageType().findFieldByName("seconds"),
                        1_700_000_000L)
                    .build())
            .build();
    Any any = Any.pack(message);

    String json = JsonFormat.printer().usingTypeRegistry(BUNDLED.typeRegistry()).print(any);
    Any.Builder parsed = Any.newBuilder();
    JsonFormat.parser().usingTypeRegistry(BUNDLED.typeRegistry()).merge(json, parsed);

    assertTrue(json.contains("\"@type\": \"type.googleapis.com/protogate.demo.Tick\""), json);
    assertTrue(json.contains("\"at\": \"2023-11-14T22:13:20Z\""), json);
    assertEquals(message, DynamicMessage.parseFrom(tick, parsed.getValue()));
    assertThrows(
        InvalidProtocolBufferException.class,
        () ->
            JsonFormat.printer().usingTypeRegistry(TypeRegistry.getEmptyTypeRegistry()).print(any),
        "the Any resolved without the schema's registry, so this test proves nothing");
  }

  @Test
  void files_areUnmodifiable() {
    assertThrows(
        UnsupportedOperationException.class, () -> BUNDLED.files().add(BUNDLED.files().get(0)));
    assertThrows(UnsupportedOperationException.class, () -> BUNDLED.sources().add("extra"));
  }
}
