package io.protogate.descriptor;

import static io.protogate.descriptor.TestProtos.enumType;
import static io.protogate.descriptor.TestProtos.file;
import static io.protogate.descriptor.TestProtos.message;
import static io.protogate.descriptor.TestProtos.messageField;
import static io.protogate.descriptor.TestProtos.source;
import static io.protogate.descriptor.TestProtos.stringField;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtoSourceTest {
  private static final Schema BUNDLED = SchemaLoader.fromSources(BundledDescriptors.sources());

  /**
   * Package shapes: a real oneof, a proto3 optional, a map of messages, a repeated enum, and a
   * nested message and enum.
   */
  private static final Schema SHAPES =
      schema(
          file("shapes.proto", "shapes")
              .addEnumType(enumType("Color", "RED"))
              .addMessageType(
                  message(
                          "Shape",
                          stringField("name", 1),
                          inOneof(messageField("circle", 2, ".shapes.Shape.Circle"), 0),
                          inOneof(scalar("side", 3, Type.TYPE_FLOAT), 0),
                          inOneof(scalar("sides", 4, Type.TYPE_INT32), 1).toBuilder()
                              .setProto3Optional(true)
                              .build(),
                          repeated(enumField("colors", 5, ".shapes.Color")),
                          repeated(messageField("parts", 6, ".shapes.Shape.PartsEntry")),
                          repeated(scalar("tags", 7, Type.TYPE_STRING)))
                      .addOneofDecl(OneofDescriptorProto.newBuilder().setName("kind"))
                      .addOneofDecl(OneofDescriptorProto.newBuilder().setName("_sides"))
                      .addNestedType(message("Circle", scalar("radius", 1, Type.TYPE_DOUBLE)))
                      .addNestedType(mapEntry("PartsEntry", Type.TYPE_INT64, ".shapes.Shape"))
                      .addEnumType(enumType("Kind", "ROUND", "FLAT"))));

  /** Package legacy: proto2 labels, a oneof and a group. */
  private static final Schema LEGACY =
      schema(
          file("legacy.proto", "legacy")
              .setSyntax("proto2")
              .addMessageType(
                  message(
                          "Record",
                          scalar("id", 1, Type.TYPE_STRING).toBuilder()
                              .setLabel(Label.LABEL_REQUIRED)
                              .build(),
                          scalar("count", 2, Type.TYPE_SINT64),
                          repeated(scalar("blobs", 3, Type.TYPE_BYTES)),
                          inOneof(scalar("flag", 4, Type.TYPE_BOOL), 0),
                          messageField("result", 5, ".legacy.Record.Result").toBuilder()
                              .setType(Type.TYPE_GROUP)
                              .build())
                      .addOneofDecl(OneofDescriptorProto.newBuilder().setName("choice"))
                      .addNestedType(message("Result", scalar("url", 1, Type.TYPE_STRING)))));

  private static Schema schema(FileDescriptorProto.Builder file) {
    return SchemaLoader.fromSources(List.of(source(file.getName() + ".desc", file.build())));
  }

  /** A singular field of a scalar type, optional in proto2. */
  private static FieldDescriptorProto scalar(String name, int number, Type type) {
    return FieldDescriptorProto.newBuilder()
        .setName(name)
        .setNumber(number)
        .setType(type)
        .setLabel(Label.LABEL_OPTIONAL)
        .build();
  }

  private static FieldDescriptorProto enumField(String name, int number, String typeName) {
    return messageField(name, number, typeName).toBuilder().setType(Type.TYPE_ENUM).build();
  }

  private static FieldDescriptorProto inOneof(FieldDescriptorProto field, int oneofIndex) {
    return field.toBuilder().setOneofIndex(oneofIndex).build();
  }

  private static FieldDescriptorProto repeated(FieldDescriptorProto field) {
    return field.toBuilder().setLabel(Label.LABEL_REPEATED).build();
  }

  /** The nested type protoc makes for {@code map<K, V>}. */
  private static DescriptorProto.Builder mapEntry(String name, Type keyType, String valueType) {
    return message(name, scalar("key", 1, keyType), messageField("value", 2, valueType))
        .setOptions(MessageOptions.newBuilder().setMapEntry(true));
  }

  @Test
  void ofService_bundledServices_printEveryRpcWithStreamKeywords() {
    assertEquals(
        """
        service GrpcService {
          rpc hello ( .HelloRequest ) returns ( .HelloResponse );
        }""",
        ProtoSource.of(BUNDLED.findService("GrpcService").orElseThrow()));
    assertEquals(
        String.join(
            "\n",
            "service StreamingDemo {",
            "  rpc Countdown ( .protogate.demo.CountdownRequest )"
                + " returns ( stream .protogate.demo.Tick );",
            "  rpc Sum ( stream .protogate.demo.Number ) returns ( .protogate.demo.SumResult );",
            "  rpc Echo ( stream .protogate.demo.EchoMessage )"
                + " returns ( stream .protogate.demo.EchoMessage );",
            "}"),
        ProtoSource.of(BUNDLED.findService("protogate.demo.StreamingDemo").orElseThrow()));
  }

  @Test
  void ofMethod_clientStreaming_isTheRpcLineAlone() {
    assertEquals(
        "rpc Sum ( stream .protogate.demo.Number ) returns ( .protogate.demo.SumResult );",
        ProtoSource.of(BUNDLED.findMethod("protogate.demo.StreamingDemo/Sum").orElseThrow()));
  }

  @Test
  void ofMessage_bundledMessages_printExactly() {
    assertEquals(
        """
        message HelloRequest {
          string data = 1;
          .Skill skill = 2;
        }""",
        ProtoSource.of(BUNDLED.findMessage("HelloRequest").orElseThrow()));
    assertEquals(
        """
        message Skill {
          string name = 1;
        }""",
        ProtoSource.of(BUNDLED.findMessage("Skill").orElseThrow()));
    assertEquals(
        """
        message Tick {
          int32 remaining = 1;
          .google.protobuf.Timestamp at = 2;
        }""",
        ProtoSource.of(BUNDLED.findMessage("protogate.demo.Tick").orElseThrow()));
  }

  @Test
  void ofMessage_mapField_printsMapTypeAndNotItsEntryType() {
    assertEquals(
        """
        message HelloResponse {
          string result = 1;
          map<string, int32> map_result = 2;
        }""",
        ProtoSource.of(BUNDLED.findMessage("HelloResponse").orElseThrow()));
  }

  @Test
  void ofMessage_proto3Shapes_printOneofOptionalRepeatedMapAndNestedTypes() {
    assertEquals(
        """
        message Shape {
          string name = 1;
          oneof kind {
            .shapes.Shape.Circle circle = 2;
            float side = 3;
          }
          optional int32 sides = 4;
          repeated .shapes.Color colors = 5;
          map<int64, .shapes.Shape> parts = 6;
          repeated string tags = 7;
          message Circle {
            double radius = 1;
          }
          enum Kind {
            KIND_UNSPECIFIED = 0;
            ROUND = 1;
            FLAT = 2;
          }
        }""",
        ProtoSource.of(SHAPES.findMessage("shapes.Shape").orElseThrow()));
  }

  @Test
  void ofMessage_proto2_printsLabelsExceptInsideOneofs() {
    assertEquals(
        """
        message Record {
          required string id = 1;
          optional sint64 count = 2;
          repeated bytes blobs = 3;
          oneof choice {
            bool flag = 4;
          }
          optional .legacy.Record.Result result = 5;
          message Result {
            optional string url = 1;
          }
        }""",
        ProtoSource.of(LEGACY.findMessage("legacy.Record").orElseThrow()));
  }

  @Test
  void ofEnum_topLevelAndNested_printEveryValue() {
    assertEquals(
        """
        enum Color {
          COLOR_UNSPECIFIED = 0;
          RED = 1;
        }""",
        ProtoSource.of(SHAPES.findEnum("shapes.Color").orElseThrow()));
    assertEquals(
        """
        enum Kind {
          KIND_UNSPECIFIED = 0;
          ROUND = 1;
          FLAT = 2;
        }""",
        ProtoSource.of(SHAPES.findEnum("shapes.Shape.Kind").orElseThrow()));
  }
}
