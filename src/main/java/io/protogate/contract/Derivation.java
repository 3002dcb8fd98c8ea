package io.protogate.contract;

/**
 * Computes one derived part of a contract (service definitions, HTTP routes, checked stubs) from
 * the contract about to be published. Runs before publication, so a derivation that throws
 * refuses the swap and nothing changes.
 */
@FunctionalInterface
public interface Derivation<T> {
  /**
   * Derives the part for {@code next}, which already holds its schema, its inputs and the parts
   * derived before this one; {@code previous} is the contract served now, or null for the first.
   */
  T derive(Contract next, Contract previous) throws ContractException;
}
