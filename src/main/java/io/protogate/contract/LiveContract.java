package io.protogate.contract;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The contract served now, and the one place it changes. A swap derives every registered part of
 * the proposed contract first and publishes it with a single volatile write only if all of them
 * succeed, so readers see either the old contract or the new one, whole. Swaps are serialized;
 * {@link #swap} is a compare-and-swap so that a change computed against one contract (breaking
 * changes, say) is never applied over another. Subscribers hear of every publication, the first
 * included, in order.
 */
public final class LiveContract {
  private static final Logger logger = Logger.getLogger(LiveContract.class.getName());

  private final List<Part<?>> derivations = new ArrayList<>(); // guarded by this
  private final List<Consumer<Contract>> subscribers = new CopyOnWriteArrayList<>();
  private volatile Contract current;

  private LiveContract(Contract initial) {
    this.current = initial.published(0);
  }

  /** Serves {@code initial}; it has no derived parts until they are {@linkplain #register registered}. */
  public static LiveContract of(Contract initial) {
    return new LiveContract(requireNonNull(initial, "initial"));
  }

  /** The contract served now. */
  public Contract current() {
    return current;
  }

  /**
   * Adds a derived part: derives it for the contract served now (republishing it with the part)
   * and for every later swap. Throws, and registers nothing, if the current contract cannot have
   * it.
   */
  public synchronized <T> void register(Part<T> derived) throws ContractException {
    if (!derived.isDerived()) {
      throw new IllegalArgumentException(derived + " is an input: set it with Contract.with");
    }
    if (derivations.contains(derived)) {
      throw new IllegalArgumentException(derived + " is registered already");
    }
    Contract now = current;
    Contract next = now.derive(derived, null).published(now.generation());
    derivations.add(derived);
    current = next;
  }

  /**
   * Replaces the contract with {@code change} applied to the current one, deriving every part;
   * returns the contract published.
   */
  public synchronized Contract update(UnaryOperator<Contract> change) throws ContractException {
    Contract now = current;
    return swap(now, change.apply(now));
  }

  /**
   * Publishes {@code proposed} in place of {@code expected}, after deriving every registered part
   * of it; returns the contract published. Nothing changes if {@code expected} is no longer served
   * or a derivation fails: the exception says which.
   */
  public synchronized Contract swap(Contract expected, Contract proposed)
      throws ContractException {
    Contract now = current;
    if (now != expected) {
      throw new ContractException("the contract changed from version " + expected.version()
          + " to " + now.version() + " while this one was prepared; prepare it again against"
          + " the one served now");
    }
    Contract next = proposed.underived();
    for (Part<?> part : derivations) {
      next = next.derive(part, now);
    }
    next = next.published(now.generation() + 1);
    current = next;
    for (Consumer<Contract> subscriber : subscribers) {
      notify(subscriber, next);
    }
    return next;
  }

  /**
   * Calls {@code subscriber} with the contract served now, then after every publication, on the
   * thread that swapped. Closing the returned handle stops it.
   */
  public AutoCloseable subscribe(Consumer<Contract> subscriber) {
    requireNonNull(subscriber, "subscriber");
    synchronized (this) {
      subscribers.add(subscriber);
      notify(subscriber, current);
    }
    return () -> subscribers.remove(subscriber);
  }

  private static void notify(Consumer<Contract> subscriber, Contract contract) {
    try {
      subscriber.accept(contract);
    } catch (RuntimeException e) {
      // A failing subscriber must not undo a publication the others have already seen.
      logger.log(Level.WARNING, "a contract subscriber failed on version " + contract.version(), e);
    }
  }
}
