package io.protogate.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BreakingChangesTest {
  private static FileDescriptorProto hello() throws Exception {
    return FileDescriptorSet.parseFrom(Files.readAllBytes(Path.of("descriptors/hello.desc")))
        .getFile(0);
  }

  private static Schema schema(FileDescriptorProto file) {
    return SchemaLoader.fromSources(List.of(new DescriptorSource("test",
        FileDescriptorSet.newBuilder().addFile(file).build().toByteArray())));
  }

  private static Schema changed(Consumer<FileDescriptorProto.Builder> change) throws Exception {
    FileDescriptorProto.Builder file = hello().toBuilder();
    change.accept(file);
    return schema(file.build());
  }

  private static FieldDescriptorProto.Builder field(FileDescriptorProto.Builder file,
      String message, int number) {
    return file.getMessageTypeBuilderList().stream().filter(m -> m.getName().equals(message))
        .findFirst().orElseThrow().getFieldBuilderList().stream()
        .filter(f -> f.getNumber() == number).findFirst().orElseThrow();
  }

  @Test
  void additions_areNotBreaking() throws Exception {
    Schema next = changed(file -> file.getMessageTypeBuilder(0).addField(
        FieldDescriptorProto.newBuilder().setName("extra").setNumber(9)
            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setType(FieldDescriptorProto.Type.TYPE_STRING)));

    assertEquals(List.of(), BreakingChanges.between(schema(hello()), next));
  }

  @Test
  void methodRemoved_isBreaking() throws Exception {
    Schema next = changed(file -> file.getServiceBuilder(0).clearMethod());

    assertEquals(List.of("method GrpcService/hello removed"),
        BreakingChanges.between(schema(hello()), next));
  }

  @Test
  void callTypeChanged_isBreaking() throws Exception {
    Schema next = changed(file -> file.getServiceBuilder(0).getMethodBuilder(0)
        .setServerStreaming(true));

    assertEquals(List.of("method GrpcService/hello changed from UNARY to SERVER_STREAMING"),
        BreakingChanges.between(schema(hello()), next));
  }

  @Test
  void fieldNumberReusedWithAnotherType_isBreaking() throws Exception {
    Schema next = changed(file -> field(file, "HelloRequest", 1).setName("count")
        .setJsonName("count").setType(FieldDescriptorProto.Type.TYPE_INT32));

    assertEquals(List.of("field number 1 of HelloRequest was string 'data', now int32 'count'"),
        BreakingChanges.between(schema(hello()), next));
  }

  @Test
  void reloader_rejectBreaking_keepsServingTheOldContract(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("hello.desc"),
        FileDescriptorSet.newBuilder().addFile(hello()).build().toByteArray());
    Schema initial = SchemaLoader.load(List.of(dir));
    List<String> rejected = new ArrayList<>();
    try (ProtogateServer server = ProtogateServer.builder(initial).port(0)
        .handlers(Handlers.builder().build()).build().start()) {
      Reloader reloader = new Reloader(List.of(dir), server, true, new Reloader.Listener() {
        @Override
        public void swapped(Schema schema) {}

        @Override
        public void rejected(String problem) {
          rejected.add(problem);
        }
      });
      FileDescriptorProto.Builder noMethods = hello().toBuilder();
      noMethods.getServiceBuilder(0).clearMethod();
      Files.write(dir.resolve("hello.desc"),
          FileDescriptorSet.newBuilder().addFile(noMethods).build().toByteArray());

      reloader.reload();

      assertEquals(initial.version(), server.schema().version());
      assertEquals(1, rejected.size(), rejected.toString());
      assertTrue(rejected.get(0).contains("method GrpcService/hello removed"), rejected.get(0));
    }
  }
}
