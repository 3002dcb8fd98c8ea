package io.protogate.json;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DynamicMessage;
import java.util.HashSet;
import java.util.Set;

/**
 * A placeholder message of a type, for {@code describe --msg-template}: every field the caller
 * could send is set, so that printing it with {@code JsonFormat} (fields without presence always
 * printed) shows the full shape of a request, ready to edit and pass back with {@code -d}. Scalars
 * hold their zero value, enums their first value, repeated fields and maps one element, and a oneof
 * only its first fillable field, since setting another would replace it.
 */
public final class JsonTemplate {
  /**
   * Files of the well-known types, whose JSON form is a special string or value rather than their
   * fields: filling their fields would print odd values, and an {@code Any} without a type URL
   * cannot be printed at all, so they stay at their default instance.
   */
  private static final Set<String> WELL_KNOWN_FILES =
      Set.of(
          "google/protobuf/any.proto",
          "google/protobuf/duration.proto",
          "google/protobuf/empty.proto",
          "google/protobuf/field_mask.proto",
          "google/protobuf/struct.proto",
          "google/protobuf/timestamp.proto",
          "google/protobuf/wrappers.proto");

  private JsonTemplate() {}

  public static DynamicMessage of(Descriptor type) {
    return fill(type, new HashSet<>());
  }

  /** {@code path} holds the types being filled above this one, to end recursive types. */
  private static DynamicMessage fill(Descriptor type, Set<Descriptor> path) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    if (WELL_KNOWN_FILES.contains(type.getFile().getName())) {
      return builder.build();
    }
    path.add(type);
    for (FieldDescriptor field : type.getFields()) {
      OneofDescriptor oneof = field.getRealContainingOneof();
      if (oneof != null && builder.hasOneof(oneof)) {
        continue;
      }
      Object value = placeholder(field, path);
      if (value == null) {
        continue;
      } else if (field.isRepeated()) {
        builder.addRepeatedField(field, value);
      } else {
        builder.setField(field, value);
      }
    }
    path.remove(type);
    // A proto2 required field left unset to end a recursion must not make the template fail.
    return builder.buildPartial();
  }

  /** One value (one element, if repeated) for {@code field}, or null to leave it unset. */
  private static Object placeholder(FieldDescriptor field, Set<Descriptor> path) {
    if (field.isMapField()) {
      // Filled by hand, not by fill(entry), so that a map of a recursive type is left empty
      // rather than printed with an empty value; the key keeps its zero value.
      Descriptor entry = field.getMessageType();
      FieldDescriptor valueField = entry.findFieldByNumber(2);
      Object value = placeholder(valueField, path);
      return value == null
          ? null
          : DynamicMessage.newBuilder(entry).setField(valueField, value).build();
    }
    return switch (field.getJavaType()) {
      case INT -> 0;
      case LONG -> 0L;
      case FLOAT -> 0f;
      case DOUBLE -> 0d;
      case BOOLEAN -> false;
      case STRING -> "";
      case BYTE_STRING -> ByteString.EMPTY;
      case ENUM -> field.getEnumType().getValues().get(0);
      case MESSAGE ->
          path.contains(field.getMessageType()) ? null : fill(field.getMessageType(), path);
    };
  }
}
