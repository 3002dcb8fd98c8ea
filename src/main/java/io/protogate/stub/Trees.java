package io.protogate.stub;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Plain JSON-like trees ({@code Map}, {@code List}, {@code String}, {@code BigDecimal}, {@code
 * Boolean}, null) as read from stub files and printed from requests, and the comparisons the
 * matchers need. Comparison follows proto3, not JSON: a field that is absent equals its default
 * value, and a 64-bit integer printed as a string ({@code "12"}) equals the number 12.
 */
final class Trees {
  private Trees() {}

  /** Parses JSON text into a tree. */
  static Object parse(String json) {
    return fromGson(JsonParser.parseString(json));
  }

  static Object fromGson(JsonElement element) {
    if (element == null || element.isJsonNull()) {
      return null;
    }
    if (element.isJsonObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      element.getAsJsonObject().entrySet()
          .forEach(e -> map.put(e.getKey(), fromGson(e.getValue())));
      return map;
    }
    if (element.isJsonArray()) {
      List<Object> list = new ArrayList<>();
      element.getAsJsonArray().forEach(e -> list.add(fromGson(e)));
      return list;
    }
    JsonPrimitive primitive = element.getAsJsonPrimitive();
    if (primitive.isBoolean()) {
      return primitive.getAsBoolean();
    }
    if (primitive.isNumber()) {
      return primitive.getAsBigDecimal();
    }
    return primitive.getAsString();
  }

  static JsonElement toGson(Object tree) {
    if (tree == null) {
      return com.google.gson.JsonNull.INSTANCE;
    }
    if (tree instanceof Map<?, ?> map) {
      JsonObject object = new JsonObject();
      map.forEach((k, v) -> object.add(String.valueOf(k), toGson(v)));
      return object;
    }
    if (tree instanceof List<?> list) {
      JsonArray array = new JsonArray();
      list.forEach(v -> array.add(toGson(v)));
      return array;
    }
    if (tree instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    if (tree instanceof Number n) {
      return new JsonPrimitive(number(n));
    }
    return new JsonPrimitive(String.valueOf(tree));
  }

  static String toJson(Object tree) {
    return toGson(tree).toString();
  }

  /**
   * A tree of what YAML or JSON readers produce, with every number a {@code BigDecimal} and every
   * map key a string, so that comparisons see one representation.
   */
  static Object normalize(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), normalize(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(normalize(v)));
      return out;
    }
    if (value instanceof Number n) {
      return number(n);
    }
    return value;
  }

  static BigDecimal number(Number n) {
    if (n instanceof BigDecimal d) {
      return d;
    }
    if (n instanceof Double || n instanceof Float) {
      return BigDecimal.valueOf(n.doubleValue());
    }
    return new BigDecimal(n.toString());
  }

  /** True for what proto3 leaves out of the wire: null, "", 0, false, [] and {}. */
  static boolean isDefault(Object value) {
    return value == null
        || "".equals(value)
        || Boolean.FALSE.equals(value)
        || (value instanceof BigDecimal d && d.signum() == 0)
        || (value instanceof List<?> l && l.isEmpty())
        || (value instanceof Map<?, ?> m && m.isEmpty());
  }

  /**
   * Deep equality under proto3 rules. Lists compare in order, or as multisets when {@code
   * ignoreOrder} (how many times an element appears still counts).
   */
  static boolean equal(Object expected, Object actual, boolean ignoreOrder) {
    if (isDefault(expected) && isDefault(actual)) {
      return true;
    }
    if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a) {
      for (Object key : union(e, a)) {
        if (!equal(e.get(key), a.get(key), ignoreOrder)) {
          return false;
        }
      }
      return true;
    }
    if (expected instanceof List<?> e && actual instanceof List<?> a) {
      if (e.size() != a.size()) {
        return false;
      }
      if (!ignoreOrder) {
        for (int i = 0; i < e.size(); i++) {
          if (!equal(e.get(i), a.get(i), false)) {
            return false;
          }
        }
        return true;
      }
      return eachFound(e, a, (x, y) -> equal(x, y, true), true);
    }
    BigDecimal left = asNumber(expected);
    BigDecimal right = asNumber(actual);
    if (left != null && right != null && (expected instanceof BigDecimal
        || actual instanceof BigDecimal)) {
      return left.compareTo(right) == 0;
    }
    return Objects.equals(expected, actual);
  }

  private static List<Object> union(Map<?, ?> e, Map<?, ?> a) {
    List<Object> keys = new ArrayList<>(e.keySet());
    a.keySet().stream().filter(k -> !e.containsKey(k)).forEach(keys::add);
    return keys;
  }

  interface Test {
    boolean test(Object expected, Object actual);
  }

  /**
   * True if every expected element satisfies {@code test} against some actual element; with
   * {@code distinct}, each actual element serves one expected element only (multiset).
   */
  static boolean eachFound(List<?> expected, List<?> actual, Test test, boolean distinct) {
    boolean[] used = new boolean[actual.size()];
    for (Object e : expected) {
      boolean found = false;
      for (int i = 0; i < actual.size() && !found; i++) {
        if (!(distinct && used[i]) && test.test(e, actual.get(i))) {
          used[i] = true;
          found = true;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  /** A number, or a string holding one (how JSON prints 64-bit integers), else null. */
  static BigDecimal asNumber(Object value) {
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof String s && !s.isEmpty() && s.length() < 40) {
      try {
        return new BigDecimal(s);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** The text a pattern is matched against: strings as they are, numbers plainly printed. */
  static String text(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof BigDecimal d) {
      return d.stripTrailingZeros().toPlainString();
    }
    return value instanceof Map || value instanceof List ? toJson(value) : value.toString();
  }

  /** A short rendering of a value for error messages. */
  static String show(Object value) {
    if (value == null) {
      return "nothing";
    }
    String json = value instanceof String s ? toGson(s).toString() : toJson(value);
    return json.length() > 80 ? json.substring(0, 77) + "..." : json;
  }
}
