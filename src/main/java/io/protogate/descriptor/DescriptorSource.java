package io.protogate.descriptor;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The serialized bytes of one {@code FileDescriptorSet} and the name of the place they came from,
 * which every loading error quotes. Build them from a file, a directory of sets, or raw bytes.
 * A value: the bytes are copied in and out, and two sources are equal when their names and bytes
 * are.
 */
public record DescriptorSource(String name, byte[] bytes) {
  /** File name endings taken as descriptor sets when a directory is read. */
  public static final Set<String> SET_EXTENSIONS = Set.of(".desc", ".binpb", ".pb", ".protoset");

  /**
   * The largest descriptor set read: far above any real one (every googleapis file together is a
   * few MiB), and low enough that a wrong path cannot fill the heap.
   */
  public static final long MAX_SET_BYTES = 64L * 1024 * 1024;

  public DescriptorSource {
    requireNonNull(name, "name");
    bytes = requireNonNull(bytes, "bytes").clone();
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DescriptorSource source
        && name.equals(source.name) && Arrays.equals(bytes, source.bytes);
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "DescriptorSource[" + name + ", " + bytes.length + " bytes]";
  }

  /** One source per descriptor set at {@code path}: the file itself, or each set in a directory. */
  public static List<DescriptorSource> fromPath(Path path) {
    if (Files.isDirectory(path)) {
      List<DescriptorSource> sources = new ArrayList<>();
      try (Stream<Path> children = Files.list(path)) {
        // Not only regular files: a FIFO or device named like a set is refused by name below,
        // rather than silently left out of the contract.
        children
            .filter(child -> !Files.isDirectory(child))
            .filter(DescriptorSource::looksLikeSet)
            .sorted()
            .forEach(child -> sources.add(readFile(child)));
      } catch (IOException e) {
        throw new SchemaException(path.toString(), "cannot list directory: " + e.getMessage(), e);
      }
      if (sources.isEmpty()) {
        throw new SchemaException(
            path.toString(),
            "directory holds no descriptor set (files ending in " + SET_EXTENSIONS + ")");
      }
      return sources;
    }
    return List.of(readFile(path));
  }

  /** Whether a directory entry of this name is read as a descriptor set. */
  public static boolean looksLikeSet(Path file) {
    String name = file.getFileName().toString();
    return SET_EXTENSIONS.stream().anyMatch(name::endsWith);
  }

  private static DescriptorSource readFile(Path file) {
    if (!Files.exists(file)) {
      throw new SchemaException(file.toString(), "no such file or directory");
    }
    // Opening a FIFO blocks until a writer comes, and a device such as /dev/zero never ends.
    if (!Files.isRegularFile(file)) {
      throw new SchemaException(file.toString(), "not a regular file (a FIFO, device or socket);"
          + " give a descriptor-set file or a directory of them");
    }
    try (InputStream in = Files.newInputStream(file)) {
      long size = Files.size(file);
      // Read one byte past the limit, so a file that grows after the size check is caught too.
      byte[] bytes = size > MAX_SET_BYTES ? null : in.readNBytes((int) MAX_SET_BYTES + 1);
      if (bytes == null || bytes.length > MAX_SET_BYTES) {
        throw new SchemaException(file.toString(), Math.max(size, MAX_SET_BYTES + 1)
            + " bytes, more than the " + (MAX_SET_BYTES >> 20) + " MiB a descriptor set may"
            + " have; is this the right file?");
      }
      return new DescriptorSource(file.toString(), bytes);
    } catch (IOException e) {
      throw new SchemaException(file.toString(), "cannot read: " + e, e);
    }
  }
}
