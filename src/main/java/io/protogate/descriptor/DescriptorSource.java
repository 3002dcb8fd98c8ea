package io.protogate.descriptor;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
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
        children
            .filter(Files::isRegularFile)
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

  static boolean looksLikeSet(Path file) {
    String name = file.getFileName().toString();
    return SET_EXTENSIONS.stream().anyMatch(name::endsWith);
  }

  private static DescriptorSource readFile(Path file) {
    if (!Files.exists(file)) {
      throw new SchemaException(file.toString(), "no such file or directory");
    }
    try {
      return new DescriptorSource(file.toString(), Files.readAllBytes(file));
    } catch (IOException e) {
      throw new SchemaException(file.toString(), "cannot read: " + e, e);
    }
  }
}
