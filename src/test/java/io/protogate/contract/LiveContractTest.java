package io.protogate.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveContractTest {
  private static final Schema BUNDLED = SchemaLoader.fromSources(BundledDescriptors.sources());
  private static final Schema HELLO_ONLY =
      SchemaLoader.fromSources(
          BundledDescriptors.sources().stream()
              .filter(source -> source.name().contains("hello"))
              .toList());
  private static final Part<String> ROUTE = Part.input("route", "none");
  private static final Part<Integer> SERVICE_COUNT =
      Part.derived("service count", (next, previous) -> next.schema().services().size());

  @Test
  void swap_publishesTheSchemaInputsAndDerivedPartsTogether() throws Exception {
    LiveContract live = LiveContract.of(Contract.of(BUNDLED));
    live.register(SERVICE_COUNT);
    assertEquals(2, live.current().part(SERVICE_COUNT));

    Contract published =
        live.update(current -> current.withSchema(HELLO_ONLY).with(ROUTE, "127.0.0.1:1"));

    assertSame(published, live.current());
    assertEquals(HELLO_ONLY.version(), published.version());
    assertEquals("127.0.0.1:1", published.part(ROUTE));
    assertEquals(1, published.part(SERVICE_COUNT));
    assertEquals(1, published.generation());
  }

  @Test
  void inputs_surviveASchemaChange_andDefaultUntilSet() throws Exception {
    Contract contract = Contract.of(BUNDLED);
    assertEquals("none", contract.part(ROUTE));

    Contract routed = contract.with(ROUTE, "a:1").withSchema(HELLO_ONLY);

    assertEquals("a:1", routed.part(ROUTE));
  }

  @Test
  void failingDerivation_refusesTheSwap_andKeepsWhatIsServed() throws Exception {
    LiveContract live = LiveContract.of(Contract.of(BUNDLED));
    live.register(Part.derived("needs two services", (next, previous) -> {
      if (next.schema().services().size() < 2) {
        throw new ContractException("a service went missing");
      }
      return true;
    }));
    Contract before = live.current();

    ContractException e = assertThrows(ContractException.class,
        () -> live.update(current -> current.withSchema(HELLO_ONLY)));

    assertEquals("a service went missing", e.getMessage());
    assertSame(before, live.current());
  }

  @Test
  void derivation_seesThePreviousContract_nullAtFirst() throws Exception {
    List<String> seen = new ArrayList<>();
    LiveContract live = LiveContract.of(Contract.of(BUNDLED));
    live.register(Part.derived("previous", (next, previous) -> {
      seen.add(previous == null ? "none" : previous.version());
      return previous;
    }));

    live.update(current -> current.withSchema(HELLO_ONLY));

    assertEquals(List.of("none", BUNDLED.version()), seen);
  }

  @Test
  void swap_againstAContractNoLongerServed_refused() throws Exception {
    LiveContract live = LiveContract.of(Contract.of(BUNDLED));
    Contract stale = live.current();
    live.update(current -> current.withSchema(HELLO_ONLY));

    ContractException e = assertThrows(ContractException.class,
        () -> live.swap(stale, stale.with(ROUTE, "b:2")));

    assertTrue(e.getMessage().contains("prepare it again"), e.getMessage());
    assertEquals("none", live.current().part(ROUTE));
  }

  @Test
  void subscribers_hearTheCurrentContractAtOnce_thenEveryPublicationInOrder() throws Exception {
    LiveContract live = LiveContract.of(Contract.of(BUNDLED));
    List<String> versions = new ArrayList<>();
    AutoCloseable subscription = live.subscribe(contract -> versions.add(contract.version()));

    live.update(current -> current.withSchema(HELLO_ONLY));
    live.update(current -> current.withSchema(BUNDLED));
    subscription.close();
    live.update(current -> current.withSchema(HELLO_ONLY));

    assertEquals(List.of(BUNDLED.version(), HELLO_ONLY.version(), BUNDLED.version()), versions);
  }

  @Test
  void derivedPart_notRegistered_saysSo() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Contract.of(BUNDLED).part(SERVICE_COUNT));

    assertTrue(e.getMessage().contains("service count"), e.getMessage());
  }
}
