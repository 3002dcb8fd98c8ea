package io.protogate.handler;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import java.util.List;
import java.util.Map;

/**
 * One-line access to the fields of a {@code DynamicMessage} by name, for handlers. Paths are
 * dotted proto field names ({@code skill.name}); JSON names ({@code mapResult}) are accepted too.
 * An unset message field reads as its default, as in generated code. A name that does not exist
 * throws {@link IllegalArgumentException} naming the message type and the field.
 */
public final class Fields {
  private Fields() {}

  /** The value at {@code path}: a String, number, boolean, ByteString, enum name, message, list. */
  public static Object get(MessageOrBuilder message, String path) {
    MessageOrBuilder current = message;
    // Walked with indexOf, not split: handlers call this on every request.
    int start = 0;
    for (int dot; (dot = path.indexOf('.', start)) >= 0; start = dot + 1) {
      String name = path.substring(start, dot);
      FieldDescriptor field = field(current.getDescriptorForType(), name, path);
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isRepeated()) {
        throw new IllegalArgumentException(
            "'" + path + "': field '" + name + "' of " + current.getDescriptorForType()
                .getFullName() + " is not a singular message");
      }
      current = (MessageOrBuilder) current.getField(field);
    }
    FieldDescriptor field = field(current.getDescriptorForType(), path.substring(start), path);
    Object value = current.getField(field);
    return value instanceof EnumValueDescriptor e ? e.getName() : value;
  }

  public static String getString(MessageOrBuilder message, String path) {
    return String.valueOf(get(message, path));
  }

  public static long getLong(MessageOrBuilder message, String path) {
    return ((Number) get(message, path)).longValue();
  }

  /**
   * Sets the field at {@code path}, creating parent messages as needed. Numbers are converted to
   * the field's type, enum values may be given by name, a {@link List} fills a repeated field and
   * a {@link Map} fills a map field.
   */
  public static <B extends Message.Builder> B set(B builder, String path, Object value) {
    Message.Builder current = builder;
    int start = 0;
    for (int dot; (dot = path.indexOf('.', start)) >= 0; start = dot + 1) {
      current = current.getFieldBuilder(
          field(current.getDescriptorForType(), path.substring(start, dot), path));
    }
    FieldDescriptor field = field(current.getDescriptorForType(), path.substring(start), path);
    if (field.isMapField() && value instanceof Map<?, ?> map) {
      current.clearField(field);
      Descriptor entryType = field.getMessageType();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        Message.Builder pair = current.newBuilderForField(field);
        pair.setField(entryType.findFieldByNumber(1), convert(entryType.findFieldByNumber(1),
            entry.getKey()));
        pair.setField(entryType.findFieldByNumber(2), convert(entryType.findFieldByNumber(2),
            entry.getValue()));
        current.addRepeatedField(field, pair.build());
      }
    } else if (field.isRepeated() && value instanceof List<?> list) {
      current.clearField(field);
      for (Object element : list) {
        current.addRepeatedField(field, convert(field, element));
      }
    } else {
      current.setField(field, convert(field, value));
    }
    return builder;
  }

  private static Object convert(FieldDescriptor field, Object value) {
    return switch (field.getJavaType()) {
      case INT -> value instanceof Number n ? n.intValue() : value;
      case LONG -> value instanceof Number n ? n.longValue() : value;
      case FLOAT -> value instanceof Number n ? n.floatValue() : value;
      case DOUBLE -> value instanceof Number n ? n.doubleValue() : value;
      case ENUM -> {
        if (value instanceof String name) {
          EnumValueDescriptor enumValue = field.getEnumType().findValueByName(name);
          if (enumValue == null) {
            throw new IllegalArgumentException(
                "'" + name + "' is not a value of enum " + field.getEnumType().getFullName());
          }
          yield enumValue;
        }
        yield value;
      }
      case MESSAGE -> value instanceof Message m
              && m.getDescriptorForType() != field.getMessageType()
          ? reparse(m, field.getMessageType())
          : value;
      default -> value;
    };
  }

  // A generated message (Timestamp, say) is linked to protobuf-java's own descriptor, not to the
  // loaded schema's copy of the same type: carry it across through its bytes.
  private static Message reparse(Message message, Descriptor type) {
    if (!message.getDescriptorForType().getFullName().equals(type.getFullName())) {
      throw new IllegalArgumentException(
          "a " + message.getDescriptorForType().getFullName() + " cannot be set where a "
              + type.getFullName() + " is expected");
    }
    try {
      return DynamicMessage.parseFrom(type, message.toByteString());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("same type, different wire form: " + type.getFullName(), e);
    }
  }

  private static FieldDescriptor field(Descriptor type, String name, String path) {
    FieldDescriptor field = type.findFieldByName(name);
    if (field == null) {
      field = type.getFields().stream()
          .filter(f -> f.getJsonName().equals(name))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException(
              "'" + path + "': message " + type.getFullName() + " has no field '" + name
                  + "'; its fields are " + type.getFields().stream()
                  .map(FieldDescriptor::getName).toList()));
    }
    return field;
  }
}
