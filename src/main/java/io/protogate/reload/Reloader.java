package io.protogate.reload;

import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaException;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.server.ProtogateServer;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
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

  private final List<Path> paths;
  private final ProtogateServer server;
  private final Listener listener;
  private final boolean rejectBreaking;

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

  List<Path> paths() {
    return paths;
  }

  /** Loads and, if the contract changed, swaps. Serialized: two reloads never interleave. */
  public synchronized void reload() {
    Schema next;
    try {
      next = SchemaLoader.load(paths);
    } catch (SchemaException | UncheckedIOException e) {
      listener.rejected(e.getMessage());
      return;
    }
    Schema current = server.schema();
    if (next.version().equals(current.version())) {
      return;
    }
    List<String> breaking = io.protogate.breaking.BreakingChanges.between(current, next, io.protogate.breaking.RuleSet.WIRE_JSON).stream().map(Object::toString).toList();
    if (!breaking.isEmpty()) {
      if (rejectBreaking) {
        listener.rejected("the new contract breaks callers (--reject-breaking): "
            + String.join("; ", breaking));
        return;
      }
      breaking.forEach(change -> logger.warning("breaking change, swapping anyway: " + change));
    }
    try {
      server.swap(next);
    } catch (IllegalArgumentException e) {
      listener.rejected(e.getMessage());
      return;
    }
    listener.swapped(next);
  }
}
