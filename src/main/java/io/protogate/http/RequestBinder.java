package io.protogate.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import io.protogate.json.JsonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a request message from an HTTP request as the spec says: path variables, then the body
 * ({@code "*"}, one field, or none), then query parameters for every field neither of them
 * binds. Everything is merged into one JSON tree and parsed once by {@code JsonFormat}, so a
 * query value takes the same forms as in a JSON body (enums by name or number, well-known types
 * in their JSON form) and a path variable inside the body field is kept (armeria #4194). Unknown
 * parameters and body fields are refused by name unless the options say to ignore them.
 */
final class RequestBinder {
  /** Well-known messages written as one JSON string or value, and so settable from a query. */
  private static final Set<String> SCALAR_MESSAGES = Set.of(
      "google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask",
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue");

  private RequestBinder() {}

  /**
   * The request for {@code route}. {@code segments} are the matched path's raw segments,
   * {@code rawQuery} the raw query string or null, {@code body} the request body (empty if none).
   * A bad request is an {@link IllegalArgumentException} whose message is meant for the caller.
   */
  static DynamicMessage bind(Route route, List<String> segments, String rawQuery, String body,
      JsonCodec codec, boolean ignoreUnknown) {
    Descriptor type = route.method().getInputType();
    boolean hasBody = !route.body().isEmpty() && !body.isBlank();
    if (route.variables().isEmpty() && (rawQuery == null || rawQuery.isEmpty())) {
      // The common case (auto-mapped POST, body "*"): no tree, JsonFormat parses the body once.
      if (!hasBody) {
        return DynamicMessage.getDefaultInstance(type);
      }
      if (route.bodyField() == null) {
        return codec.parse(body, type);
      }
    }
    JsonObject tree = new JsonObject();
    if (hasBody) {
      JsonElement parsed;
      try {
        parsed = JsonParser.parseString(body);
      } catch (JsonParseException e) {
        throw new IllegalArgumentException("the body is not JSON: "
            + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
      }
      if (route.bodyField() == null) {
        if (!parsed.isJsonObject()) {
          throw new IllegalArgumentException("the body must be a JSON object for "
              + type.getFullName() + ", got " + abbreviate(parsed.toString()));
        }
        tree = parsed.getAsJsonObject();
      } else {
        tree.add(route.bodyField().getJsonName(), parsed);
      }
    }
    List<Parameter> parameters = rawQuery == null || rawQuery.isEmpty()
        ? List.of() : bindQuery(route, rawQuery, tree, ignoreUnknown);
    for (Route.BoundVariable bound : route.variables()) {
      setLeaf(tree, bound.path(), new JsonPrimitive(variableValue(route, bound, segments)));
    }
    try {
      return codec.parse(tree.toString(), type);
    } catch (IllegalArgumentException e) {
      throw blameParameter(parameters, type, codec).orElse(e);
    }
  }

  /** A query parameter and the fields it sets. */
  private record Parameter(String name, List<FieldDescriptor> path, String value) {}

  /**
   * JsonFormat names the value but not the parameter: on failure only, parse each parameter
   * alone to say which one was wrong.
   */
  private static Optional<IllegalArgumentException> blameParameter(List<Parameter> parameters,
      Descriptor type, JsonCodec codec) {
    for (Parameter parameter : parameters) {
      JsonObject alone = new JsonObject();
      setLeaf(alone, parameter.path(), new JsonPrimitive(parameter.value()));
      if (parameter.path().get(parameter.path().size() - 1).isRepeated()) {
        JsonArray array = new JsonArray();
        array.add(parameter.value());
        FieldDescriptor leaf = parameter.path().get(parameter.path().size() - 1);
        parentOf(alone, parameter.path()).add(leaf.getJsonName(), array);
      }
      try {
        codec.parse(alone.toString(), type);
      } catch (IllegalArgumentException e) {
        return Optional.of(new IllegalArgumentException("query parameter '" + parameter.name()
            + "' = '" + parameter.value() + "': " + e.getMessage()));
      }
    }
    return Optional.empty();
  }

  private static String variableValue(Route route, Route.BoundVariable bound,
      List<String> segments) {
    PathTemplate.Variable variable = bound.variable();
    int rest = route.template().segments().indexOf(PathTemplate.REST);
    int end = rest >= 0 && variable.end() > rest ? segments.size() : variable.end();
    String raw = String.join("/", segments.subList(variable.start(), end));
    try {
      return Decoding.percentDecode(raw, false, !variable.single());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("path variable '" + variable.fieldPath() + "': "
          + e.getMessage());
    }
  }

  private static List<Parameter> bindQuery(Route route, String rawQuery, JsonObject tree,
      boolean ignoreUnknown) {
    Descriptor type = route.method().getInputType();
    List<Parameter> parameters = new ArrayList<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = Decoding.percentDecode(eq < 0 ? pair : pair.substring(0, eq), true, false);
      String value = eq < 0 ? "" : Decoding.percentDecode(pair.substring(eq + 1), true, false);
      List<FieldDescriptor> path;
      try {
        path = queryField(route, type, name);
      } catch (IllegalArgumentException e) {
        if (ignoreUnknown) {
          continue;
        }
        throw e;
      }
      parameters.add(new Parameter(name, path, value));
      FieldDescriptor leaf = path.get(path.size() - 1);
      JsonObject parent = parentOf(tree, path);
      String key = leaf.getJsonName();
      if (leaf.isRepeated()) {
        JsonElement array = parent.get(key);
        if (array == null) {
          array = new JsonArray();
          parent.add(key, array);
        }
        array.getAsJsonArray().add(value);
      } else if (parent.has(key)) {
        throw new IllegalArgumentException("query parameter '" + name + "' is given twice, but "
            + leaf.getFullName() + " holds one value; send it once");
      } else {
        parent.add(key, new JsonPrimitive(value));
      }
    }
    return parameters;
  }

  /** The fields a query parameter's dotted name leads through, or why it cannot be set. */
  private static List<FieldDescriptor> queryField(Route route, Descriptor type, String name) {
    if (route.bodyField() == null && route.body().equals("*")) {
      throw unknownParameter(name, route.describe() + " takes every field from the body (body:"
          + " \"*\"); send it in the JSON body");
    }
    List<FieldDescriptor> path = new ArrayList<>();
    Descriptor current = type;
    for (String part : name.split("\\.", -1)) {
      if (current == null) {
        throw unknownParameter(name, path.get(path.size() - 1).getFullName()
            + " is not a message with fields");
      }
      FieldDescriptor field = current.findFieldByName(part);
      if (field == null) {
        field = current.getFields().stream()
            .filter(f -> f.getJsonName().equals(part)).findFirst().orElse(null);
      }
      if (field == null) {
        throw unknownParameter(name, current.getFullName() + " has no field '" + part + "'");
      }
      path.add(field);
      boolean message = field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && !SCALAR_MESSAGES.contains(field.getMessageType().getFullName());
      current = message && !field.isRepeated() ? field.getMessageType() : null;
    }
    FieldDescriptor leaf = path.get(path.size() - 1);
    if (current != null || leaf.isMapField()
        || (leaf.isRepeated() && leaf.getJavaType() == FieldDescriptor.JavaType.MESSAGE
            && !SCALAR_MESSAGES.contains(leaf.getMessageType().getFullName()))) {
      throw unknownParameter(name, leaf.getFullName() + " is a message, map or repeated message"
          + " field; set its scalar fields one by one (name.field=value) or send it in a body");
    }
    if (route.bodyField() != null && path.get(0).equals(route.bodyField())) {
      throw unknownParameter(name, "it is inside the body field '" + route.body()
          + "'; send it in the JSON body");
    }
    for (Route.BoundVariable bound : route.variables()) {
      if (bound.path().equals(path)) {
        throw unknownParameter(name, "it is bound by the path " + route.template().text());
      }
    }
    return path;
  }

  private static IllegalArgumentException unknownParameter(String name, String why) {
    return new IllegalArgumentException("unknown query parameter '" + name + "': " + why);
  }

  private static JsonObject parentOf(JsonObject tree, List<FieldDescriptor> path) {
    JsonObject node = tree;
    for (FieldDescriptor field : path.subList(0, path.size() - 1)) {
      JsonElement child = node.get(field.getJsonName());
      if (child == null || !child.isJsonObject()) {
        JsonObject created = new JsonObject();
        if (child != null && !child.isJsonNull()) {
          throw new IllegalArgumentException(field.getFullName() + " is both in the body as "
              + abbreviate(child.toString()) + " and set field by field; send it one way");
        }
        node.add(field.getJsonName(), created);
        child = created;
      }
      node = child.getAsJsonObject();
    }
    return node;
  }

  /** Path variables win over the body: the path names the resource (armeria #4194). */
  private static void setLeaf(JsonObject tree, List<FieldDescriptor> path, JsonPrimitive value) {
    JsonObject parent = parentOf(tree, path);
    FieldDescriptor leaf = path.get(path.size() - 1);
    parent.remove(leaf.getName());
    parent.add(leaf.getJsonName(), value);
  }

  private static String abbreviate(String json) {
    return json.length() <= 60 ? json : json.substring(0, 57) + "...";
  }
}
