package io.protogate.reload;

import io.protogate.descriptor.DescriptorSource;
import io.protogate.stub.StubFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Keeps a running server on the current contents of its descriptor paths: when a set in a watched
 * directory (or a watched file) is added, replaced or removed, the {@link Reloader} runs; a
 * rejected set is tried again at the next change.
 *
 * <p>Every component of every path is watched, symbolic links followed: re-pointing {@code
 * current -> releases/42} to {@code releases/43}, or Kubernetes swapping a ConfigMap's {@code
 * ..data} link, is a change like any other, and after each change the paths are resolved again
 * and the watches moved to where they now lead. Bursts of writes are coalesced: a reload happens
 * once the files have been quiet for the settle time, but never later than the maximum delay
 * after the first change, so a writer that never stops cannot hold a new contract back.
 */
public final class DescriptorWatcher implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(DescriptorWatcher.class.getName());

  /** As the kernel does, give up on a path after this many symbolic links (a loop). */
  private static final int MAX_LINKS = 40;

  private final Watched target;
  private final WatchService watchService;
  private final Thread thread;
  private final Duration settle;
  private final Duration maxDelay;
  /** What matters in each watched directory; used by the watcher thread only. */
  private Map<WatchKey, Interest> watched = Map.of();

  /**
   * What a watcher keeps current: its paths, which files in a watched directory matter, and the
   * reload (descriptor sets through {@link Reloader}, stub files through {@link StubReloader}).
   */
  interface Watched {
    List<Path> paths();

    boolean matters(Path fileName);

    void reload();

    void rejected(String problem);
  }

  private DescriptorWatcher(Watched target, Duration settle, Duration maxDelay) {
    if (settle.isNegative() || maxDelay.compareTo(settle) < 0) {
      throw new IllegalArgumentException("settle " + settle + " and maximum delay " + maxDelay
          + ": expected 0 <= settle <= maximum delay");
    }
    this.target = target;
    this.settle = settle;
    this.maxDelay = maxDelay;
    List<Path> paths = target.paths();
    try {
      this.watchService = paths.get(0).getFileSystem().newWatchService();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot watch " + paths + ": " + e.getMessage(), e);
    }
    rewatch();
    this.thread = new Thread(this::run, "protogate-descriptor-watcher");
    this.thread.setDaemon(true);
  }

  /**
   * Starts watching the paths of {@code reloader}; after a change, reloads once they have been
   * quiet for {@code settle}, or {@code maxDelay} after the change if they never are.
   */
  public static DescriptorWatcher start(Reloader reloader, Duration settle, Duration maxDelay) {
    return start(watched(reloader::paths, DescriptorSource::looksLikeSet, reloader::reload,
        reloader::rejected), settle, maxDelay);
  }

  /** Starts watching a stub directory, as {@link #start(Reloader, Duration, Duration)} does. */
  public static DescriptorWatcher start(
      StubReloader reloader, Duration settle, Duration maxDelay) {
    return start(watched(reloader::paths, StubFiles::isStubFile, reloader::reload,
        reloader::rejected), settle, maxDelay);
  }

  private static Watched watched(Supplier<List<Path>> paths, Predicate<Path> matters,
      Runnable reload, Consumer<String> rejected) {
    return new Watched() {
      @Override
      public List<Path> paths() {
        return paths.get();
      }

      @Override
      public boolean matters(Path fileName) {
        return matters.test(fileName);
      }

      @Override
      public void reload() {
        reload.run();
      }

      @Override
      public void rejected(String problem) {
        rejected.accept(problem);
      }
    };
  }

  private static DescriptorWatcher start(Watched target, Duration settle, Duration maxDelay) {
    DescriptorWatcher watcher = new DescriptorWatcher(target, settle, maxDelay);
    watcher.thread.start();
    return watcher;
  }

  private void run() {
    try {
      while (true) {
        if (!drain(watchService.take())) {
          continue;
        }
        long first = System.nanoTime();
        long lastChange = first;
        long settleNanos = settle.toNanos();
        long latest = first + maxDelay.toNanos();
        while (true) {
          long now = System.nanoTime();
          long wait = Math.min(lastChange + settleNanos, latest) - now;
          WatchKey key;
          if (wait <= 0 || (key = watchService.poll(wait, TimeUnit.NANOSECONDS)) == null) {
            break;
          }
          if (drain(key)) {
            lastChange = System.nanoTime();
          }
        }
        // Watch where the paths lead now before reading them, so a change made during the reload
        // is seen.
        rewatch();
        reload();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // Closed: stop watching.
    }
  }

  /** Runs the reloader; whatever it throws is a rejected reload, never the end of watching. */
  private void reload() {
    try {
      target.reload();
    } catch (RuntimeException | Error e) {
      // A fault of Protogate, not of the files: the trace is for whoever fixes it.
      logger.log(Level.FINE, "reload failed", e);
      target.rejected("the reload failed with " + e + "; the next change is tried again");
    }
  }

  /** Takes the key's events; true if one of them may change what the paths hold. */
  private boolean drain(WatchKey key) {
    Interest interest = watched.get(key);
    boolean relevant = false;
    for (WatchEvent<?> event : key.pollEvents()) {
      relevant |= interest != null
          && (event.kind() == StandardWatchEventKinds.OVERFLOW
              || interest.matches((Path) event.context(), target));
    }
    key.reset();
    return relevant;
  }

  /**
   * Resolves every path again and watches each directory on the way: for each entry named on the
   * way (a path component, a link, a link's target), the directory holding it, and the directory
   * a path finally leads to. Watches no longer on any way are dropped.
   */
  private void rewatch() {
    Map<Path, Interest> interests = new HashMap<>();
    for (Path path : target.paths()) {
      trace(path.toAbsolutePath(), interests);
    }
    Map<WatchKey, Interest> keys = new HashMap<>();
    interests.forEach((directory, interest) -> {
      try {
        keys.merge(directory.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE),
            interest, Interest::merge);
      } catch (IOException e) {
        // Gone between resolving and registering: its parent is watched and tells when it is back.
        logger.log(Level.FINE, "cannot watch " + directory, e);
      }
    });
    for (WatchKey key : watched.keySet()) {
      if (!keys.containsKey(key)) {
        key.cancel();
      }
    }
    watched = keys;
  }

  /** Adds the directories {@code path} goes through and leads to, links followed. */
  private void trace(Path path, Map<Path, Interest> interests) {
    Path directory = resolve(path, interests);
    if (directory == null || !Files.isDirectory(directory)) {
      return;
    }
    interests.merge(directory, Interest.SETS, Interest::merge);
    // Each set in it may itself be a link (a ConfigMap's hello.desc -> ..data/hello.desc).
    try (Stream<Path> children = Files.list(directory)) {
      children.filter(child -> target.matters(child.getFileName()))
          .forEach(child -> resolve(child, interests));
    } catch (IOException | UncheckedIOException e) {
      // The reload reports an unreadable directory.
      logger.log(Level.FINE, "cannot list " + directory, e);
    }
  }

  /**
   * Walks {@code path} (absolute) one name at a time, expanding links as they come, and records in
   * {@code interests} each name under the directory that holds it. Returns the real path, or null
   * when the walk cannot finish (a name missing: its directory is watched for it to appear).
   */
  private static Path resolve(Path path, Map<Path, Interest> interests) {
    Path directory = path.getRoot();
    Deque<Path> names = new ArrayDeque<>();
    path.forEach(names::add);
    int links = 0;
    while (!names.isEmpty()) {
      Path name = names.pop();
      if (name.toString().equals(".")) {
        continue;
      }
      if (name.toString().equals("..")) {
        // directory has no links in it, so its parent is what ".." names.
        directory = directory.getParent() == null ? directory : directory.getParent();
        continue;
      }
      interests.merge(directory, Interest.of(name), Interest::merge);
      Path entry = directory.resolve(name);
      if (Files.isSymbolicLink(entry)) {
        Path target;
        try {
          target = Files.readSymbolicLink(entry);
        } catch (IOException e) {
          return null;
        }
        if (++links > MAX_LINKS) {
          return null;
        }
        List<Path> expanded = new ArrayList<>();
        target.forEach(expanded::add);
        for (int i = expanded.size() - 1; i >= 0; i--) {
          names.push(expanded.get(i));
        }
        if (target.isAbsolute()) {
          directory = target.getRoot();
        }
      } else if (Files.exists(entry)) {
        directory = entry;
      } else {
        return null;
      }
    }
    return directory;
  }

  /**
   * The names in one directory whose change matters, and whether the directory's descriptor sets
   * all do (the directory a path leads to).
   */
  private record Interest(Set<String> names, boolean sets) {
    static final Interest SETS = new Interest(Set.of(), true);

    static Interest of(Path name) {
      return new Interest(Set.of(name.toString()), false);
    }

    Interest merge(Interest other) {
      Set<String> all = new HashSet<>(names);
      all.addAll(other.names);
      return new Interest(all, sets || other.sets);
    }

    boolean matches(Path name, Watched target) {
      return names.contains(name.toString()) || (sets && target.matters(name));
    }
  }

  @Override
  public void close() {
    try {
      watchService.close();
    } catch (IOException e) {
      logger.log(Level.FINE, "closing the watch service", e);
    }
    thread.interrupt();
  }
}
