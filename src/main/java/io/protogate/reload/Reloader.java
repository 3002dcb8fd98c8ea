package io.protogate.reload;

import io.protogate.contract.Contract;
import io.protogate.contract.ContractException;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaException;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.server.ProtogateServer;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Loads a server's descriptor paths again and swaps the result in when the contract changed. A
 * set that does not load (broken, half-written, an import that no longer resolves) or does not
 * fit the handlers is rejected whole: the last good contract keeps serving.
 */
public final class Reloader {
  private static final Logger logger = Logger.getLogger(Reloader.class.getName());

  /** What became of a reload. */
  public interface Listener {
    void swapped(Schema schema);

    void rejected(String problem);
  }

  /**
   * What one reload did: swapped in a new contract, found the same one, or rejected what it
   * loaded; {@code version} is the contract served afterwards, {@code problem} why it was
   * rejected (empty otherwise).
   */
  public record Outcome(Kind kind, String version, String problem) {
    /** The three ends of a reload. */
    public enum Kind { SWAPPED, UNCHANGED, REJECTED }
  }

  private final List<Path> paths;
  private final ProtogateServer server;
  private final Listener listener;
  private final boolean rejectBreaking;
  private final List<Consumer<Outcome>> observers = new CopyOnWriteArrayList<>();

  /**
   * Reloads {@code paths} into {@code server}. Changes that break callers are logged as warnings
   * and, when {@code rejectBreaking} is set, refused.
   */
  public Reloader(
      List<Path> paths, ProtogateServer server, boolean rejectBreaking, Listener listener) {
    this.paths = List.copyOf(paths);
    this.server = server;
    this.rejectBreaking = rejectBreaking;
    this.listener = listener;
  }

  /** A reloader that logs every swap and every rejected set. */
  public Reloader(List<Path> paths, ProtogateServer server, boolean rejectBreaking) {
    this(paths, server, rejectBreaking, new Listener() {
      @Override
      public void swapped(Schema schema) {
        logger.info("now serving contract version " + schema.version() + ": "
            + schema.services().size() + " services from " + String.join(", ", schema.sources()));
      }

      @Override
      public void rejected(String problem) {
        logger.warning("reload rejected, still serving contract version "
            + server.schema().version() + ": " + problem);
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
    Schema next;
    try {
      next = SchemaLoader.load(paths);
    } catch (SchemaException | UncheckedIOException e) {
      return refuse(e.getMessage());
    }
    Contract current = server.contract().current();
    if (next.version().equals(current.version())) {
      return new Outcome(Outcome.Kind.UNCHANGED, current.version(), "");
    }
    List<String> breaking = BreakingChanges.between(current.schema(), next);
    if (!breaking.isEmpty()) {
      if (rejectBreaking) {
        return refuse("the new contract breaks callers (--reject-breaking): "
            + String.join("; ", breaking));
      }
      breaking.forEach(change -> logger.warning("breaking change, swapping anyway: " + change));
    }
    try {
      server.contract().swap(current, current.withSchema(next));
    } catch (ContractException e) {
      return refuse(e.getMessage());
    }
    listener.swapped(next);
    return new Outcome(Outcome.Kind.SWAPPED, next.version(), "");
  }

  private Outcome refuse(String problem) {
    listener.rejected(problem);
    return new Outcome(Outcome.Kind.REJECTED, server.contract().current().version(), problem);
  }
}
