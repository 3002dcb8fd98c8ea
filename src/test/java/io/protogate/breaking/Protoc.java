package io.protogate.breaking;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Compiles {@code .proto} text into a descriptor set (with imports and source info, as a user's
 * CI would) with the protoc the build already fetched for {@code descriptors/}, so that tests can
 * state contracts as proto source.
 */
public final class Protoc {
  private Protoc() {}

  /** Compiles {@code files} (name to text) in a scratch directory under {@code dir}. */
  public static byte[] compile(Path dir, Map<String, String> files)
      throws IOException, InterruptedException {
    Path root = Files.createTempDirectory(dir, "protoc");
    for (Map.Entry<String, String> file : files.entrySet()) {
      Path path = root.resolve(file.getKey());
      Files.createDirectories(path.getParent());
      Files.writeString(path, file.getValue());
    }
    Path out = root.resolve("out.desc");
    List<String> command = new ArrayList<>(List.of(executable().toString(), "-I" + root,
        "--include_imports", "--include_source_info", "--descriptor_set_out=" + out));
    command.addAll(files.keySet());
    Process protoc = new ProcessBuilder(command).directory(root.toFile())
        .redirectErrorStream(true).start();
    String output = new String(protoc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!protoc.waitFor(60, TimeUnit.SECONDS) || protoc.exitValue() != 0) {
      protoc.destroyForcibly();
      throw new IllegalArgumentException("protoc failed: " + output);
    }
    return Files.readAllBytes(out);
  }

  /** The protoc that protobuf-maven-plugin unpacked into target/ for the descriptors build. */
  static Path executable() throws IOException {
    Path generated = Path.of("target/protobuf-maven-plugin/generate");
    try (Stream<Path> found = Files.exists(generated)
        ? Files.find(generated, 3, (path, attributes) -> path.getFileName().toString()
            .matches("protoc-.*\\.exe") && Files.isExecutable(path))
        : Stream.empty()) {
      return found.findFirst().map(Path::toAbsolutePath).orElseThrow(() ->
          new IllegalStateException("no protoc under " + generated
              + ": run the build (./mvnw generate-resources) first"));
    }
  }
}
