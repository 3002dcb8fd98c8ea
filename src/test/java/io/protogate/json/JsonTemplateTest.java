package io.protogate.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.AnyProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MessageOptions;
import com.google.protobuf.DescriptorProtos.OneofDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StructProto;
import com.google.protobuf.WrappersProto;
import com.google.protobuf.util.JsonFormat;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTemplateTest {
  private static final Schema BUNDLED = SchemaLoader.fromSources(BundledDescriptors.sources());
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().alwaysPrintFieldsWithNoPresence();

  /**
   * Package tree: {@code Node} refers to itself directly, through a oneof, a repeated field and a
   * map, and holds every scalar kind, an enum, a proto3 optional and well-known types.
   */
  private static final FileDescriptor TREE = treeFile();

  private static FileDescriptor treeFile() {
    DescriptorProto node =
        DescriptorProto.newBuilder()
            .setName("Node")
            .addField(field("name", 1, Type.TYPE_STRING))
            .addField(field("self", 2, ".tree.Node").toBuilder().setOneofIndex(0))
            .addField(field("leaf", 3, Type.TYPE_SINT32).toBuilder().setOneofIndex(0))
            .addField(field("label", 4, Type.TYPE_STRING).toBuilder().setOneofIndex(0))
            .addField(repeated(field("children", 5, ".tree.Node")))
            .addField(repeated(field("by_name", 6, ".tree.Node.ByNameEntry")))
            .addField(repeated(field("counts", 7, ".tree.Node.CountsEntry")))
            .addField(
                field("weight", 8, Type.TYPE_DOUBLE).toBuilder()
                    .setOneofIndex(1)
                    .setProto3Optional(true))
            .addField(field("color", 9, ".tree.Color").toBuilder().setType(Type.TYPE_ENUM))
            .addField(
                repeated(
                    field("colors", 10, ".tree.Color").toBuilder().setType(Type.TYPE_ENUM).build()))
            .addField(field("flag", 11, Type.TYPE_BOOL))
            .addField(field("raw", 12, Type.TYPE_BYTES))
            .addField(field("big", 13, Type.TYPE_UINT64))
            .addField(field("ratio", 14, Type.TYPE_FLOAT))
            .addField(repeated(field("ids", 15, Type.TYPE_FIXED32)))
            .addField(field("meta", 16, ".tree.Meta"))
            .addField(field("any", 17, ".google.protobuf.Any"))
            .addField(field("value", 18, ".google.protobuf.Value"))
            .addField(field("struct", 19, ".google.protobuf.Struct"))
            .addField(field("took", 20, ".google.protobuf.Duration"))
            .addField(field("limit", 21, ".google.protobuf.Int32Value"))
            .addField(field("mask", 22, ".google.protobuf.FieldMask"))
            .addField(field("nothing", 23, ".google.protobuf.Empty"))
            .addOneofDecl(OneofDescriptorProto.newBuilder().setName("kind"))
            .addOneofDecl(OneofDescriptorProto.newBuilder().setName("_weight"))
            .addNestedType(mapEntry("ByNameEntry", field("value", 2, ".tree.Node")))
            .addNestedType(mapEntry("CountsEntry", field("value", 2, Type.TYPE_INT64)))
            .build();
    DescriptorProto meta =
        DescriptorProto.newBuilder()
            .setName("Meta")
            .addField(field("owner", 1, ".tree.Node"))
            .addField(field("note", 2, Type.TYPE_STRING))
            .build();
    EnumDescriptorProto color =
        EnumDescriptorProto.newBuilder()
            .setName("Color")
            .addValue(EnumValueDescriptorProto.newBuilder().setName("COLOR_UNSPECIFIED"))
            .addValue(EnumValueDescriptorProto.newBuilder().setName("RED").setNumber(1))
            .build();
    FileDescriptorProto file =
        FileDescriptorProto.newBuilder()
            .setName("tree.proto")
            .setPackage("tree")
            .setSyntax("proto3")
            .addDependency("google/protobuf/any.proto")
            .addDependency("google/protobuf/struct.proto")
            .addDependency("google/protobuf/duration.proto")
            .addDependency("google/protobuf/wrappers.proto")
            .addDependency("google/protobuf/field_mask.proto")
            .addDependency("google/protobuf/empty.proto")
            .addMessageType(node)
            .addMessageType(meta)
            .addEnumType(color)
            .build();
    try {
      return FileDescriptor.buildFrom(
          file,
          new FileDescriptor[] {
            AnyProto.getDescriptor(),
            StructProto.getDescriptor(),
            DurationProto.getDescriptor(),
            WrappersProto.getDescriptor(),
            FieldMaskProto.getDescriptor(),
            EmptyProto.getDescriptor()
          });
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static FieldDescriptorProto field(String name, int number, Type type) {
    return FieldDescriptorProto.newBuilder()
        .setName(name)
        .setNumber(number)
        .setLabel(Label.LABEL_OPTIONAL)
        .setType(type)
        .build();
  }

  private static FieldDescriptorProto field(String name, int number, String messageType) {
    return field(name, number, Type.TYPE_MESSAGE).toBuilder().setTypeName(messageType).build();
  }

  private static FieldDescriptorProto repeated(FieldDescriptorProto field) {
    return field.toBuilder().setLabel(Label.LABEL_REPEATED).build();
  }

  private static DescriptorProto mapEntry(String name, FieldDescriptorProto value) {
    return DescriptorProto.newBuilder()
        .setName(name)
        .addField(field("key", 1, Type.TYPE_STRING))
        .addField(value)
        .setOptions(MessageOptions.newBuilder().setMapEntry(true))
        .build();
  }

  private static String print(DynamicMessage message) throws InvalidProtocolBufferException {
    return PRINTER.print(message);
  }

  @Test
  void of_helloRequest_fillsTheNestedMessage() throws Exception {
    assertEquals(
        """
        {
          "data": "",
          "skill": {
            "name": ""
          }
        }""",
        print(JsonTemplate.of(BUNDLED.findMessage("HelloRequest").orElseThrow())));
  }

  @Test
  void of_helloResponse_givesTheMapOneEntryWithAnEmptyKey() throws Exception {
    assertEquals(
        """
        {
          "result": "",
          "mapResult": {
            "": 0
          }
        }""",
        print(JsonTemplate.of(BUNDLED.findMessage("HelloResponse").orElseThrow())));
  }

  @Test
  void of_tick_leavesTheTimestampAtItsDefault() throws Exception {
    assertEquals(
        """
        {
          "remaining": 0,
          "at": "1970-01-01T00:00:00Z"
        }""",
        print(JsonTemplate.of(BUNDLED.findMessage("protogate.demo.Tick").orElseThrow())));
  }

  @Test
  void of_recursiveTypeWithEveryKindOfField_fillsAllButTheRecursion() throws Exception {
    // self, children, byName and meta.owner would recurse into Node; the oneof falls to leaf.
    assertEquals(
        """
        {
          "name": "",
          "leaf": 0,
          "children": [],
          "byName": {
          },
          "counts": {
            "": "0"
          },
          "weight": 0.0,
          "color": "COLOR_UNSPECIFIED",
          "colors": ["COLOR_UNSPECIFIED"],
          "flag": false,
          "raw": "",
          "big": "0",
          "ratio": 0.0,
          "ids": [0],
          "meta": {
            "note": ""
          },
          "any": {},
          "value": null,
          "struct": {
          },
          "took": "0s",
          "limit": 0,
          "mask": "",
          "nothing": {
          }
        }""",
        print(JsonTemplate.of(TREE.findMessageTypeByName("Node"))));
  }

  @Test
  void of_wellKnownTypeItself_isItsDefaultInstance() {
    Descriptor duration = DurationProto.getDescriptor().findMessageTypeByName("Duration");

    assertEquals(DynamicMessage.getDefaultInstance(duration), JsonTemplate.of(duration));
  }

  @Test
  void of_templatesPrinted_parseBackToTheSameJson() throws Exception {
    JsonFormat.Parser parser = JsonFormat.parser();
    List<Descriptor> types =
        List.of(
            BUNDLED.findMessage("HelloRequest").orElseThrow(),
            BUNDLED.findMessage("HelloResponse").orElseThrow(),
            BUNDLED.findMessage("protogate.demo.Tick").orElseThrow(),
            TREE.findMessageTypeByName("Node"));
    for (Descriptor type : types) {
      String json = print(JsonTemplate.of(type));
      DynamicMessage.Builder parsed = DynamicMessage.newBuilder(type);

      parser.merge(json, parsed);

      assertEquals(json, print(parsed.build()), type.getFullName());
    }
  }
}
