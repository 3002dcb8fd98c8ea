package io.protogate.stub;

import io.protogate.contract.Contract;
import io.protogate.contract.ContractException;
import io.protogate.contract.Part;
import java.util.ArrayList;
import java.util.List;

/**
 * The stubs' parts of the live contract. Two inputs, the stubs read from files ({@link #FILES},
 * replaced at every reload of the stub directory) and the stubs added through the stub API ({@link
 * #API}), and one derived part, {@link #CHECKED}: both lists checked against the contract's schema
 * at every swap, so a new schema that would leave a stub invalid is refused like any other
 * breaking change. {@link #MOCK_ALL} asks for example answers from methods nothing else answers.
 */
public final class Stubs {
  /** Stubs read from the stub files. */
  public static final Part<List<Stub>> FILES = Part.input("stub files", List.of());

  /** Stubs added through the stub API; an API stub with a file stub's id replaces it. */
  public static final Part<List<Stub>> API = Part.input("API stubs", List.of());

  /** True to answer every method nothing else answers with an example response. */
  public static final Part<Boolean> MOCK_ALL = Part.input("mock all", false);

  /** Every stub, checked against the schema and ready to match. */
  public static final Part<StubSet> CHECKED = Part.derived("checked stubs", Stubs::check);

  private Stubs() {}

  private static StubSet check(Contract next, Contract previous) throws ContractException {
    List<Stub> all = new ArrayList<>(next.part(FILES));
    all.addAll(next.part(API));
    if (all.isEmpty()) {
      return StubSet.empty(next.schema());
    }
    try {
      return StubSet.of(next.schema(), all);
    } catch (StubException e) {
      throw new ContractException(
          (previous == null ? "" : "this change would leave stubs invalid; fix or remove them"
              + " first:\n") + e.getMessage());
    }
  }
}
