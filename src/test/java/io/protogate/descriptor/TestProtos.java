package io.protogate.descriptor;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** Builds small descriptor sets in code, so that loader tests need no protoc. */
final class TestProtos {
  private TestProtos() {}

  /** A proto3 file named {@code name} in package {@code pkg} that imports {@code imports}. */
  static FileDescriptorProto.Builder file(String name, String pkg, String... imports) {
    return FileDescriptorProto.newBuilder()
        .setName(name)
        .setPackage(pkg)
        .setSyntax("proto3")
        .addAllDependency(List.of(imports));
  }

  static DescriptorProto.Builder message(String name, FieldDescriptorProto... fields) {
    return DescriptorProto.newBuilder().setName(name).addAllField(List.of(fields));
  }

  /** A singular field whose type is the message or enum {@code typeName} (fully qualified). */
  static FieldDescriptorProto messageField(String name, int number, String typeName) {
    return FieldDescriptorProto.newBuilder()
        .setName(name)
        .setNumber(number)
        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
        .setType(FieldDescriptorProto.Type.TYPE_MESSAGE)
        .setTypeName(typeName)
        .build();
  }

  static FieldDescriptorProto stringField(String name, int number) {
    return FieldDescriptorProto.newBuilder()
        .setName(name)
        .setNumber(number)
        .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
        .setType(FieldDescriptorProto.Type.TYPE_STRING)
        .build();
  }

  /** A proto3 enum whose first value is {@code <NAME>_UNSPECIFIED}, then {@code values}. */
  static EnumDescriptorProto.Builder enumType(String name, String... values) {
    EnumDescriptorProto.Builder builder =
        EnumDescriptorProto.newBuilder()
            .setName(name)
            .addValue(
                EnumValueDescriptorProto.newBuilder()
                    .setName(name.toUpperCase() + "_UNSPECIFIED")
                    .setNumber(0));
    for (int i = 0; i < values.length; i++) {
      builder.addValue(EnumValueDescriptorProto.newBuilder().setName(values[i]).setNumber(i + 1));
    }
    return builder;
  }

  static byte[] setBytes(FileDescriptorProto... files) {
    return FileDescriptorSet.newBuilder().addAllFile(List.of(files)).build().toByteArray();
  }

  static DescriptorSource source(String name, FileDescriptorProto... files) {
    return new DescriptorSource(name, setBytes(files));
  }

  static Path writeSet(Path file, FileDescriptorProto... files) throws IOException {
    return Files.write(file, setBytes(files));
  }

  static List<String> fileNames(Schema schema) {
    return schema.files().stream().map(FileDescriptor::getName).toList();
  }

  /** Every message in {@code files}, nested ones included. */
  static List<Descriptor> allMessages(List<FileDescriptor> files) {
    List<Descriptor> all = new ArrayList<>();
    Deque<Descriptor> pending = new ArrayDeque<>();
    files.forEach(f -> pending.addAll(f.getMessageTypes()));
    while (!pending.isEmpty()) {
      Descriptor message = pending.pop();
      all.add(message);
      pending.addAll(message.getNestedTypes());
    }
    return all;
  }
}
