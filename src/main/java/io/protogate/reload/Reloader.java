package io.protogate.reload;

import io.protogate.breaking.BreakingChanges;
import io.protogate.breaking.Finding;
import io.protogate.breaking.RuleSet;
import io.protogate.contract.Contract;
import io.protogate.contract.ContractException;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaException;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.server.ProtogateServer;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Loads a server's descriptor paths again and swaps the result in when the contract changed. A
 * set that does not load (broken, half-written, an import that no longer resolves) or does not
 * fit the handlers is rejected whole: the last good contract keeps serving. Before every swap the
 * new contract is checked for changes that break callers of the one served ({@link
 * BreakingChanges}, WIRE_JSON rules), and what happens to them is the {@link Breaking} mode's call.
 */
public final class Reloader {
  private static final Logger logger = Logger.getLogger(Reloader.class.getName());

  /** What a reload does with a contract that breaks callers. */
  public enum Breaking {
    /** Swap it in, and log each breaking change on its own line. */
    WARN,
    /** Keep the contract served, and log each breaking change and the refusal. */
    REJECT,
    /** Swap it in without looking. */
    OFF;

    /** The spelling of the {@code serve --breaking} flag. */
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What became of a reload. */
  public interface Listener {
    void swapped(Schema schema);

    void rejected(String problem);
  }

  /**
   * What one reload reads: the descriptor paths (none for the bundled sets) and, when a
   * configuration file is in play, the inputs it sets beside the schema (upstream routes), applied
   * in the same swap; null when there are none.
   */
  public record Inputs(List<Path> descriptors, UnaryOperator<Contract> settings) {}

  private final Supplier<Inputs> source;
  private final List<Path> paths;
  private final ProtogateServer server;
  private final Listener listener;
  private final Breaking breaking;
  private final List<Consumer<Outcome>> observers = new CopyOnWriteArrayList<>();

  /**
   * What one reload did: swapped in a new contract, found the same one, or rejected what it
   * loaded; {@code version} is the contract served afterwards, {@code problem} why it was
   * rejected (empty otherwise).
   */
  public record Outcome(Kind kind, String version, String problem) {
    /** The three ends of a reload. */
    public enum Kind { SWAPPED, UNCHANGED, REJECTED }
  }

  /**
   * Reloads {@code paths} into {@code server}, treating breaking changes as {@code breaking}.
   */
  public Reloader(
      List<Path> paths, ProtogateServer server, Breaking breaking, Listener listener) {
    this(() -> new Inputs(paths, null), paths, server, breaking, listener);
  }

  /**
   * Reloads what {@code source} reads each time (it throws {@link IllegalArgumentException} to
   * refuse a reload, saying why), watching {@code watched}.
   */
  public Reloader(Supplier<Inputs> source, List<Path> watched, ProtogateServer server,
      Breaking breaking, Listener listener) {
    this.source = source;
    this.paths = List.copyOf(watched);
    this.server = server;
    this.breaking = breaking;
    this.listener = listener;
  }

  /** A reloader that logs every swap and every rejected set. */
  public Reloader(List<Path> paths, ProtogateServer server, Breaking breaking) {
    this(() -> new Inputs(paths, null), paths, server, breaking);
  }

  /** A reloader of {@code source}, watching {@code watched}, that logs every swap and rejection. */
  public Reloader(Supplier<Inputs> source, List<Path> watched, ProtogateServer server,
      Breaking breaking) {
    this(source, watched, server, breaking, new Listener() {
      @Override
      public void swapped(Schema schema) {
        logger.info("now serving contract version " + schema.version() + ": "
            + schema.services().size() + (schema.services().size() == 1 ? " service" : " services")
            + " from " + String.join(", ", schema.sources()));
      }

      @Override
      public void rejected(String problem) {
        logger.warning("reload rejected, still serving contract version "
            + server.contract().current().version() + ": " + problem);
      }
    });
  }

  /** Calls {@code observer} with the outcome of every later reload, whatever started it. */
  public void observe(Consumer<Outcome> observer) {
    observers.add(observer);
  }

  List<Path> paths() {
    return paths;
  }

  /** Reports a reload that failed outside {@link #reload}'s own checks. */
  void rejected(String problem) {
    Outcome outcome = refuse(problem);
    observers.forEach(observer -> observer.accept(outcome));
  }

  /**
   * Loads and, if the contract changed, swaps. Serialized: two reloads never interleave. Breaking
   * changes are computed against the contract really served, and the swap is refused if another
   * one happened in between. Returns what happened.
   */
  public synchronized Outcome reload() {
    Outcome outcome = attempt();
    observers.forEach(observer -> observer.accept(outcome));
    return outcome;
  }

  private Outcome attempt() {
    Inputs inputs;
    Schema next;
    try {
      inputs = source.get();
      next = inputs.descriptors().isEmpty()
          ? SchemaLoader.fromSources(BundledDescriptors.sources())
          : SchemaLoader.load(inputs.descriptors());
    } catch (SchemaException | UncheckedIOException | IllegalArgumentException e) {
      return refuse(e.getMessage());
    }
    Contract current = server.contract().current();
    if (next.version().equals(current.version()) && inputs.settings() == null) {
      return new Outcome(Outcome.Kind.UNCHANGED, current.version(), "");
    }
    List<Finding> findings = breaking == Breaking.OFF ? List.of()
        : BreakingChanges.between(current.schema(), next, RuleSet.WIRE_JSON);
    try {
      refuseIfRejecting(findings);
      Contract proposed = current.withSchema(next);
      server.contract().swap(current,
          inputs.settings() == null ? proposed : inputs.settings().apply(proposed));
    } catch (ContractException e) {
      return refuse(e.getMessage());
    }
    findings.forEach(
        f -> logger.warning("breaking change, swapped anyway (--breaking=warn): " + f));
    listener.swapped(next);
    return new Outcome(Outcome.Kind.SWAPPED, next.version(), "");
  }

  private Outcome refuse(String problem) {
    listener.rejected(problem);
    return new Outcome(Outcome.Kind.REJECTED, server.contract().current().version(), problem);
  }

  /** In reject mode, logs each breaking change on its own line and refuses the contract. */
  private void refuseIfRejecting(List<Finding> findings) throws ContractException {
    if (breaking != Breaking.REJECT || findings.isEmpty()) {
      return;
    }
    findings.forEach(f -> logger.warning("breaking change: " + f));
    throw new ContractException(findings.size() + " breaking change"
        + (findings.size() == 1 ? "" : "s") + " (--breaking=reject), the first: "
        + findings.get(0) + "; restore or reserve what the findings name, or serve with"
        + " --breaking=warn to swap anyway");
  }
}
