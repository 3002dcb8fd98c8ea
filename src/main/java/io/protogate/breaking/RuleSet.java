package io.protogate.breaking;

/**
 * Which callers a contract change must not break, named as {@code buf breaking} names its rule
 * categories so users recognise them. {@link #WIRE} protects callers that speak binary protobuf;
 * {@link #WIRE_JSON} also protects callers that speak JSON, which Protogate itself turns into
 * protobuf, and is therefore the default. Under either, Protogate adds the rule a running server
 * needs: a service or method that disappears breaks whoever still calls it.
 */
public enum RuleSet {
  /** Changes that break binary protobuf callers: buf's {@code WIRE} category. */
  WIRE,
  /** Changes that break binary or JSON callers: buf's {@code WIRE_JSON} category. */
  WIRE_JSON;

  boolean json() {
    return this == WIRE_JSON;
  }
}
