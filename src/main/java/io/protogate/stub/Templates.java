package io.protogate.stub;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Response templates: a string in {@code output.data}, {@code output.stream} or {@code
 * output.headers} may hold {@code {{request.PATH}}} (a field of the request, by proto or JSON
 * name, dotted into messages and maps, numbers indexing lists) or {@code {{headers.NAME}}} (a
 * request header). GripMock's spellings {@code {{.Request.PATH}}} and {@code {{.Headers.NAME}}}
 * mean the same. A string that is exactly one placeholder takes the value with its type (a number
 * stays a number); otherwise the value's text is spliced in. A missing value renders as nothing.
 */
final class Templates {
  private static final Pattern PLACEHOLDER = Pattern.compile(
      "\\{\\{\\s*\\.?(request|headers)\\.([^}\\s]+)\\s*}}", Pattern.CASE_INSENSITIVE);

  private Templates() {}

  /** The tree with every placeholder replaced from {@code request} and {@code headers}. */
  static Object render(Object tree, Map<String, Object> request, Map<String, Object> headers) {
    if (tree instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), render(v, request, headers)));
      return out;
    }
    if (tree instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(v -> out.add(render(v, request, headers)));
      return out;
    }
    if (!(tree instanceof String text) || !text.contains("{{")) {
      return tree;
    }
    Matcher placeholder = PLACEHOLDER.matcher(text);
    if (placeholder.matches()) {
      return lookUp(placeholder, request, headers);
    }
    StringBuilder out = new StringBuilder();
    while (placeholder.find()) {
      placeholder.appendReplacement(out,
          Matcher.quoteReplacement(Trees.text(lookUp(placeholder, request, headers))));
    }
    placeholder.appendTail(out);
    return out.toString();
  }

  private static Object lookUp(
      Matcher placeholder, Map<String, Object> request, Map<String, Object> headers) {
    if (placeholder.group(1).toLowerCase(Locale.ROOT).equals("headers")) {
      return headers.get(placeholder.group(2).toLowerCase(Locale.ROOT));
    }
    Object value = request;
    for (String step : placeholder.group(2).split("\\.")) {
      if (value instanceof Map<?, ?> map) {
        value = map.containsKey(step) ? map.get(step) : map.get(snakeCase(step));
      } else if (value instanceof List<?> list && step.matches("\\d+")) {
        int index = Integer.parseInt(step);
        value = index < list.size() ? list.get(index) : null;
      } else {
        return null;
      }
    }
    return value;
  }

  /** Requests are printed with proto names; a template may use the JSON (camelCase) name. */
  private static String snakeCase(String name) {
    return name.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
