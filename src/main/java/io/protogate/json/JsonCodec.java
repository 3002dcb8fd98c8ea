package io.protogate.json;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.protogate.descriptor.Schema;
import java.util.Comparator;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON to {@code DynamicMessage} and back, through protobuf-java's {@link JsonFormat} over a
 * schema's type registry, so {@code Any} and the well-known types work. Parse errors name the
 * message type and, for a misspelled field, the nearest real one. Immutable.
 */
public final class JsonCodec {
  private static final Pattern UNKNOWN_FIELD =
      Pattern.compile("Cannot find field: (\\S+) in message (\\S+)");

  private final Schema schema;
  private final JsonFormat.Parser parser;
  private final JsonFormat.Printer printer;

  private JsonCodec(Schema schema, JsonFormat.Printer printer) {
    this(schema, JsonFormat.parser().usingTypeRegistry(schema.typeRegistry()),
        printer.usingTypeRegistry(schema.typeRegistry()).sortingMapKeys());
  }

  private JsonCodec(Schema schema, JsonFormat.Parser parser, JsonFormat.Printer printer) {
    this.schema = schema;
    this.parser = parser;
    this.printer = printer;
  }

  /** This codec printing each message on one line, as newline-delimited JSON needs. */
  public JsonCodec compact() {
    return new JsonCodec(schema, parser, printer.omittingInsignificantWhitespace());
  }

  /** This codec skipping fields the type does not have, instead of refusing them. */
  public JsonCodec ignoringUnknownFields() {
    return new JsonCodec(schema, parser.ignoringUnknownFields(), printer);
  }

  /** A codec printing indented JSON with lowerCamelCase names, as {@code JsonFormat} does. */
  public static JsonCodec of(Schema schema) {
    return new JsonCodec(schema, JsonFormat.printer());
  }

  /**
   * A codec with the given output style: {@code emitDefaults} prints fields left at their
   * default, {@code protoNames} prints {@code map_result} rather than {@code mapResult}.
   */
  public static JsonCodec of(Schema schema, boolean emitDefaults, boolean protoNames) {
    JsonFormat.Printer printer = JsonFormat.printer();
    if (emitDefaults) {
      printer = printer.alwaysPrintFieldsWithNoPresence();
    }
    if (protoNames) {
      printer = printer.preservingProtoFieldNames();
    }
    return new JsonCodec(schema, printer);
  }

  /** Parses {@code json} as a {@code type}; the error names the type and what was wrong. */
  public DynamicMessage parse(String json, Descriptor type) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    try {
      parser.merge(json, builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new IllegalArgumentException(
          "invalid JSON for " + type.getFullName() + ": " + e.getMessage() + hint(e), e);
    }
    return builder.build();
  }

  private String hint(Exception e) {
    Matcher unknown = UNKNOWN_FIELD.matcher(String.valueOf(e.getMessage()));
    if (!unknown.find()) {
      return "";
    }
    String wrong = unknown.group(1);
    return schema.findMessage(unknown.group(2))
        .flatMap(type -> type.getFields().stream()
            .min(Comparator.comparingInt(f -> distance(wrong, f))))
        .map(f -> "; did you mean \"" + f.getJsonName() + "\"? " + f.getContainingType()
            .getFullName() + " has " + f.getContainingType().getFields().stream()
            .map(FieldDescriptor::getJsonName).toList())
        .orElse("");
  }

  private static int distance(String wrong, FieldDescriptor field) {
    return Math.min(editDistance(wrong, field.getName()), editDistance(wrong, field.getJsonName()));
  }

  /** Levenshtein distance, case-insensitive: field names are short, so the square is cheap. */
  static int editDistance(String a, String b) {
    a = a.toLowerCase(Locale.ROOT);
    b = b.toLowerCase(Locale.ROOT);
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
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
