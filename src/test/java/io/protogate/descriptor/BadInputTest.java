package io.protogate.descriptor;

import static io.protogate.descriptor.TestProtos.file;
import static io.protogate.descriptor.TestProtos.message;
import static io.protogate.descriptor.TestProtos.messageField;
import static io.protogate.descriptor.TestProtos.source;
import static io.protogate.descriptor.TestProtos.stringField;
import static io.protogate.descriptor.TestProtos.writeSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.Edition;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.UnknownFieldSet;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs found to break loading in independent testing: each must end in a {@link
 * SchemaException} whose message is one line naming the file, never another exception, a hang,
 * or an unbounded read.
 */
class BadInputTest {
  private static final String HELLO = "descriptors/hello.desc";

  @TempDir Path dir;

  @Test
  void everySingleByteCorruptionOfHello_loadsOrFailsInOneLineNamingTheFile() throws Exception {
    byte[] original = Files.readAllBytes(Path.of(HELLO));
    List<String> wrong = new ArrayList<>();
    int refused = 0;
    for (int position = 0; position < original.length; position++) {
      for (int value = 0; value < 256; value++) {
        if ((byte) value == original[position]) {
          continue;
        }
        byte[] corrupt = original.clone();
        corrupt[position] = (byte) value;
        try {
          SchemaLoader.fromSources(List.of(new DescriptorSource(HELLO, corrupt)));
        } catch (SchemaException e) {
          refused++;
          if (!isOneLineNaming(HELLO, e.getMessage())) {
            wrong.add(position + "=" + value + ": " + e.getMessage());
          }
        } catch (RuntimeException | StackOverflowError e) {
          wrong.add(position + "=" + value + ": " + e);
        }
      }
    }
    assertEquals(List.of(), wrong.subList(0, Math.min(10, wrong.size())),
        wrong.size() + " corruptions failed another way");
    assertTrue(refused > original.length, "the fuzzing refused almost nothing: " + refused);
  }

  @Test
  void deepImportChain_loadsWithoutExhaustingTheStack() throws Exception {
    int depth = 5_000;
    List<FileDescriptorProto> files = new ArrayList<>();
    files.add(file("f0.proto", "chain").addMessageType(message("M0", stringField("s", 1))).build());
    for (int i = 1; i < depth; i++) {
      files.add(file("f" + i + ".proto", "chain", "f" + (i - 1) + ".proto")
          .addMessageType(message("M" + i, messageField("m", 1, ".chain.M" + (i - 1))))
          .build());
    }
    // The last file first, so that linking must descend through the whole chain.
    Collections.reverse(files);
    DescriptorSource chain = source("chain.desc", files.toArray(FileDescriptorProto[]::new));
    AtomicReference<Object> outcome = new AtomicReference<>();
    // A small stack, so that recursion proportional to the depth fails here as it did on a 1 MB
    // stack with 3,000 files.
    Thread loader = new Thread(null, () -> {
      try {
        outcome.set(SchemaLoader.fromSources(List.of(chain)));
      } catch (Throwable e) {
        outcome.set(e);
      }
    }, "small-stack-loader", 256 * 1024);
    loader.start();
    loader.join();

    Schema schema = assertInstanceOfSchema(outcome.get());
    assertEquals(depth, schema.files().size());
    assertTrue(schema.findMessage("chain.M" + (depth - 1)).isPresent());
  }

  private static Schema assertInstanceOfSchema(Object outcome) {
    if (outcome instanceof Throwable e) {
      throw new AssertionError("loading failed: " + e, e);
    }
    return (Schema) outcome;
  }

  @Test
  void deepImportCycle_isReportedWithoutExhaustingTheStack() {
    List<FileDescriptorProto> files = new ArrayList<>();
    int depth = 5_000;
    for (int i = 0; i < depth; i++) {
      files.add(file("f" + i + ".proto", "cycle", "f" + ((i + 1) % depth) + ".proto").build());
    }

    SchemaException e = assertThrows(SchemaException.class, () -> SchemaLoader.fromSources(
        List.of(source("cycle.desc", files.toArray(FileDescriptorProto[]::new)))));

    assertTrue(e.getMessage().startsWith("cycle.desc: import cycle: f0.proto -> f1.proto"),
        e.getMessage().substring(0, 100));
    assertTrue(e.getMessage().endsWith("f4999.proto -> f0.proto"));
  }

  @Test
  void devZero_isRefusedAsNotARegularFile() {
    Path zero = Path.of("/dev/zero");

    SchemaException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> assertThrows(SchemaException.class, () -> SchemaLoader.load(List.of(zero))));

    assertOneLine(e, "/dev/zero: not a regular file");
  }

  @Test
  void fifo_isRefusedWithoutWaitingForAWriter() throws Exception {
    Path fifo = dir.resolve("contract.desc");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());

    SchemaException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> assertThrows(SchemaException.class, () -> SchemaLoader.load(List.of(fifo))));

    assertOneLine(e, fifo + ": not a regular file");
  }

  @Test
  void fifoInADirectory_isRefusedByName_notLeftOutSilently() throws Exception {
    Files.copy(Path.of("descriptors/hello.desc"), dir.resolve("hello.desc"));
    Path fifo = dir.resolve("more.desc");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());

    SchemaException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> assertThrows(SchemaException.class, () -> SchemaLoader.load(List.of(dir))));

    assertOneLine(e, fifo + ": not a regular file");
  }

  @Test
  void fileLargerThanTheLimit_isRefusedWithoutReadingIt() throws Exception {
    Path huge = dir.resolve("huge.desc");
    try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
      file.setLength(DescriptorSource.MAX_SET_BYTES + 1); // sparse: costs no disk
    }

    SchemaException e = assertThrows(SchemaException.class,
        () -> SchemaLoader.load(List.of(huge)));

    assertOneLine(e, huge + ": " + (DescriptorSource.MAX_SET_BYTES + 1)
        + " bytes, more than the 64 MiB a descriptor set may have");
  }

  @Test
  void fieldTypeOutOfRange_namesTheFileAndTheField() throws Exception {
    // Type 99 is no FieldDescriptorProto.Type: protobuf keeps it as an unknown field.
    FieldDescriptorProto field = stringField("s", 1).toBuilder().clearType()
        .setUnknownFields(UnknownFieldSet.newBuilder()
            .addField(FieldDescriptorProto.TYPE_FIELD_NUMBER,
                UnknownFieldSet.Field.newBuilder().addVarint(99).build())
            .build())
        .build();
    Path set = writeSet(dir.resolve("bad.desc"),
        file("bad.proto", "bad").addMessageType(message("M", field)).build());

    SchemaException e = assertThrows(SchemaException.class, () -> SchemaLoader.load(List.of(set)));

    assertOneLine(e, set + ": file 'bad.proto'");
    assertTrue(e.getMessage().contains("bad.M.s"), e.getMessage());
  }

  @Test
  void unknownSyntax_isRefused() {
    FileDescriptorProto proto4 = file("p4.proto", "p4").setSyntax("proto4").build();

    SchemaException e = assertThrows(SchemaException.class,
        () -> SchemaLoader.fromSources(List.of(source("p4.desc", proto4))));

    assertOneLine(e, "p4.desc: file 'p4.proto' declares syntax 'proto4'");
  }

  @Test
  void unsupportedEdition_isRefused() {
    FileDescriptorProto future = file("future.proto", "future").setSyntax("editions")
        .setEdition(Edition.EDITION_UNSTABLE).build();

    SchemaException e = assertThrows(SchemaException.class,
        () -> SchemaLoader.fromSources(List.of(source("future.desc", future))));

    assertOneLine(e, "future.desc: file 'future.proto' declares edition 9999");
  }

  @Test
  void supportedEdition_loads() {
    FileDescriptorProto edition = file("e.proto", "e").setSyntax("editions")
        .setEdition(Edition.EDITION_2023)
        .addMessageType(message("M", stringField("s", 1).toBuilder().clearLabel().build()))
        .build();

    assertTrue(SchemaLoader.fromSources(List.of(source("e.desc", edition)))
        .findMessage("e.M").isPresent());
  }

  @Test
  void controlCharactersInNames_areEscapedSoTheMessageStaysOneLine() {
    FileDescriptorProto bad = file("bad\n.proto", "p").addMessageType(
        message("M", messageField("m", 1, ".p.Missing\r\nat nothing"))).build();

    SchemaException e = assertThrows(SchemaException.class,
        () -> SchemaLoader.fromSources(List.of(source("bad.desc", bad))));

    assertOneLine(e, "bad.desc: file 'bad\\n.proto'");
  }

  private static void assertOneLine(SchemaException e, String start) {
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
    assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), e.getMessage());
  }

  private static boolean isOneLineNaming(String file, String message) {
    return message != null && message.startsWith(file + ": ")
        && message.chars().noneMatch(c -> c == '\n' || c == '\r');
  }
}
