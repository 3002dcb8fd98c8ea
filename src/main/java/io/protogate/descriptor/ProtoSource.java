package io.protogate.descriptor;

import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.util.Locale;

/**
 * Proto source text for a loaded service, method, message or enum, in the shape grpcurl's {@code
 * describe} prints: two-space indents and type names fully qualified with a leading dot, so the
 * text is unambiguous without the file's imports and package. A descriptor set holds no comments or
 * formatting, so this is a rebuilt view of the contract, not the original file; options, reserved
 * ranges and extensions are left out because a caller building requests has no use for them.
 */
public final class ProtoSource {
  private ProtoSource() {}

  public static String of(ServiceDescriptor service) {
    StringBuilder out = new StringBuilder("service ").append(service.getName()).append(" {\n");
    for (MethodDescriptor method : service.getMethods()) {
      out.append("  ").append(of(method)).append('\n');
    }
    return out.append('}').toString();
  }

  /** The method's {@code rpc} line alone. */
  public static String of(MethodDescriptor method) {
    return "rpc "
        + method.getName()
        + " ( "
        + (method.isClientStreaming() ? "stream " : "")
        + typeName(method.getInputType())
        + " ) returns ( "
        + (method.isServerStreaming() ? "stream " : "")
        + typeName(method.getOutputType())
        + " );";
  }

  public static String of(Descriptor message) {
    StringBuilder out = new StringBuilder();
    message(out, message, "");
    return out.deleteCharAt(out.length() - 1).toString();
  }

  public static String of(EnumDescriptor type) {
    StringBuilder out = new StringBuilder();
    enumType(out, type, "");
    return out.deleteCharAt(out.length() - 1).toString();
  }

  private static void message(StringBuilder out, Descriptor message, String indent) {
    out.append(indent).append("message ").append(message.getName()).append(" {\n");
    String inner = indent + "  ";
    for (FieldDescriptor field : message.getFields()) {
      OneofDescriptor oneof = field.getRealContainingOneof();
      if (oneof == null) {
        field(out, field, inner);
      } else if (oneof.getField(0) == field) {
        // A oneof's fields need not be contiguous, but printing the whole block where its first
        // field stands keeps every field once and the block together.
        out.append(inner).append("oneof ").append(oneof.getName()).append(" {\n");
        oneof.getFields().forEach(member -> field(out, member, inner + "  "));
        out.append(inner).append("}\n");
      }
    }
    for (Descriptor nested : message.getNestedTypes()) {
      // Map entries are synthesized by protoc from map<K, V> and printed as that field type.
      if (!nested.getOptions().getMapEntry()) {
        message(out, nested, inner);
      }
    }
    message.getEnumTypes().forEach(nested -> enumType(out, nested, inner));
    out.append(indent).append("}\n");
  }

  private static void field(StringBuilder out, FieldDescriptor field, String indent) {
    out.append(indent).append(label(field));
    if (field.isMapField()) {
      Descriptor entry = field.getMessageType();
      out.append("map<")
          .append(fieldType(entry.findFieldByNumber(1)))
          .append(", ")
          .append(fieldType(entry.findFieldByNumber(2)))
          .append('>');
    } else {
      out.append(fieldType(field));
    }
    out.append(' ').append(field.getName()).append(" = ").append(field.getNumber()).append(";\n");
  }

  /** The keyword before the type, with its trailing space, or nothing. */
  private static String label(FieldDescriptor field) {
    if (field.isMapField()) {
      return "";
    }
    if (field.isRepeated()) {
      return "repeated ";
    }
    if (field.getRealContainingOneof() != null) {
      return "";
    }
    String syntax = field.getFile().toProto().getSyntax();
    if (syntax.isEmpty() || syntax.equals("proto2")) {
      // proto2 requires a label on every field outside a oneof.
      return field.toProto().getLabel() == FieldDescriptorProto.Label.LABEL_REQUIRED
          ? "required "
          : "optional ";
    }
    // In proto3 only an explicit `optional` gives a scalar presence, which protoc records as a
    // synthetic one-field oneof; real oneofs were handled above.
    return field.getContainingOneof() != null ? "optional " : "";
  }

  private static String fieldType(FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case MESSAGE -> typeName(field.getMessageType());
      case ENUM -> "." + field.getEnumType().getFullName();
      default -> field.getType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static String typeName(Descriptor type) {
    return "." + type.getFullName();
  }

  private static void enumType(StringBuilder out, EnumDescriptor type, String indent) {
    out.append(indent).append("enum ").append(type.getName()).append(" {\n");
    for (EnumValueDescriptor value : type.getValues()) {
      out.append(indent)
          .append("  ")
          .append(value.getName())
          .append(" = ")
          .append(value.getNumber())
          .append(";\n");
    }
    out.append(indent).append("}\n");
  }
}
