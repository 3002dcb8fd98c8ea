package io.protogate.breaking;

import com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.GenericDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The line of an element in its {@code .proto} file, read from the source info {@code protoc
 * --include_source_info} (or buf) puts in a descriptor set; 0 when the set has none. Source info
 * addresses elements by their path of field numbers and indexes in {@code FileDescriptorProto}.
 */
final class SourceLines {
  // Field numbers in descriptor.proto that make up source info paths.
  private static final int FILE_PACKAGE = 2;
  private static final int FILE_MESSAGE = 4;
  private static final int FILE_ENUM = 5;
  private static final int FILE_SERVICE = 6;
  private static final int FILE_EXTENSION = 7;
  private static final int MESSAGE_FIELD = 2;
  private static final int MESSAGE_NESTED = 3;
  private static final int MESSAGE_ENUM = 4;
  private static final int MESSAGE_EXTENSION = 6;
  private static final int ENUM_VALUE = 2;
  private static final int SERVICE_METHOD = 2;

  private final Map<FileDescriptor, Map<List<Integer>, Integer>> lines = new HashMap<>();

  int of(GenericDescriptor element) {
    return lines(element.getFile()).getOrDefault(path(element), 0);
  }

  int ofPackage(FileDescriptor file) {
    return lines(file).getOrDefault(List.of(FILE_PACKAGE), 0);
  }

  private Map<List<Integer>, Integer> lines(FileDescriptor file) {
    return lines.computeIfAbsent(file, f -> {
      Map<List<Integer>, Integer> byPath = new HashMap<>();
      for (Location location : f.toProto().getSourceCodeInfo().getLocationList()) {
        byPath.putIfAbsent(location.getPathList(), location.getSpan(0) + 1);
      }
      return byPath;
    });
  }

  private static List<Integer> path(GenericDescriptor element) {
    List<Integer> path = new ArrayList<>();
    if (element instanceof Descriptor message) {
      messagePath(message, path);
    } else if (element instanceof FieldDescriptor field) {
      Descriptor scope =
          field.isExtension() ? field.getExtensionScope() : field.getContainingType();
      if (scope == null) {
        path.addAll(List.of(FILE_EXTENSION, field.getIndex()));
      } else {
        messagePath(scope, path);
        path.addAll(List.of(field.isExtension() ? MESSAGE_EXTENSION : MESSAGE_FIELD,
            field.getIndex()));
      }
    } else if (element instanceof EnumDescriptor type) {
      enumPath(type, path);
    } else if (element instanceof EnumValueDescriptor value) {
      enumPath(value.getType(), path);
      path.addAll(List.of(ENUM_VALUE, value.getIndex()));
    } else if (element instanceof ServiceDescriptor service) {
      path.addAll(List.of(FILE_SERVICE, service.getIndex()));
    } else if (element instanceof MethodDescriptor method) {
      path.addAll(List.of(FILE_SERVICE, method.getService().getIndex(), SERVICE_METHOD,
          method.getIndex()));
    }
    return path;
  }

  private static void messagePath(Descriptor message, List<Integer> path) {
    if (message.getContainingType() == null) {
      path.addAll(List.of(FILE_MESSAGE, message.getIndex()));
    } else {
      messagePath(message.getContainingType(), path);
      path.addAll(List.of(MESSAGE_NESTED, message.getIndex()));
    }
  }

  private static void enumPath(EnumDescriptor type, List<Integer> path) {
    if (type.getContainingType() == null) {
      path.addAll(List.of(FILE_ENUM, type.getIndex()));
    } else {
      messagePath(type.getContainingType(), path);
      path.addAll(List.of(MESSAGE_ENUM, type.getIndex()));
    }
  }
}
