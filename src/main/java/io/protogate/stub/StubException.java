package io.protogate.stub;

/**
 * A stub that cannot be used: its message says which file and stub, what is wrong, and what to
 * do. Stub files are refused as a whole, as a contract is, rather than served in part.
 */
public final class StubException extends Exception {
  public StubException(String message) {
    super(message);
  }
}
