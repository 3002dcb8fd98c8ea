package io.protogate.reload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps a running server on the current contents of its descriptor paths: when a set in a watched
 * directory (or a watched file) is added, replaced or removed, the {@link Reloader} runs; a
 * rejected set is tried again at the next change. Bursts of writes are coalesced: a reload
 * happens once the files have been quiet for the settle time.
 */
public final class DescriptorWatcher implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(DescriptorWatcher.class.getName());

  private final Runnable reload;
  private final WatchService watchService;
  private final Thread thread;
  private final Duration settle;

  private DescriptorWatcher(List<Path> paths, Runnable reload, Duration settle) {
    this.reload = reload;
    this.settle = settle;
    try {
      this.watchService = paths.get(0).getFileSystem().newWatchService();
      Set<Path> directories = new LinkedHashSet<>();
      for (Path path : paths) {
        Path absolute = path.toAbsolutePath();
        directories.add(Files.isDirectory(absolute) ? absolute : absolute.getParent());
      }
      for (Path directory : directories) {
        directory.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot watch " + paths + ": " + e.getMessage(), e);
    }
    this.thread = new Thread(this::run, "protogate-descriptor-watcher");
    this.thread.setDaemon(true);
  }

  /** Starts watching the paths of {@code reloader}, reloading once they settle after a change. */
  public static DescriptorWatcher start(Reloader reloader, Duration settle) {
    return start(reloader.paths(), reloader::reload, settle);
  }

  /**
   * Starts watching {@code paths} (files, or directories and the files directly in them), running
   * {@code reload} once they settle after a change; the stub files are watched this way.
   */
  public static DescriptorWatcher start(List<Path> paths, Runnable reload, Duration settle) {
    DescriptorWatcher watcher = new DescriptorWatcher(paths, reload, settle);
    watcher.thread.start();
    return watcher;
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = watchService.take();
        // Coalesce: keep draining until the directory has been quiet for the settle time.
        do {
          key.pollEvents();
          key.reset();
        } while ((key = watchService.poll(settle.toMillis(), TimeUnit.MILLISECONDS)) != null);
        try {
          reload.run();
        } catch (RuntimeException e) {
          logger.log(Level.WARNING, "reload failed; still serving the previous contract", e);
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // Closed: stop watching.
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
