package io.protogate.reload;

import static io.protogate.reload.HotSwapTest.eventually;
import static io.protogate.reload.HotSwapTest.withExtraField;
import static io.protogate.reload.HotSwapTest.withSecondMethod;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import io.protogate.descriptor.DescriptorSource;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Handlers;
import io.protogate.server.ProtogateServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher against the ways contracts are published: symbolic links re-pointed to release
 * directories, Kubernetes ConfigMap volumes, writers that never stop, and reloads that fail in
 * ways nobody planned for. Real files, real link swaps, a running server.
 */
class DescriptorWatcherTest {
  private static final Duration SETTLE = Duration.ofMillis(100);
  private static final Duration MAX_DELAY = Duration.ofSeconds(1);

  private static final FileDescriptorSet BASE = hello();
  /** Contracts that each differ from the one before, so every step is a swap. */
  private static final List<FileDescriptorSet> STEPS = List.of(
      withExtraField(BASE), BASE, withSecondMethod(BASE), withExtraField(BASE),
      withSecondMethod(withExtraField(BASE)), BASE);

  @TempDir Path dir;

  private final LinkedBlockingQueue<String> rejections = new LinkedBlockingQueue<>();

  @Test
  void releaseLink_rePointedAgainAndAgain_everyReleaseIsServed() throws Exception {
    Path current = releaseLayout();

    try (ProtogateServer server = serve(current);
        DescriptorWatcher watcher = watch(server, current, new Recording())) {
      followsReleases(server, current);
    }
  }

  @Test
  void fileThroughReleaseLink_rePointedAgainAndAgain_everyReleaseIsServed() throws Exception {
    Path current = releaseLayout();
    Path file = current.resolve("hello.desc");

    try (ProtogateServer server = serve(file);
        DescriptorWatcher watcher = watch(server, file, new Recording())) {
      followsReleases(server, current);
    }
  }

  /** releases/0/hello.desc and current -> releases/0 (relative, as deploy tools make it). */
  private Path releaseLayout() throws Exception {
    Path release = Files.createDirectories(dir.resolve("releases/0"));
    Files.write(release.resolve("hello.desc"), BASE.toByteArray());
    return Files.createSymbolicLink(dir.resolve("current"), Path.of("releases/0"));
  }

  /**
   * Publishes each step as a new release and re-points {@code current} at it, atomically; then
   * changes the release now current in place, which only a watch moved to it can see.
   */
  private void followsReleases(ProtogateServer server, Path current) throws Exception {
    for (int i = 1; i <= STEPS.size(); i++) {
      FileDescriptorSet step = STEPS.get(i - 1);
      Path release = Files.createDirectories(dir.resolve("releases/" + i));
      Files.write(release.resolve("hello.desc"), step.toByteArray());
      Path link = Files.createSymbolicLink(dir.resolve("current.new"), Path.of("releases/" + i));
      Files.move(link, current, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      assertServes(server, step, "after re-pointing to release " + i);
    }
    FileDescriptorSet edited = withSecondMethod(BASE);
    Files.write(dir.resolve("releases/" + STEPS.size() + "/hello.desc"), edited.toByteArray());
    assertServes(server, edited, "after editing the current release in place");
  }

  @Test
  void configMapDirectory_dataLinkSwappedAgainAndAgain_everyVersionIsServed() throws Exception {
    configMapFollowsUpdates(dir.resolve("config"));
  }

  @Test
  void configMapFile_dataLinkSwappedAgainAndAgain_everyVersionIsServed() throws Exception {
    configMapFollowsUpdates(dir.resolve("config/hello.desc"));
  }

  /**
   * The layout the kubelet gives a ConfigMap volume, updated the way it does: each version in a
   * new hidden directory, {@code ..data} re-pointed at it by renaming a new link over it, the old
   * directory removed; the visible files are links through {@code ..data}.
   */
  private void configMapFollowsUpdates(Path served) throws Exception {
    Path volume = Files.createDirectories(dir.resolve("config"));
    Path first = publishConfigMapVersion(volume, 0, BASE);
    Files.createSymbolicLink(volume.resolve("hello.desc"), Path.of("..data/hello.desc"));

    try (ProtogateServer server = serve(served);
        DescriptorWatcher watcher = watch(server, served, new Recording())) {
      Path previous = first;
      for (int i = 1; i <= STEPS.size(); i++) {
        Path next = publishConfigMapVersion(volume, i, STEPS.get(i - 1));
        Files.delete(previous.resolve("hello.desc"));
        Files.delete(previous);
        previous = next;
        assertServes(server, STEPS.get(i - 1), "after ConfigMap update " + i);
      }
    }
  }

  private static Path publishConfigMapVersion(Path volume, int version, FileDescriptorSet set)
      throws Exception {
    Path data = Files.createDirectory(volume.resolve("..2026_01_01_00_00_0" + version + ".1"));
    Files.write(data.resolve("hello.desc"), set.toByteArray());
    Path link = Files.createSymbolicLink(volume.resolve("..data_tmp"), data.getFileName());
    Files.move(link, volume.resolve("..data"), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    return data;
  }

  @Test
  void writerThatNeverStops_doesNotHoldBackANewContract() throws Exception {
    Path contracts = Files.createDirectories(dir.resolve("contracts"));
    byte[] demo = Files.readAllBytes(Path.of("descriptors/demo.desc"));
    Files.write(contracts.resolve("demo.desc"), demo);
    Files.write(contracts.resolve("hello.desc"), BASE.toByteArray());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger writes = new AtomicInteger();
    // Rewrites the same set every 50 ms, far more often than the settle time lets a reload
    // through: without a cap on the delay, no change would ever be applied.
    Thread writer = new Thread(() -> {
      try {
        while (!stop.get()) {
          Path temporary = Files.write(contracts.resolve("demo.desc.tmp"), demo);
          Files.move(temporary, contracts.resolve("demo.desc"),
              StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          writes.incrementAndGet();
          Thread.sleep(50);
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    try (ProtogateServer server = serve(contracts);
        DescriptorWatcher watcher = DescriptorWatcher.start(
            reloader(server, contracts, new Recording()), Duration.ofMillis(300), MAX_DELAY)) {
      writer.start();
      FileDescriptorSet changed = withExtraField(BASE);
      Path temporary = Files.write(contracts.resolve("hello.desc.tmp"), changed.toByteArray());
      Files.move(temporary, contracts.resolve("hello.desc"), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);

      String expected = SchemaLoader.fromSources(List.of(new DescriptorSource("demo.desc", demo),
          new DescriptorSource("hello.desc", changed.toByteArray()))).version();
      assertTrue(eventually(() -> server.schema().version().equals(expected)),
          "the new contract was held back by a writer (" + writes + " writes); rejections: "
              + rejections);
      assertTrue(writer.isAlive(), "the writer stopped before the new contract was served");
    } finally {
      stop.set(true);
      writer.join();
    }
  }

  @Test
  void reloadThrowingAnError_isRejected_andLaterChangesStillReload() throws Exception {
    Path file = dir.resolve("hello.desc");
    Files.write(file, BASE.toByteArray());
    Recording listener = new Recording() {
      private boolean thrown;

      @Override
      public void swapped(Schema schema) {
        if (!thrown) {
          thrown = true;
          // What a 3,000-file import chain once threw from deep inside the loader.
          throw new StackOverflowError();
        }
      }
    };

    try (ProtogateServer server = serve(file);
        DescriptorWatcher watcher = watch(server, file, listener)) {
      Files.write(file, withExtraField(BASE).toByteArray());
      String problem = rejections.poll(10, TimeUnit.SECONDS);
      assertTrue(problem != null && problem.contains("StackOverflowError"),
          "the failed reload was not reported as rejected: " + problem);

      FileDescriptorSet next = withSecondMethod(BASE);
      Files.write(file, next.toByteArray());
      assertServes(server, next, "after a reload that threw an Error");
    }
  }

  private static FileDescriptorSet hello() {
    try {
      return FileDescriptorSet.parseFrom(Files.readAllBytes(Path.of("descriptors/hello.desc")));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static ProtogateServer serve(Path path) {
    return ProtogateServer.builder(SchemaLoader.load(List.of(path)))
        .port(0).handlers(Handlers.builder().build()).build().start();
  }

  private DescriptorWatcher watch(ProtogateServer server, Path path, Reloader.Listener listener) {
    return DescriptorWatcher.start(reloader(server, path, listener), SETTLE, MAX_DELAY);
  }

  private static Reloader reloader(ProtogateServer server, Path path, Reloader.Listener listener) {
    return new Reloader(List.of(path), server, false, listener);
  }

  private void assertServes(ProtogateServer server, FileDescriptorSet set, String when)
      throws InterruptedException {
    String expected = SchemaLoader.fromSources(
        List.of(new DescriptorSource("expected", set.toByteArray()))).version();
    assertTrue(eventually(() -> server.schema().version().equals(expected)),
        "not serving " + expected + " " + when + " but " + server.schema().version()
            + "; rejections: " + rejections);
  }

  /** Records rejections for the assertions' messages. */
  private class Recording implements Reloader.Listener {
    @Override
    public void swapped(Schema schema) {}

    @Override
    public void rejected(String problem) {
      rejections.add(problem);
    }
  }
}
