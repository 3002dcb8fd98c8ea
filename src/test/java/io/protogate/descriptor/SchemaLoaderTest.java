package io.protogate.descriptor;

import static io.protogate.descriptor.TestProtos.enumType;
import static io.protogate.descriptor.TestProtos.file;
import static io.protogate.descriptor.TestProtos.fileNames;
import static io.protogate.descriptor.TestProtos.message;
import static io.protogate.descriptor.TestProtos.messageField;
import static io.protogate.descriptor.TestProtos.setBytes;
import static io.protogate.descriptor.TestProtos.source;
import static io.protogate.descriptor.TestProtos.stringField;
import static io.protogate.descriptor.TestProtos.writeSet;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.TimestampProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class SchemaLoaderTest {
  private static final String TIMESTAMP = "google/protobuf/timestamp.proto";

  /** c.proto imports b.proto, which imports a.proto; each holds one message using the next. */
  private static final FileDescriptorProto A =
      file("a.proto", "chain").addMessageType(message("A", stringField("text", 1))).build();

  private static final FileDescriptorProto B =
      file("b.proto", "chain", "a.proto")
          .addMessageType(message("B", messageField("a", 1, ".chain.A")))
          .build();

  private static final FileDescriptorProto C =
      file("c.proto", "chain", "b.proto")
          .addMessageType(message("C", messageField("b", 1, ".chain.B")))
          .build();

  @TempDir Path dir;

  @Test
  void load_filesInReverseOrderWithinASet_linksDependenciesFirst() {
    Schema schema = SchemaLoader.fromSources(List.of(source("chain.desc", C, B, A)));

    assertEquals(List.of("a.proto", "b.proto", "c.proto"), fileNames(schema));
    assertChainLinked(schema);
    assertEquals(List.of("chain.desc"), schema.sources());
  }

  @Test
  void load_filesSplitAcrossTwoSets_linksAcrossSets() throws Exception {
    Path top = writeSet(dir.resolve("top.desc"), C);
    Path rest = writeSet(dir.resolve("rest.desc"), B, A);

    Schema schema = SchemaLoader.load(List.of(top, rest));

    assertEquals(List.of("a.proto", "b.proto", "c.proto"), fileNames(schema));
    assertChainLinked(schema);
    assertEquals(List.of(top.toString(), rest.toString()), schema.sources());
  }

  private static void assertChainLinked(Schema schema) {
    Descriptor a = schema.findMessage("chain.A").orElseThrow();
    Descriptor b = schema.findMessage("chain.B").orElseThrow();
    Descriptor c = schema.findMessage("chain.C").orElseThrow();
    assertSame(b, c.findFieldByName("b").getMessageType());
    assertSame(a, b.findFieldByName("a").getMessageType());
    List<FileDescriptor> files = schema.files();
    for (int i = 0; i < files.size(); i++) {
      for (FileDescriptor dependency : files.get(i).getDependencies()) {
        assertTrue(
            files.subList(0, i).contains(dependency),
            files.get(i).getName() + " listed before its import " + dependency.getName());
      }
    }
  }

  @Test
  void load_wellKnownImportNotInSet_resolvesFromProtobufJava() {
    FileDescriptorProto event =
        file("event.proto", "ev", TIMESTAMP)
            .addMessageType(message("Event", messageField("at", 1, ".google.protobuf.Timestamp")))
            .build();

    Schema schema = SchemaLoader.fromSources(List.of(source("event.desc", event)));

    Descriptor at =
        schema.findMessage("ev.Event").orElseThrow().findFieldByName("at").getMessageType();
    assertSame(TimestampProto.getDescriptor(), at.getFile());
    assertEquals("google.protobuf.Timestamp", at.getFullName());
    assertSame(at, schema.findMessage("google.protobuf.Timestamp").orElseThrow());
  }

  @Test
  void load_setRedefiningAWellKnownTypeItAlsoImports_isADuplicateSymbol() {
    FileDescriptorProto fake =
        file("my/ts.proto", "google.protobuf").addMessageType(message("Timestamp")).build();
    FileDescriptorProto user =
        file("u.proto", "u", TIMESTAMP)
            .addMessageType(message("U", messageField("t", 1, ".google.protobuf.Timestamp")))
            .build();

    SchemaException e = assertLoadFails(List.of(source("fake.desc", fake, user)));

    assertMessageContains(e, "google.protobuf.Timestamp", "my/ts.proto", TIMESTAMP);
  }

  @Test
  void load_wellKnownImportIncludedInSet_linksTheSetsCopyFirst() {
    FileDescriptorProto event =
        file("event.proto", "ev", TIMESTAMP)
            .addMessageType(message("Event", messageField("at", 1, ".google.protobuf.Timestamp")))
            .build();
    FileDescriptorProto timestamp = TimestampProto.getDescriptor().toProto();

    Schema schema = SchemaLoader.fromSources(List.of(source("event.desc", event, timestamp)));

    assertEquals(List.of(TIMESTAMP, "event.proto"), fileNames(schema));
    Descriptor at =
        schema.findMessage("ev.Event").orElseThrow().findFieldByName("at").getMessageType();
    assertSame(schema.findMessage("google.protobuf.Timestamp").orElseThrow(), at);
  }

  @Test
  void load_sameFileInTwoSetsIdentical_linksItOnce() {
    FileDescriptorProto common =
        file("common.proto", "shared").addMessageType(message("Id", stringField("v", 1))).build();
    FileDescriptorProto left =
        file("left.proto", "left", "common.proto")
            .addMessageType(message("L", messageField("id", 1, ".shared.Id")))
            .build();
    FileDescriptorProto right =
        file("right.proto", "right", "common.proto")
            .addMessageType(message("R", messageField("id", 1, ".shared.Id")))
            .build();

    Schema schema =
        SchemaLoader.fromSources(
            List.of(source("left.desc", left, common), source("right.desc", right, common)));

    assertEquals(List.of("common.proto", "left.proto", "right.proto"), fileNames(schema));
    assertSame(
        schema.findMessage("left.L").orElseThrow().findFieldByName("id").getMessageType(),
        schema.findMessage("right.R").orElseThrow().findFieldByName("id").getMessageType());
  }

  @Test
  void load_sameFileInTwoSetsDiffering_namesBothSourcesAndTheFile() {
    FileDescriptorProto v1 =
        file("common.proto", "shared").addMessageType(message("Id", stringField("v", 1))).build();
    FileDescriptorProto v2 =
        file("common.proto", "shared").addMessageType(message("Id", stringField("v", 2))).build();

    SchemaException e =
        assertLoadFails(List.of(source("first.desc", v1), source("second.desc", v2)));

    assertEquals("second.desc", e.source());
    assertMessageContains(e, "first.desc", "second.desc", "'common.proto'", "differs");
  }

  @Test
  void load_missingImport_namesImporterAndMissingFileAndSuggestsIncludeImports() {
    FileDescriptorProto app =
        file("app.proto", "app", "lib/money.proto")
            .addMessageType(message("Order", messageField("price", 1, ".lib.Money")))
            .build();

    SchemaException e = assertLoadFails(List.of(source("app.desc", app)));

    assertEquals("app.desc", e.source());
    assertMessageContains(e, "app.desc", "'app.proto'", "'lib/money.proto'", "--include_imports");
  }

  @Test
  void load_missingImportOfAnImport_namesTheSetHoldingTheImporter() {
    FileDescriptorProto lib = file("lib.proto", "lib", "lib/base.proto").build();
    FileDescriptorProto app = file("app.proto", "app", "lib.proto").build();

    SchemaException e = assertLoadFails(List.of(source("app.desc", app), source("lib.desc", lib)));

    assertEquals("lib.desc", e.source());
    assertMessageContains(e, "lib.desc", "'lib.proto'", "'lib/base.proto'");
  }

  @Test
  void load_emptyFile_saysItIsNotADescriptorSet() throws Exception {
    Path empty = Files.write(dir.resolve("empty.desc"), new byte[0]);

    SchemaException e = assertPathFails(empty);

    assertMessageContains(e, empty.toString(), "empty file", "not a descriptor set");
  }

  @Test
  void load_randomBytes_saysItIsNotADescriptorSet() throws Exception {
    byte[] noise = new byte[512];
    new Random(20_240_611L).nextBytes(noise);
    Path random = Files.write(dir.resolve("random.desc"), noise);

    SchemaException e = assertPathFails(random);

    assertMessageContains(e, random.toString(), "not a descriptor set", "--descriptor_set_out");
  }

  @Test
  void load_protoSourceText_saysItIsNotADescriptorSet() throws Exception {
    Path text =
        Files.write(
            dir.resolve("contract.proto"), "syntax = \"proto3\"; message A {}".getBytes(UTF_8));

    SchemaException e = assertPathFails(text);

    assertMessageContains(e, text.toString(), "not a descriptor set", "--descriptor_set_out");
  }

  @Test
  void load_setFollowedByUnknownFields_saysItIsNotADescriptorSet() {
    byte[] set = setBytes(file("a.proto", "p").build());
    byte[] withTrailer = Arrays.copyOf(set, set.length + 2);
    withTrailer[set.length] = 0x10; // field 2, varint: no such field in a FileDescriptorSet
    withTrailer[set.length + 1] = 0x01;

    SchemaException e = assertLoadFails(List.of(new DescriptorSource("trailer.desc", withTrailer)));

    assertMessageContains(e, "trailer.desc", "not a descriptor set");
  }

  @Test
  void load_setWithAnUnnamedFile_saysItIsNotADescriptorSet() {
    FileDescriptorProto unnamed = FileDescriptorProto.newBuilder().setPackage("p").build();

    SchemaException e = assertLoadFails(List.of(source("unnamed.desc", unnamed)));

    assertMessageContains(e, "unnamed.desc", "not a descriptor set");
  }

  @Test
  void load_duplicateMessageAcrossUnrelatedFiles_namesBothFilesAndSets() {
    FileDescriptorProto first =
        file("first.proto", "p").addMessageType(message("Dup", stringField("a", 1))).build();
    FileDescriptorProto second =
        file("second.proto", "p").addMessageType(message("Dup", stringField("b", 1))).build();

    SchemaException e =
        assertLoadFails(List.of(source("one.desc", first), source("two.desc", second)));

    assertEquals("two.desc", e.source());
    assertMessageContains(e, "'p.Dup'", "'first.proto'", "'second.proto'", "one.desc", "two.desc");
  }

  @Test
  void load_duplicateNestedMessageAcrossUnrelatedFiles_namesBothFiles() {
    FileDescriptorProto outer =
        file("outer.proto", "p")
            .addMessageType(
                message("Outer").addNestedType(message("Mid").addNestedType(message("In"))))
            .build();
    FileDescriptorProto clash =
        file("clash.proto", "p.Outer.Mid").addMessageType(message("In")).build();

    SchemaException e = assertLoadFails(List.of(source("set.desc", outer, clash)));

    assertMessageContains(e, "'p.Outer.Mid.In'", "'outer.proto'", "'clash.proto'");
  }

  @Test
  void load_duplicateNestedEnumAcrossUnrelatedFiles_namesBothFiles() {
    FileDescriptorProto outer =
        file("outer.proto", "p")
            .addMessageType(
                message("Outer").addNestedType(message("Mid").addEnumType(enumType("Kind", "BIG"))))
            .build();
    FileDescriptorProto clash =
        file("clash.proto", "p.Outer.Mid").addEnumType(enumType("Kind", "SMALL")).build();

    SchemaException e = assertLoadFails(List.of(source("set.desc", outer, clash)));

    assertMessageContains(e, "'p.Outer.Mid.Kind'", "'outer.proto'", "'clash.proto'");
  }

  @Test
  void load_duplicateServiceAcrossUnrelatedFiles_namesBothFiles() {
    FileDescriptorProto first =
        file("first.proto", "p")
            .addMessageType(message("Req"))
            .addService(service("Api", ".p.Req"))
            .build();
    FileDescriptorProto second =
        file("second.proto", "p")
            .addMessageType(message("Other"))
            .addService(service("Api", ".p.Other"))
            .build();

    SchemaException e = assertLoadFails(List.of(source("set.desc", first, second)));

    assertMessageContains(e, "'p.Api'", "'first.proto'", "'second.proto'");
  }

  private static ServiceDescriptorProto service(String name, String type) {
    return ServiceDescriptorProto.newBuilder()
        .setName(name)
        .addMethod(
            MethodDescriptorProto.newBuilder()
                .setName("Call")
                .setInputType(type)
                .setOutputType(type))
        .build();
  }

  @Test
  void load_fieldOfUndefinedType_namesFileAndSymbol() {
    FileDescriptorProto bad =
        file("bad.proto", "p")
            .addMessageType(message("Holder", messageField("thing", 1, ".p.Missing")))
            .build();

    SchemaException e = assertLoadFails(List.of(source("bad.desc", bad)));

    assertEquals("bad.desc", e.source());
    assertMessageContains(e, "bad.desc", "'bad.proto'", "p.Holder.thing", "p.Missing");
  }

  @Test
  void load_directory_loadsEverySetAndIgnoresOtherFiles() throws Exception {
    Path d =
        writeSet(dir.resolve("d.desc"), file("d.proto", "d").addMessageType(message("D")).build());
    Path b =
        writeSet(dir.resolve("b.binpb"), file("b.proto", "b").addMessageType(message("B")).build());
    Path p =
        writeSet(dir.resolve("p.pb"), file("p.proto", "p").addMessageType(message("P")).build());
    Path s =
        writeSet(
            dir.resolve("s.protoset"), file("s.proto", "s").addMessageType(message("S")).build());
    Files.write(dir.resolve("README.txt"), "Descriptor sets for the tests.\n".getBytes(UTF_8));

    Schema schema = SchemaLoader.load(List.of(dir));

    assertEquals(List.of(b.toString(), d.toString(), p.toString(), s.toString()), schema.sources());
    for (String name : List.of("d.D", "b.B", "p.P", "s.S")) {
      assertTrue(schema.findMessage(name).isPresent(), name + " not loaded");
    }
  }

  @Test
  void load_emptyDirectory_saysItHoldsNoDescriptorSet() {
    SchemaException e = assertPathFails(dir);

    assertEquals(dir.toString(), e.source());
    assertMessageContains(e, dir.toString(), "no descriptor set", ".desc");
  }

  @Test
  void load_directoryWithoutSets_saysItHoldsNoDescriptorSet() throws Exception {
    Files.write(dir.resolve("README.txt"), "nothing here\n".getBytes(UTF_8));
    Files.write(dir.resolve("hello.proto"), "syntax = \"proto3\";\n".getBytes(UTF_8));

    SchemaException e = assertPathFails(dir);

    assertMessageContains(e, dir.toString(), "no descriptor set");
  }

  @Test
  void load_missingPath_saysThereIsNoSuchFile() {
    Path missing = dir.resolve("nowhere").resolve("gone.desc");

    SchemaException e = assertPathFails(missing);

    assertEquals(missing.toString(), e.source());
    assertMessageContains(e, missing.toString(), "no such file");
  }

  @Test
  void load_importCycle_isReportedWithBothFiles() {
    FileDescriptorProto ping = file("ping.proto", "p", "pong.proto").build();
    FileDescriptorProto pong = file("pong.proto", "p", "ping.proto").build();

    SchemaException e = assertLoadFails(List.of(source("cycle.desc", ping, pong)));

    assertTrue(
        e.getMessage().endsWith("import cycle: ping.proto -> pong.proto -> ping.proto"),
        e.getMessage());
  }

  @Test
  void load_fileImportingItself_isReportedAsACycle() {
    FileDescriptorProto self = file("self.proto", "p", "self.proto").build();

    SchemaException e = assertLoadFails(List.of(source("self.desc", self)));

    assertTrue(e.getMessage().endsWith("import cycle: self.proto -> self.proto"), e.getMessage());
  }

  private static SchemaException assertLoadFails(List<DescriptorSource> sources) {
    return assertThrows(SchemaException.class, () -> SchemaLoader.fromSources(sources));
  }

  private static SchemaException assertPathFails(Path path) {
    return assertThrows(SchemaException.class, () -> SchemaLoader.load(List.of(path)));
  }

  private static void assertMessageContains(SchemaException e, String... parts) {
    String message = e.getMessage();
    assertAll(
        Arrays.stream(parts)
            .map(
                part ->
                    (Executable)
                        () ->
                            assertTrue(
                                message.contains(part), "expected '" + part + "' in: " + message)));
  }
}
