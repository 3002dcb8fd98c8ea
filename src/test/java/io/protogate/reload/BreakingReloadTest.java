package io.protogate.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import io.protogate.descriptor.DescriptorSource;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Handlers;
import io.protogate.server.ProtogateServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reloader's breaking-change modes through real file changes into a running server: reject
 * keeps the contract served, warn and off swap, and a method a Java handler answers cannot
 * disappear in any mode. Findings are computed against what is served, not the last file read.
 */
class BreakingReloadTest {
  @TempDir Path dir;
  private final List<String> rejected = new ArrayList<>();
  private final List<Schema> swapped = new ArrayList<>();
  private final Reloader.Listener listener = new Reloader.Listener() {
    @Override
    public void swapped(Schema schema) {
      swapped.add(schema);
    }

    @Override
    public void rejected(String problem) {
      rejected.add(problem);
    }
  };
  private ProtogateServer server;
  private Schema initial;

  private static FileDescriptorProto hello() throws Exception {
    return FileDescriptorSet.parseFrom(Files.readAllBytes(Path.of("descriptors/hello.desc")))
        .getFile(0);
  }

  private void write(Consumer<FileDescriptorProto.Builder> change) throws Exception {
    FileDescriptorProto.Builder file = hello().toBuilder();
    change.accept(file);
    Files.write(dir.resolve("hello.desc"),
        FileDescriptorSet.newBuilder().addFile(file).build().toByteArray());
  }

  private static DescriptorProto.Builder request(FileDescriptorProto.Builder file) {
    return file.getMessageTypeBuilderList().stream()
        .filter(m -> m.getName().equals("HelloRequest")).findFirst().orElseThrow();
  }

  private static void addExtraField(FileDescriptorProto.Builder file) {
    request(file).addField(FieldDescriptorProto.newBuilder().setName("extra").setNumber(9)
        .setJsonName("extra").setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
        .setType(FieldDescriptorProto.Type.TYPE_STRING));
  }

  private void start(Handlers handlers) throws Exception {
    write(file -> {});
    initial = SchemaLoader.load(List.of(dir));
    server = ProtogateServer.builder(initial).port(0).handlers(handlers).build().start();
  }

  @BeforeEach
  void startServer() throws Exception {
    start(Handlers.builder().build());
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    server.close();
  }

  private Reloader reloader(Reloader.Breaking mode) {
    return new Reloader(List.of(dir), server, mode, listener);
  }

  @Test
  void reject_fieldDeleted_keepsServingTheOldContractAndSaysWhy() throws Exception {
    write(file -> request(file).removeField(0));

    reloader(Reloader.Breaking.REJECT).reload();

    assertEquals(initial.version(), server.contract().current().version());
    assertEquals(List.of(), swapped);
    assertEquals(1, rejected.size(), rejected.toString());
    assertTrue(rejected.get(0).startsWith("2 breaking changes (--breaking=reject), the first:"
        + " hello.proto: HelloRequest.data (field 1): deleted without reserving its name"),
        rejected.get(0));
  }

  @Test
  void reject_compatibleChange_isSwapped() throws Exception {
    write(BreakingReloadTest::addExtraField);

    reloader(Reloader.Breaking.REJECT).reload();

    assertEquals(List.of(), rejected);
    assertEquals(swapped.get(0).version(), server.contract().current().version());
  }

  @Test
  void warnAndOff_fieldDeleted_isSwapped() throws Exception {
    for (Reloader.Breaking mode : List.of(Reloader.Breaking.WARN, Reloader.Breaking.OFF)) {
      write(file -> request(file).removeField(0));
      reloader(mode).reload();
      assertEquals(List.of(), rejected);
      assertEquals(swapped.get(swapped.size() - 1).version(),
          server.contract().current().version());
      write(file -> {});
      reloader(mode).reload();
    }
    assertEquals(4, swapped.size());
  }

  @Test
  void reject_comparesWithTheContractServed_notWithTheLastFileRead() throws Exception {
    FileDescriptorProto.Builder extra = hello().toBuilder();
    addExtraField(extra);
    Schema withExtra = SchemaLoader.fromSources(List.of(new DescriptorSource("elsewhere",
        FileDescriptorSet.newBuilder().addFile(extra).build().toByteArray())));
    server.contract().update(contract -> contract.withSchema(withExtra));
    // The file still holds the initial contract: reloading it would drop the served "extra".
    reloader(Reloader.Breaking.REJECT).reload();

    assertEquals(withExtra.version(), server.contract().current().version());
    assertEquals(1, rejected.size(), rejected.toString());
    assertTrue(rejected.get(0).contains("HelloRequest.extra (field 9)"), rejected.get(0));
  }

  @Test
  void off_methodOfAJavaHandlerRemoved_isRefusedAnyway() throws Exception {
    server.close();
    start(Handlers.builder().unary("GrpcService/hello", (request, call) -> request).build());
    write(file -> file.getServiceBuilder(0).clearMethod());

    reloader(Reloader.Breaking.OFF).reload();

    assertEquals(initial.version(), server.contract().current().version());
    assertEquals(1, rejected.size(), rejected.toString());
    assertTrue(rejected.get(0).startsWith("method GrpcService/hello is answered by the handler"),
        rejected.get(0));
  }
}
