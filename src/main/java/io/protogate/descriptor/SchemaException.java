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
    super(source + ": " + problem);
    this.source = source;
  }

  SchemaException(String source, String problem, Throwable cause) {
    super(source + ": " + problem, cause);
    this.source = source;
  }

  /** The descriptor-set file (or resource) the problem was found in. */
  public String source() {
    return source;
  }
}
