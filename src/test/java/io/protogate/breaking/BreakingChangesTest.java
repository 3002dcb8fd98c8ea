package io.protogate.breaking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import io.protogate.descriptor.DescriptorSource;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What findings say and where they point; which changes break is {@link BufAgreementTest}'s. */
class BreakingChangesTest {
  private static final String ITEM = """
      syntax = "proto3";
      package shop.v1;

      message Item {
        string sku = 1;
        string name = 2;
      }

      service Shop {
        rpc Get(Item) returns (Item);
        rpc Put(Item) returns (Item);
      }
      """;

  @TempDir Path dir;

  private Schema compile(String text) throws Exception {
    return schema(Protoc.compile(dir, Map.of("shop/v1/item.proto", text)));
  }

  private static Schema schema(byte[] set) {
    return SchemaLoader.fromSources(List.of(new DescriptorSource("test", set)));
  }

  private static List<String> findings(Schema old, Schema next, RuleSet rules) {
    return BreakingChanges.between(old, next, rules).stream().map(Finding::toString).toList();
  }

  @Test
  void sameContract_hasNoFindings() throws Exception {
    assertEquals(List.of(), findings(compile(ITEM), compile(ITEM), RuleSet.WIRE_JSON));
  }

  @Test
  void fieldRenamed_namesFileLineFieldAndWhatJsonCallersSend() throws Exception {
    Schema next = compile(ITEM.replace("string name = 2;", "string title = 2;"));

    assertEquals(List.of(
        "shop/v1/item.proto:6: shop.v1.Item.name (field 2): JSON name changed from \"name\" to"
            + " \"title\"; JSON callers send \"name\" [FIELD_SAME_JSON_NAME]",
        "shop/v1/item.proto:6: shop.v1.Item.name (field 2): renamed to title; JSON callers send"
            + " \"name\" [FIELD_SAME_NAME]"),
        findings(compile(ITEM), next, RuleSet.WIRE_JSON));
  }

  @Test
  void fieldRenamed_underWire_isNoFinding() throws Exception {
    Schema next = compile(ITEM.replace("string name = 2;", "string title = 2;"));

    assertEquals(List.of(), findings(compile(ITEM), next, RuleSet.WIRE));
  }

  @Test
  void fieldRenumbered_pointsAtTheMessageAndSaysWhatToReserve() throws Exception {
    Schema next = compile(ITEM.replace("string name = 2;", "string name = 3;"));

    assertEquals(List.of(
        "shop/v1/item.proto:4: shop.v1.Item.name (field 2): deleted without reserving its name;"
            + " add 'reserved \"name\";' so that no later field takes the name JSON callers still"
            + " send [FIELD_NO_DELETE_UNLESS_NAME_RESERVED]",
        "shop/v1/item.proto:4: shop.v1.Item.name (field 2): deleted without reserving its number;"
            + " add \"reserved 2;\" so that no later field reads old callers' data as its own"
            + " [FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED]"),
        findings(compile(ITEM), next, RuleSet.WIRE_JSON));
  }

  @Test
  void typeChangedOnlyForJson_saysBinaryCallersAreUnaffected() throws Exception {
    String old = ITEM.replace("string name = 2;", "int32 count = 2;");
    Schema next = compile(ITEM.replace("string name = 2;", "int64 count = 2;"));

    assertEquals(List.of("shop/v1/item.proto:6: shop.v1.Item.count (field 2): type changed from"
            + " int32 to int64; binary callers are unaffected, JSON callers are not (JSON writes"
            + " 64-bit integers as strings) [FIELD_WIRE_JSON_COMPATIBLE_TYPE]"),
        findings(compile(old), next, RuleSet.WIRE_JSON));
  }

  @Test
  void methodAndServiceRemoved_areFindingsUnderEitherRuleSet() throws Exception {
    Schema noPut = compile(ITEM.replace("  rpc Put(Item) returns (Item);\n", ""));
    Schema renamed = compile(ITEM.replace("service Shop", "service Store"));

    for (RuleSet rules : RuleSet.values()) {
      assertEquals(List.of("shop/v1/item.proto:9: shop.v1.Shop/Put: method removed; its callers"
          + " now get UNIMPLEMENTED [RPC_NO_DELETE]"), findings(compile(ITEM), noPut, rules));
      assertEquals(List.of("shop/v1/item.proto: shop.v1.Shop: service removed; every caller of"
              + " its methods now gets UNIMPLEMENTED [SERVICE_NO_DELETE]"),
          findings(compile(ITEM), renamed, rules));
    }
  }

  @Test
  void callTypeChanged_saysWhatCallersDo() throws Exception {
    Schema next = compile(ITEM.replace("rpc Get(Item) returns (Item);",
        "rpc Get(Item) returns (stream Item);"));

    assertEquals(List.of("shop/v1/item.proto:10: shop.v1.Shop/Get: now answers with a stream;"
            + " callers expect one response [RPC_SAME_SERVER_STREAMING]"),
        findings(compile(ITEM), next, RuleSet.WIRE_JSON));
  }

  @Test
  void enumValueRenamed_andReservedRangeShrunk_sayWhatJsonCallersSendAndWhatIsNoLongerReserved()
      throws Exception {
    String old = ITEM + "enum State { STATE_UNSPECIFIED = 0; ACTIVE = 1; reserved 5 to 9; }\n";
    Schema next = compile(ITEM
        + "enum State { STATE_UNSPECIFIED = 0; LIVE = 1; reserved 5 to 6, 9; }\n");

    assertEquals(List.of(
        "shop/v1/item.proto:13: shop.v1.State: reserved 5 to 9 shrunk: 7 to 8 no longer reserved;"
            + " a later value there would give old callers' data another meaning"
            + " [RESERVED_ENUM_NO_DELETE]",
        "shop/v1/item.proto:13: shop.v1.State.ACTIVE (value 1): renamed to LIVE; JSON callers"
            + " send \"ACTIVE\" [ENUM_VALUE_SAME_NAME]"),
        findings(compile(old), next, RuleSet.WIRE_JSON));
  }

  @Test
  void setWithoutSourceInfo_findingHasFileButNoLine() throws Exception {
    FileDescriptorSet.Builder bare = FileDescriptorSet.parseFrom(Protoc.compile(dir,
        Map.of("shop/v1/item.proto", ITEM.replace("string name = 2;", "bytes name = 2;"))))
        .toBuilder();
    bare.getFileBuilderList().forEach(FileDescriptorProto.Builder::clearSourceCodeInfo);

    assertEquals(List.of("shop/v1/item.proto: shop.v1.Item.name (field 2): type changed from"
            + " string to bytes; binary callers are unaffected, JSON callers are not (JSON writes"
            + " bytes as base64) [FIELD_WIRE_JSON_COMPATIBLE_TYPE]"),
        findings(compile(ITEM), schema(bare.build().toByteArray()), RuleSet.WIRE_JSON));
  }

  // The bundled hello contract, changed as its users changed it in the field.

  private static FileDescriptorProto hello() throws Exception {
    return FileDescriptorSet.parseFrom(Files.readAllBytes(Path.of("descriptors/hello.desc")))
        .getFile(0);
  }

  private static Schema hello(Consumer<FileDescriptorProto.Builder> change) throws Exception {
    FileDescriptorProto.Builder file = hello().toBuilder();
    change.accept(file);
    return schema(FileDescriptorSet.newBuilder().addFile(file).build().toByteArray());
  }

  private static FieldDescriptorProto.Builder field(FileDescriptorProto.Builder file,
      String message, int number) {
    return file.getMessageTypeBuilderList().stream().filter(m -> m.getName().equals(message))
        .findFirst().orElseThrow().getFieldBuilderList().stream()
        .filter(f -> f.getNumber() == number).findFirst().orElseThrow();
  }

  @Test
  void hello_fieldAdded_isNoFinding() throws Exception {
    Schema next = hello(file -> file.getMessageTypeBuilder(0).addField(
        FieldDescriptorProto.newBuilder().setName("extra").setNumber(9)
            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setType(FieldDescriptorProto.Type.TYPE_STRING)));

    assertEquals(List.of(), findings(hello(file -> {}), next, RuleSet.WIRE_JSON));
  }

  @Test
  void hello_dataRenumbered_isFound() throws Exception {
    Schema next = hello(file -> field(file, "HelloRequest", 1).setNumber(3));

    assertEquals(List.of("FIELD_NO_DELETE_UNLESS_NAME_RESERVED",
            "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED"),
        BreakingChanges.between(hello(file -> {}), next, RuleSet.WIRE_JSON).stream()
            .map(Finding::rule).toList());
  }

  @Test
  void hello_numberReusedWithAnotherType_isFound() throws Exception {
    Schema next = hello(file -> field(file, "HelloRequest", 1).setName("count")
        .setJsonName("count").setType(FieldDescriptorProto.Type.TYPE_INT32));

    assertEquals(List.of(
            "hello.proto: HelloRequest.data (field 1): type changed from string to int32;"
                + " callers on the old contract send data the new one misreads"
                + " [FIELD_WIRE_COMPATIBLE_TYPE]"),
        findings(hello(file -> {}), next, RuleSet.WIRE));
  }
}
