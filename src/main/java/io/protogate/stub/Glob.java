package io.protogate.stub;

import java.util.regex.Pattern;

/**
 * Shell-style patterns as GripMock reads them (Go's {@code path.Match}): {@code *} is any run of
 * characters but {@code /}, {@code ?} one character but {@code /}, {@code [abc]} and {@code [!a-c]}
 * classes, {@code \} escapes; the whole value must match. Translated once into a regex.
 */
final class Glob {
  private Glob() {}

  static Pattern compile(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> regex.append("[^/]*");
        case '?' -> regex.append("[^/]");
        case '\\' -> {
          if (++i == glob.length()) {
            throw new IllegalArgumentException("glob \"" + glob + "\" ends with a lone \\");
          }
          regex.append(Pattern.quote(String.valueOf(glob.charAt(i))));
        }
        case '[' -> {
          int end = glob.indexOf(']', i + 2);
          if (end < 0) {
            throw new IllegalArgumentException("glob \"" + glob + "\" has an unclosed [");
          }
          String body = glob.substring(i + 1, end);
          boolean negated = body.startsWith("!") || body.startsWith("^");
          if (negated) {
            body = body.substring(1);
          }
          regex.append('[').append(negated ? "^" : "").append(body.replace("[", "\\[")).append(']');
          i = end;
        }
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
