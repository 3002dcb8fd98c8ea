package io.protogate.descriptor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BundledDescriptorsTest {
  /** The checked-in contracts and their sets, relative to the project root Maven tests run in. */
  private static final Path DESCRIPTORS = Path.of("descriptors");

  private static final String REFRESH =
      "run `./mvnw -q compile && cp target/classes/protogate/descriptors/*.desc descriptors/`";

  @Test
  void checkedInSets_equalWhatTheBuildMakes() throws IOException {
    List<String> checkedIn = namesEndingIn(".desc");
    assertFalse(checkedIn.isEmpty(), "no *.desc in " + DESCRIPTORS.toAbsolutePath());

    for (String name : checkedIn) {
      byte[] built = resource(name);
      assertNotNull(
          built,
          "descriptors/"
              + name
              + " is not built from descriptors/*.proto: add an execution for"
              + " it to the protobuf-maven-plugin in pom.xml, or delete it");
      assertArrayEquals(
          built,
          Files.readAllBytes(DESCRIPTORS.resolve(name)),
          "descriptors/"
              + name
              + " differs from the set the build compiles from its .proto; "
              + REFRESH);
    }
  }

  @Test
  void everyProto_hasACheckedInSet() throws IOException {
    List<String> protos = namesEndingIn(".proto");
    assertFalse(protos.isEmpty(), "no *.proto in " + DESCRIPTORS.toAbsolutePath());

    for (String proto : protos) {
      String set = proto.substring(0, proto.length() - ".proto".length()) + ".desc";
      assertTrue(
          Files.isRegularFile(DESCRIPTORS.resolve(set)),
          "descriptors/"
              + proto
              + " has no descriptors/"
              + set
              + ": give it an execution of the protobuf-maven-plugin in pom.xml and an entry in"
              + " BundledDescriptors.NAMES, then "
              + REFRESH);
    }
  }

  @Test
  void names_matchTheCheckedInSets() throws IOException {
    assertEquals(
        new TreeSet<>(namesEndingIn(".desc")),
        new TreeSet<>(BundledDescriptors.NAMES),
        "BundledDescriptors.NAMES must list exactly the sets in descriptors/");
    assertEquals(
        Set.copyOf(BundledDescriptors.NAMES).size(),
        BundledDescriptors.NAMES.size(),
        "duplicate in BundledDescriptors.NAMES " + BundledDescriptors.NAMES);
  }

  @Test
  void sources_areNamedBundledAndHoldTheResourceBytes() throws IOException {
    List<DescriptorSource> sources = BundledDescriptors.sources();

    assertEquals(
        BundledDescriptors.NAMES.stream().map(n -> "bundled:" + n).toList(),
        sources.stream().map(DescriptorSource::name).toList());
    for (int i = 0; i < sources.size(); i++) {
      assertArrayEquals(resource(BundledDescriptors.NAMES.get(i)), sources.get(i).bytes());
    }
  }

  @Test
  void sources_eachLoadOnTheirOwn() {
    for (DescriptorSource source : BundledDescriptors.sources()) {
      Schema schema = SchemaLoader.fromSources(List.of(source));
      assertFalse(schema.services().isEmpty(), source.name() + " defines no service");
    }
  }

  private static List<String> namesEndingIn(String suffix) throws IOException {
    try (Stream<Path> files = Files.list(DESCRIPTORS)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(suffix))
          .sorted()
          .toList();
    }
  }

  private static byte[] resource(String name) throws IOException {
    String path = BundledDescriptors.RESOURCE_DIR + name;
    try (InputStream in = BundledDescriptorsTest.class.getClassLoader().getResourceAsStream(path)) {
      return in == null ? null : in.readAllBytes();
    }
  }
}
