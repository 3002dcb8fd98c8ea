package io.protogate.reload;

import io.protogate.contract.ContractException;
import io.protogate.server.ProtogateServer;
import io.protogate.stub.Stub;
import io.protogate.stub.StubException;
import io.protogate.stub.StubFiles;
import io.protogate.stub.Stubs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a stub directory again and swaps its stubs into the live contract. Stub files that do not
 * parse or do not fit the contract are refused whole and the stubs served before stay: calls in
 * flight, and calls during the swap, are answered by one set or the other, never by none.
 */
public final class StubReloader {
  /** What became of a reload: {@code problem} is null when the stubs were swapped in. */
  public interface Listener {
    void reloaded(int stubs, String problem);
  }

  private final Path directory;
  private final ProtogateServer server;
  private final Listener listener;

  public StubReloader(Path directory, ProtogateServer server, Listener listener) {
    this.directory = directory;
    this.server = server;
    this.listener = listener;
  }

  /** The stub directory and every directory under it, for a watcher to watch. */
  public List<Path> paths() {
    if (!Files.isDirectory(directory)) {
      return List.of(directory);
    }
    try (Stream<Path> walk = Files.walk(directory)) {
      return walk.filter(Files::isDirectory).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + directory + ": " + e.getMessage(), e);
    }
  }

  void rejected(String problem) {
    listener.reloaded(0, problem);
  }

  /** Reads the stub files and, if they changed, swaps them in. Serialized. */
  public synchronized void reload() {
    List<Stub> stubs;
    try {
      stubs = StubFiles.read(directory);
    } catch (StubException e) {
      listener.reloaded(0, e.getMessage());
      return;
    }
    if (stubs.stream().map(Stub::asTree).toList().equals(
        server.contract().current().part(Stubs.FILES).stream().map(Stub::asTree).toList())) {
      return;
    }
    try {
      server.contract().update(current -> current.with(Stubs.FILES, stubs));
      listener.reloaded(stubs.size(), null);
    } catch (ContractException e) {
      listener.reloaded(0, e.getMessage());
    }
  }
}
