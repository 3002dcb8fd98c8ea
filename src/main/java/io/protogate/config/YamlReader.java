package io.protogate.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.util.Durations;
import io.protogate.json.JsonCodec;
import java.text.ParseException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Turns a YAML node tree into the protobuf JSON of a message type, checking every key and value
 * against the type as it goes, so that a mistake is reported at its line, with the nearest valid
 * key. Generic over the message: the configuration's schema is its {@code .proto} alone. Records
 * the line of every key, so later checks can say where too.
 */
final class YamlReader {
  private final String file;
  private final Map<String, Integer> lines = new HashMap<>();

  YamlReader(String file) {
    this.file = file;
  }

  /** Line (1-based) of each key path read ({@code upstreams[0].target}). */
  Map<String, Integer> lines() {
    return lines;
  }

  JsonObject message(Node node, Descriptor type, String path) throws ConfigException {
    if (!(node instanceof MappingNode mapping)) {
      throw error(node, path, "expected keys (" + keys(type) + "), found " + describe(node));
    }
    JsonObject json = new JsonObject();
    Set<FieldDescriptor> seen = new HashSet<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        throw error(tuple.getKeyNode(), path, "a key must be a plain name");
      }
      String key = keyNode.getValue();
      String keyPath = path.isEmpty() ? key : path + "." + key;
      FieldDescriptor field = find(type, key);
      if (field == null) {
        throw error(keyNode, keyPath, "unknown key" + suggestion(type, key, path));
      }
      if (!seen.add(field)) {
        throw error(keyNode, keyPath, "given twice; keep one");
      }
      line(keyNode, keyPath);
      Node valueNode = tuple.getValueNode();
      if (isNull(valueNode)) {
        continue; // "key:" with nothing after it leaves the setting at its default.
      }
      json.add(field.getJsonName(), field.isRepeated()
          ? list(valueNode, field, keyPath) : value(valueNode, field, keyPath));
    }
    return json;
  }

  private JsonArray list(Node node, FieldDescriptor field, String path) throws ConfigException {
    if (!(node instanceof SequenceNode sequence)) {
      throw error(node, path, "expected a list (one '- item' per line, or [a, b]), found "
          + describe(node));
    }
    JsonArray array = new JsonArray();
    List<Node> items = sequence.getValue();
    for (int i = 0; i < items.size(); i++) {
      String itemPath = path + "[" + i + "]";
      line(items.get(i), itemPath);
      array.add(value(items.get(i), field, itemPath));
    }
    return array;
  }

  private JsonElement value(Node node, FieldDescriptor field, String path)
      throws ConfigException {
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      Descriptor type = field.getMessageType();
      if (type.getFullName().equals("google.protobuf.Duration")) {
        String text = scalar(node, path, "a duration such as 5s or 0.5s");
        try {
          Durations.parse(text);
        } catch (ParseException e) {
          throw error(node, path, "'" + text + "' is not a duration; write seconds with an s:"
              + " 5s, 0.5s");
        }
        return new JsonPrimitive(text);
      }
      return message(node, type, path);
    }
    String text = scalar(node, path, kind(field));
    switch (field.getJavaType()) {
      case STRING:
        return new JsonPrimitive(text);
      case BOOLEAN:
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
          throw error(node, path, "expected true or false, found '" + text + "'");
        }
        return new JsonPrimitive(Boolean.parseBoolean(text.toLowerCase(Locale.ROOT)));
      case INT:
      case LONG:
        try {
          long number = Long.parseLong(text.replace("_", ""));
          if (field.getJavaType() == FieldDescriptor.JavaType.INT
              && (number < Integer.MIN_VALUE || number > Integer.MAX_VALUE)) {
            throw new NumberFormatException();
          }
          if (number < 0) {
            throw error(node, path, "expected a number >= 0, found " + number);
          }
          return new JsonPrimitive(number);
        } catch (NumberFormatException e) {
          throw error(node, path, "expected a whole number, found '" + text + "'");
        }
      case ENUM:
        EnumValueDescriptor value = field.getEnumType().findValueByName(text);
        if (value == null) {
          throw error(node, path, "'" + text + "' is not one of " + field.getEnumType()
              .getValues().stream().map(EnumValueDescriptor::getName).toList());
        }
        return new JsonPrimitive(text);
      default:
        throw error(node, path, "unsupported setting type " + field.getJavaType());
    }
  }

  private String scalar(Node node, String path, String expected) throws ConfigException {
    if (!(node instanceof ScalarNode scalar)) {
      throw error(node, path, "expected " + expected + ", found " + describe(node));
    }
    return scalar.getValue().trim();
  }

  private static String kind(FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case BOOLEAN -> "true or false";
      case INT, LONG -> "a number";
      default -> "a single value";
    };
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
  }

  private static FieldDescriptor find(Descriptor type, String key) {
    FieldDescriptor field = type.findFieldByName(key);
    if (field != null) {
      return field;
    }
    // The JSON spelling (maxMsgSz) is accepted too, as protobuf's JSON reader does.
    return type.getFields().stream()
        .filter(f -> f.getJsonName().equals(key)).findFirst().orElse(null);
  }

  private static String suggestion(Descriptor type, String key, String path) {
    String nearest = type.getFields().stream()
        .min(Comparator.comparingInt(f -> JsonCodec.editDistance(key, f.getName())))
        .map(FieldDescriptor::getName).orElse(null);
    return (nearest == null ? "" : "; did you mean '" + nearest + "'?")
        + " Valid keys" + (path.isEmpty() ? "" : " in " + path) + ": " + keys(type);
  }

  private static String keys(Descriptor type) {
    return type.getFields().stream().map(FieldDescriptor::getName)
        .collect(Collectors.joining(", "));
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "keys";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return "'" + ((ScalarNode) node).getValue() + "'";
  }

  private void line(Node node, String path) {
    node.getStartMark().ifPresent(mark -> lines.put(path, mark.getLine() + 1));
  }

  ConfigException error(Node node, String path, String problem) {
    int line = node.getStartMark().map(Mark::getLine).orElse(-1) + 1;
    return new ConfigException(file + ":" + (line > 0 ? line + ": " : " ")
        + (path.isEmpty() ? "" : path + ": ") + problem);
  }
}
