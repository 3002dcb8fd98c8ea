package io.protogate.json;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.protogate.descriptor.Schema;

/**
 * JSON to {@code DynamicMessage} and back, through protobuf-java's {@link JsonFormat} over a
 * schema's type registry, so {@code Any} and the well-known types work. Immutable; one per schema
 * and output style.
 */
public final class JsonCodec {
  private final JsonFormat.Parser parser;
  private final JsonFormat.Printer printer;

  private JsonCodec(JsonFormat.Parser parser, JsonFormat.Printer printer) {
    this.parser = parser;
    this.printer = printer;
  }

  /** A codec printing indented JSON with lowerCamelCase names, as {@code JsonFormat} does. */
  public static JsonCodec of(Schema schema) {
    return new JsonCodec(
        JsonFormat.parser().usingTypeRegistry(schema.typeRegistry()),
        JsonFormat.printer().usingTypeRegistry(schema.typeRegistry()).sortingMapKeys());
  }

  /** Parses {@code json} as a {@code type}; the error names the type and what was wrong. */
  public DynamicMessage parse(String json, Descriptor type) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    try {
      parser.merge(json, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new IllegalArgumentException(
          "invalid JSON for " + type.getFullName() + ": " + e.getMessage(), e);
    }
    return builder.build();
  }

  public String print(MessageOrBuilder message) {
    try {
      return printer.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "cannot print a " + message.getDescriptorForType().getFullName() + " as JSON: "
              + e.getMessage(), e);
    }
  }
}
