package io.protogate.breaking;

import static java.util.Objects.requireNonNull;

/**
 * One change that breaks callers: the rule it breaks (buf's rule ID, or Protogate's own {@code
 * SERVICE_NO_DELETE} and {@code RPC_NO_DELETE}), the file of the new contract it is in and its line
 * when the descriptor set carries source info (0 otherwise), the element it concerns under its old
 * name (such as {@code shop.v1.Item.name (field 2)}), and what changed and whom it breaks.
 */
public record Finding(String rule, String file, int line, String subject, String message) {
  public Finding {
    requireNonNull(rule, "rule");
    requireNonNull(file, "file");
    requireNonNull(subject, "subject");
    requireNonNull(message, "message");
  }

  /** {@code file:line: subject: message [RULE]}, the shape compilers use, so editors can jump. */
  @Override
  public String toString() {
    return file + (line > 0 ? ":" + line : "") + ": " + subject + ": " + message + " [" + rule
        + "]";
  }
}
