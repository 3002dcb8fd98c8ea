package io.protogate.stub;

import io.grpc.Status;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stub's {@code output}, as GripMock writes it: {@code data} (one response), {@code stream}
 * (several, for server or bidirectional streaming), {@code error} + {@code code} + {@code details}
 * (a failed call; after the stream, if both are given), {@code headers} (response metadata) and
 * {@code delay} (before the response, or before each streamed message). Message trees may hold
 * templates, rendered per call.
 */
record Output(
    Map<String, Object> data,
    List<Map<String, Object>> stream,
    String error,
    Status.Code code,
    List<Map<String, Object>> details,
    Map<String, String> headers,
    Duration delay) {

  private static final Set<String> KEYS =
      Set.of("data", "stream", "error", "code", "details", "headers", "delay");
  private static final Pattern DURATION_PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?)(ns|us|µs|ms|s|m|h)");

  /** True when the call ends with a status other than OK. */
  boolean fails() {
    return code != Status.Code.OK;
  }

  /** The same output with its message trees replaced (canonical field names). */
  Output withMessages(Map<String, Object> data, List<Map<String, Object>> stream) {
    return new Output(data, stream, error, code, details, headers, delay);
  }

  @SuppressWarnings("unchecked")
  static Output fromTree(Object tree, String where) throws StubException {
    if (!(tree instanceof Map<?, ?> raw)) {
      throw new StubException(where + ": expected an object with " + KEYS + ", found "
          + Trees.show(tree));
    }
    Map<String, Object> map = (Map<String, Object>) raw;
    for (String key : map.keySet()) {
      if (!KEYS.contains(key)) {
        throw new StubException(where + ": unknown key \"" + key + "\""
            + Names.didYouMean(key, KEYS) + "; an output has " + KEYS);
      }
    }
    Map<String, Object> data = object(map.get("data"), where + ".data");
    List<Map<String, Object>> stream = objects(map.get("stream"), where + ".stream");
    Object error = map.get("error");
    if (error != null && !(error instanceof String)) {
      throw new StubException(where + ".error: expected a message (a string), found "
          + Trees.show(error));
    }
    String message = error == null || ((String) error).isEmpty() ? null : (String) error;
    Status.Code code = code(map.get("code"), where + ".code");
    if (code == null) {
      code = message == null ? Status.Code.OK : Status.Code.UNKNOWN;
    }
    if (message != null && code == Status.Code.OK) {
      throw new StubException(where + ": error \"" + message + "\" with code 0 (OK); give a code"
          + " from 1 to 16, or leave the code out for UNKNOWN");
    }
    List<Map<String, Object>> details = objects(map.get("details"), where + ".details");
    if (details != null && code == Status.Code.OK) {
      throw new StubException(where + ".details: error details need an error code");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    Object rawHeaders = map.get("headers");
    if (rawHeaders != null) {
      if (!(rawHeaders instanceof Map<?, ?> h)) {
        throw new StubException(where + ".headers: expected an object of name: value, found "
            + Trees.show(rawHeaders));
      }
      for (Map.Entry<?, ?> e : h.entrySet()) {
        String name = String.valueOf(e.getKey()).toLowerCase(Locale.ROOT);
        if (name.endsWith("-bin") || name.startsWith("grpc-") || name.isEmpty()) {
          throw new StubException(where + ".headers." + e.getKey() + ": not a header a stub can"
              + " send (binary -bin and reserved grpc- headers are not supported)");
        }
        headers.put(name, Trees.text(e.getValue()));
      }
    }
    Duration delay = map.get("delay") == null ? Duration.ZERO
        : delay(map.get("delay"), where + ".delay");
    return new Output(data, stream, message, code, details == null ? List.of() : details,
        Map.copyOf(headers), delay);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> object(Object value, String where) throws StubException {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map<?, ?>)) {
      throw new StubException(where + ": expected an object (a message), found "
          + Trees.show(value));
    }
    return (Map<String, Object>) value;
  }

  private static List<Map<String, Object>> objects(Object value, String where)
      throws StubException {
    if (value == null) {
      return null;
    }
    if (!(value instanceof List<?> list)) {
      throw new StubException(where + ": expected a list of objects, found " + Trees.show(value));
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(object(list.get(i), where + "[" + i + "]"));
    }
    return out;
  }

  /** A status code as a number (GripMock) or a name ({@code NOT_FOUND}). */
  private static Status.Code code(Object value, String where) throws StubException {
    if (value == null) {
      return null;
    }
    if (value instanceof BigDecimal n) {
      int number = n.intValue();
      if (n.stripTrailingZeros().scale() <= 0 && number >= 0 && number <= 16) {
        return Status.fromCodeValue(number).getCode();
      }
    } else if (value instanceof String name) {
      try {
        return Status.Code.valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new StubException(where + ": unknown status code \"" + name + "\""
            + Names.didYouMean(name, java.util.Arrays.stream(Status.Code.values())
                .map(Enum::name).toList()));
      }
    }
    throw new StubException(where + ": expected a gRPC status code 0-16 or its name, found "
        + Trees.show(value));
  }

  /**
   * A Go duration ({@code 100ms}, {@code 1.5s}, {@code 1m30s}) as GripMock reads it; a bare
   * number is milliseconds.
   */
  static Duration delay(Object value, String where) throws StubException {
    if (value instanceof BigDecimal n && n.signum() >= 0) {
      return Duration.ofNanos(n.multiply(BigDecimal.valueOf(1_000_000)).longValue());
    }
    String text = String.valueOf(value).trim();
    Matcher part = DURATION_PART.matcher(text);
    long nanos = 0;
    int end = 0;
    while (end < text.length()) {
      part.region(end, text.length());
      if (!part.lookingAt()) {
        break;
      }
      BigDecimal amount = new BigDecimal(part.group(1));
      long unit = switch (part.group(2)) {
        case "ns" -> 1L;
        case "us", "µs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      nanos += amount.multiply(BigDecimal.valueOf(unit)).longValue();
      end = part.end();
    }
    if (end != text.length() || text.isEmpty()) {
      throw new StubException(where + ": \"" + text + "\" is not a duration; write it as 250ms,"
          + " 1.5s or 1m30s");
    }
    return Duration.ofNanos(nanos);
  }
}
