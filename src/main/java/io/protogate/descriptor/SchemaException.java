package io.protogate.descriptor;

/**
 * A descriptor set that cannot be served: unreadable, not a descriptor set, inconsistent with
 * another set, or not resolvable. The message names the source file, the proto file or symbol
 * concerned, and what to do about it; {@link #source()} names the offending file alone.
 */
public final class SchemaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;

  SchemaException(String source, String problem) {
    super(oneLine(source + ": " + problem));
    this.source = source;
  }

  SchemaException(String source, String problem, Throwable cause) {
    super(oneLine(source + ": " + problem), cause);
    this.source = source;
  }

  /**
   * Escapes control characters: names inside a damaged set can hold any, and a message that
   * spans lines breaks the promise of one log line (and lets a file forge log lines).
   */
  private static String oneLine(String message) {
    StringBuilder out = new StringBuilder(message.length());
    message.codePoints().forEach(c -> {
      if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c == '\t') {
        out.append("\\t");
      } else if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }

  /** The descriptor-set file (or resource) the problem was found in. */
  public String source() {
    return source;
  }
}
