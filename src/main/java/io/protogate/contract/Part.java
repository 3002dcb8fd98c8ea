package io.protogate.contract;

import static java.util.Objects.requireNonNull;

/**
 * A typed key into a {@link Contract}. An input part is set by a source (flags, the config file,
 * stub files) and kept across schema changes; a derived part is computed by its {@link
 * Derivation} at every swap, before publication. Parts compare by identity: each is declared once,
 * as a constant of the package that owns it.
 */
public final class Part<T> {
  private final String name;
  private final T defaultValue;
  private final Derivation<T> derivation;

  private Part(String name, T defaultValue, Derivation<T> derivation) {
    this.name = requireNonNull(name, "name");
    this.defaultValue = defaultValue;
    this.derivation = derivation;
  }

  /** A part set by a source; {@code defaultValue} stands for it until one is set. */
  public static <T> Part<T> input(String name, T defaultValue) {
    return new Part<>(name, requireNonNull(defaultValue, "defaultValue"), null);
  }

  /** A part computed from the rest of the contract at every swap. */
  public static <T> Part<T> derived(String name, Derivation<T> derivation) {
    return new Part<>(name, null, requireNonNull(derivation, "derivation"));
  }

  public String name() {
    return name;
  }

  boolean isDerived() {
    return derivation != null;
  }

  T defaultValue() {
    return defaultValue;
  }

  Derivation<T> derivation() {
    return derivation;
  }

  @Override
  public String toString() {
    return (isDerived() ? "derived part " : "input part ") + name;
  }
}
