package io.protogate.http;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed {@code google.api.http} path template: {@code "/" Segments [":" Verb]}, each segment a
 * literal, {@code *} (one segment) or {@code **} (the rest of the path, last only), some of them
 * bound to request fields by {@code {field.path}} or {@code {field.path=segments}} variables. Two
 * templates with the same {@link #shape()} and verb match exactly the same paths.
 */
record PathTemplate(String text, List<String> segments, String verb, List<Variable> variables) {
  static final String ONE = "*";
  static final String REST = "**";

  /**
   * A variable over template segments {@code [start, end)}; {@code single} when it covers exactly
   * one {@code *}, the one case the spec decodes fully (a {@code %2F} in it becomes a slash).
   */
  record Variable(String fieldPath, int start, int end, boolean single) {}

  /** The segments with variables erased: the key under which two templates collide. */
  String shape() {
    return "/" + String.join("/", segments) + (verb.isEmpty() ? "" : ":" + verb);
  }

  /** Parses {@code text}; a malformed one is an {@link IllegalArgumentException} saying why. */
  static PathTemplate parse(String text) {
    return new Parser(text).parse();
  }

  private static final class Parser {
    private final String text;
    private int pos;
    private final List<String> segments = new ArrayList<>();
    private final List<Variable> variables = new ArrayList<>();

    Parser(String text) {
      this.text = text;
    }

    PathTemplate parse() {
      if (!text.startsWith("/")) {
        throw error("must start with '/'");
      }
      pos = 1;
      String verb = "";
      if (pos < text.length()) {
        while (true) {
          if (peek() == '{') {
            variable();
          } else {
            segment(false);
          }
          if (pos == text.length()) {
            break;
          }
          char c = text.charAt(pos++);
          if (c == ':') {
            verb = text.substring(pos);
            if (!verb.matches("[A-Za-z0-9_.~\\-]+")) {
              throw error("the custom verb after ':' must be a non-empty literal");
            }
            break;
          }
          if (c != '/') {
            throw error("unexpected '" + c + "' at " + (pos - 1));
          }
        }
      }
      int rest = segments.indexOf(REST);
      if (rest >= 0 && rest != segments.size() - 1) {
        throw error("'**' must be the last segment");
      }
      return new PathTemplate(text, List.copyOf(segments), verb, List.copyOf(variables));
    }

    private char peek() {
      return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void variable() {
      pos++;
      int start = pos;
      while (pos < text.length() && "=}".indexOf(text.charAt(pos)) < 0) {
        pos++;
      }
      String fieldPath = text.substring(start, pos);
      if (!fieldPath.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*")) {
        throw error("'" + fieldPath + "' is not a field path (like name or book.name)");
      }
      int first = segments.size();
      if (peek() == '=') {
        pos++;
        while (true) {
          segment(true);
          if (peek() == '/') {
            pos++;
          } else {
            break;
          }
        }
      } else {
        segments.add(ONE);
      }
      if (peek() != '}') {
        throw error("variable '" + fieldPath + "' is not closed by '}'");
      }
      pos++;
      boolean single = segments.size() - first == 1 && segments.get(first).equals(ONE);
      variables.add(new Variable(fieldPath, first, segments.size(), single));
    }

    private void segment(boolean inVariable) {
      int start = pos;
      while (pos < text.length() && "/:{}".indexOf(text.charAt(pos)) < 0) {
        pos++;
      }
      String segment = text.substring(start, pos);
      if (segment.isEmpty()) {
        throw error(peek() == '{'
            ? (inVariable ? "variables cannot be nested" : "a variable must be a whole segment")
            : "empty segment at " + start);
      }
      if (segment.contains("*") && !segment.equals(ONE) && !segment.equals(REST)) {
        throw error("'" + segment + "': '*' and '**' must be whole segments");
      }
      segments.add(segment);
    }

    private IllegalArgumentException error(String problem) {
      return new IllegalArgumentException("path template '" + text + "': " + problem);
    }
  }
}
