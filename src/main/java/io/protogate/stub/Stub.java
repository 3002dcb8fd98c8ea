package io.protogate.stub;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One stub in GripMock's format: which method it answers ({@code service}, {@code method}), when
 * ({@code headers}, and {@code input} or, for client and bidirectional streaming, {@code inputs},
 * one matcher per message), with what ({@code output}), and its {@code priority}. {@code where}
 * names the stub in messages ("stubs/shop.yaml, stub #2"); {@code fullMethod} is set once the stub
 * has been checked against a contract. Immutable.
 */
public record Stub(
    String id,
    String service,
    String method,
    int priority,
    Matcher headers,
    Matcher input,
    List<Matcher> inputs,
    Output output,
    String where,
    String fullMethod,
    Map<String, Object> source) {

  private static final Set<String> KEYS = Set.of("id", "service", "method", "priority", "headers",
      "input", "inputs", "output", "options", "session", "effects", "source", "used");

  /** The stub as written, for the API's listings and for recording. */
  public Map<String, Object> asTree() {
    return source;
  }

  Stub resolved(String fullMethod, Matcher input, List<Matcher> inputs, Output output) {
    return new Stub(id, service, method, priority, headers, input, inputs, output, where,
        fullMethod, source);
  }

  /**
   * Reads one stub from a parsed JSON or YAML object; {@code where} names it in errors, {@code
   * defaultId} is used when the stub has no {@code id}.
   */
  @SuppressWarnings("unchecked")
  static Stub fromTree(Object tree, String where, String defaultId) throws StubException {
    if (!(tree instanceof Map<?, ?> raw)) {
      throw new StubException(where + ": expected a stub (an object with service, method, input"
          + " and output), found " + Trees.show(tree));
    }
    Map<String, Object> map = (Map<String, Object>) Trees.normalize(raw);
    for (String key : map.keySet()) {
      if (!KEYS.contains(key)) {
        throw new StubException(where + ": unknown key \"" + key + "\""
            + Names.didYouMean(key, KEYS) + "; a stub has service, method, priority, headers,"
            + " input or inputs, output");
      }
    }
    String service = text(map, "service", where);
    String method = text(map, "method", where);
    Object id = map.get("id");
    Object priority = map.getOrDefault("priority", BigDecimal.ZERO);
    if (!(priority instanceof BigDecimal p) || p.stripTrailingZeros().scale() > 0) {
      throw new StubException(where + ".priority: expected a whole number, found "
          + Trees.show(priority));
    }
    if (map.containsKey("input") && map.containsKey("inputs")) {
      throw new StubException(where + ": give either input (one message) or inputs (one matcher"
          + " per streamed message), not both");
    }
    List<Matcher> inputs = null;
    if (map.containsKey("inputs")) {
      if (!(map.get("inputs") instanceof List<?> list) || list.isEmpty()) {
        throw new StubException(where + ".inputs: expected a non-empty list of matchers");
      }
      inputs = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        inputs.add(Matcher.fromTree(list.get(i), where + ".inputs[" + i + "]", true));
      }
      inputs = List.copyOf(inputs);
    }
    if (!map.containsKey("output")) {
      throw new StubException(where + ": no output; give output.data, output.stream or"
          + " output.error");
    }
    return new Stub(
        id == null ? defaultId : Trees.text(id),
        service,
        method,
        ((BigDecimal) priority).intValueExact(),
        Matcher.fromTree(lowerCaseKeys(map.get("headers")), where + ".headers", true),
        Matcher.fromTree(map.get("input"), where + ".input", true),
        inputs,
        Output.fromTree(map.get("output"), where + ".output"),
        where,
        null,
        map);
  }

  /** gRPC metadata names are lower case on the wire; a stub may spell them either way. */
  @SuppressWarnings("unchecked")
  private static Object lowerCaseKeys(Object headers) {
    if (!(headers instanceof Map<?, ?> map)) {
      return headers;
    }
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    map.forEach((k, v) -> {
      String key = String.valueOf(k);
      out.put(key, v instanceof Map<?, ?> m && !key.equals("anyOf")
          ? lowerCase((Map<String, Object>) m)
          : v instanceof List<?> l && key.equals("anyOf")
              ? l.stream().map(Stub::lowerCaseKeys).toList() : v);
    });
    return out;
  }

  private static Map<String, Object> lowerCase(Map<String, Object> map) {
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k.toLowerCase(java.util.Locale.ROOT), v));
    return out;
  }

  private static String text(Map<String, Object> map, String key, String where)
      throws StubException {
    Object value = map.get(key);
    if (!(value instanceof String s) || s.isBlank()) {
      throw new StubException(where + ": \"" + key + "\" is missing; a stub names the " + key
          + " it answers");
    }
    return s;
  }

  /** A stable id for a stub without one: the same file and position give the same id. */
  static String idFor(String where) {
    return UUID.nameUUIDFromBytes(where.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .toString();
  }
}
