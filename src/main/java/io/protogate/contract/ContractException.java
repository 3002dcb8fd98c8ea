package io.protogate.contract;

/**
 * A contract that cannot be served: a part of it could not be derived, or it would break what is
 * served now. The message says what is wrong, where (file, type, field, method) and what to do;
 * the contract served before stays in place.
 */
public final class ContractException extends Exception {
  private static final long serialVersionUID = 1L;

  public ContractException(String message) {
    super(message);
  }

  public ContractException(String message, Throwable cause) {
    super(message, cause);
  }
}
