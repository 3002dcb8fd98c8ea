package io.protogate.contract;

import static java.util.Objects.requireNonNull;

import io.protogate.descriptor.Schema;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One immutable snapshot of everything Protogate serves: the schema loaded from the descriptor
 * sets, the inputs set beside it (upstream routes, stubs, settings) and every part derived from
 * them (service definitions, HTTP routes). A contract is published whole by {@link LiveContract},
 * so no reader ever sees the schema of one snapshot with the routes of another.
 */
public final class Contract {
  private final Schema schema;
  private final long generation;
  private final Map<Part<?>, Object> inputs;
  private final Map<Part<?>, Object> derived;

  private Contract(
      Schema schema, long generation, Map<Part<?>, Object> inputs, Map<Part<?>, Object> derived) {
    this.schema = schema;
    this.generation = generation;
    this.inputs = inputs;
    this.derived = derived;
  }

  /** A contract of {@code schema} alone, with every input at its default and nothing derived. */
  public static Contract of(Schema schema) {
    return new Contract(requireNonNull(schema, "schema"), 0, Map.of(), Map.of());
  }

  public Schema schema() {
    return schema;
  }

  /** The schema's version: a short hash of the files served, sent to callers in a header. */
  public String version() {
    return schema.version();
  }

  /** How many contracts were published before this one by its {@link LiveContract}. */
  public long generation() {
    return generation;
  }

  /**
   * The value of {@code part}: an input's value or default, or a derived part's value.
   *
   * @throws IllegalStateException for a derived part this contract was not published with
   */
  @SuppressWarnings("unchecked")
  public <T> T part(Part<T> part) {
    if (part.isDerived()) {
      Object value = derived.get(part);
      if (value == null && !derived.containsKey(part)) {
        throw new IllegalStateException(part + " is not derived in this contract; register it"
            + " on the LiveContract that publishes it");
      }
      return (T) value;
    }
    return (T) inputs.getOrDefault(part, part.defaultValue());
  }

  /** A copy with {@code input} set to {@code value}; the copy has nothing derived yet. */
  public <T> Contract with(Part<T> input, T value) {
    if (input.isDerived()) {
      throw new IllegalArgumentException(input + " is derived, not set: register it instead");
    }
    Map<Part<?>, Object> next = new IdentityHashMap<>(inputs);
    next.put(input, requireNonNull(value, "value"));
    return new Contract(schema, generation, Collections.unmodifiableMap(next), Map.of());
  }

  /** A copy serving {@code next} with the same inputs; the copy has nothing derived yet. */
  public Contract withSchema(Schema next) {
    return new Contract(requireNonNull(next, "next"), generation, inputs, Map.of());
  }

  /** This contract with its derived parts dropped, ready to be derived again. */
  Contract underived() {
    return derived.isEmpty() ? this : new Contract(schema, generation, inputs, Map.of());
  }

  <T> Contract derive(Part<T> part, Contract previous) throws ContractException {
    T value = part.derivation().derive(this, previous);
    Map<Part<?>, Object> next = new IdentityHashMap<>(derived);
    next.put(part, value);
    return new Contract(schema, generation, inputs, Collections.unmodifiableMap(next));
  }

  Contract published(long generation) {
    return new Contract(schema, generation, inputs, derived);
  }

  @Override
  public String toString() {
    return "Contract " + version() + " #" + generation + " " + inputs.keySet();
  }
}
