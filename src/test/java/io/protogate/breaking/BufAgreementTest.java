package io.protogate.breaking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.protogate.breaking.ContractPairs.Case;
import io.protogate.descriptor.DescriptorSource;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The engine against the reference table of {@link ContractPairs}: for every case and both rule
 * sets, the rule IDs it reports are buf's plus only Protogate's own rules. When buf is installed
 * ({@code src/test/node}, from {@code @bufbuild/buf}), the buf columns are re-derived by running
 * {@code buf breaking} on the same compiled contracts, so the table cannot drift from buf.
 */
class BufAgreementTest {
  /** Compiled beside every case so that a case whose file is deleted still has a contract. */
  private static final String UNRELATED = "common/unrelated.proto";

  @TempDir static Path dir;
  private static FileDescriptorSet oldSet;
  private static FileDescriptorSet newSet;
  private static Path oldImage;
  private static Path newImage;

  static final List<Case> CASES = ContractPairs.CASES;

  @BeforeAll
  static void compileEveryCase() throws Exception {
    Map<String, String> olds = new LinkedHashMap<>();
    Map<String, String> news = new LinkedHashMap<>();
    String unrelated = "syntax = \"proto3\";\npackage common;\nmessage Unrelated {}\n";
    olds.put(UNRELATED, unrelated);
    news.put(UNRELATED, unrelated);
    for (Case c : CASES) {
      olds.put(c.file(), c.source(c.oldProto()));
      if (!c.newProto().isEmpty()) {
        news.put(c.file(), c.source(c.newProto()));
      }
    }
    oldImage = Files.write(dir.resolve("old.binpb"), Protoc.compile(dir, olds));
    newImage = Files.write(dir.resolve("new.binpb"), Protoc.compile(dir, news));
    oldSet = FileDescriptorSet.parseFrom(Files.readAllBytes(oldImage));
    newSet = FileDescriptorSet.parseFrom(Files.readAllBytes(newImage));
  }

  private static final Map<String, Schema> schemas = new java.util.concurrent.ConcurrentHashMap<>();

  private static Schema schema(FileDescriptorSet set, Case c, String side) {
    return schemas.computeIfAbsent(c.name() + "-" + side, key -> load(set, c, side));
  }

  private static Schema load(FileDescriptorSet set, Case c, String side) {
    FileDescriptorSet.Builder mine = FileDescriptorSet.newBuilder();
    for (FileDescriptorProto file : set.getFileList()) {
      if (file.getName().equals(c.file()) || !file.getName().contains("/contract.proto")) {
        mine.addFile(file);
      }
    }
    return SchemaLoader.fromSources(
        List.of(new DescriptorSource(c.name() + "-" + side, mine.build().toByteArray())));
  }

  private static Set<String> rules(Case c, RuleSet rules) {
    return BreakingChanges.between(schema(oldSet, c, "old"), schema(newSet, c, "new"), rules)
        .stream().map(Finding::rule).collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("CASES")
  void wireJson_agreesWithBuf(Case c) {
    assertEquals(union(c.bufWireJson(), c.gatewayOnly()), rules(c, RuleSet.WIRE_JSON));
  }

  @ParameterizedTest(name = "{0}")
  @FieldSource("CASES")
  void wire_agreesWithBuf(Case c) {
    assertEquals(union(c.bufWire(), c.gatewayOnly()), rules(c, RuleSet.WIRE));
  }

  @Test
  void table_coversEveryBufRuleOfBothCategories() {
    Set<String> covered = new TreeSet<>();
    CASES.forEach(c -> {
      covered.addAll(c.bufWireJson());
      covered.addAll(c.bufWire());
    });
    assertEquals(new TreeSet<>(List.of("ENUM_SAME_JSON_FORMAT", "ENUM_VALUE_SAME_NAME",
        "FIELD_SAME_JSON_NAME", "FIELD_SAME_NAME", "MESSAGE_SAME_JSON_FORMAT",
        "FIELD_SAME_DEFAULT", "FIELD_SAME_ONEOF", "FILE_SAME_PACKAGE",
        "MESSAGE_SAME_REQUIRED_FIELDS", "RESERVED_ENUM_NO_DELETE", "RESERVED_MESSAGE_NO_DELETE",
        "RPC_SAME_CLIENT_STREAMING", "RPC_SAME_IDEMPOTENCY_LEVEL", "RPC_SAME_REQUEST_TYPE",
        "RPC_SAME_RESPONSE_TYPE", "RPC_SAME_SERVER_STREAMING",
        "ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED", "FIELD_NO_DELETE_UNLESS_NAME_RESERVED",
        "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY", "FIELD_WIRE_JSON_COMPATIBLE_TYPE",
        "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED", "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED",
        "FIELD_WIRE_COMPATIBLE_CARDINALITY", "FIELD_WIRE_COMPATIBLE_TYPE")), covered);
  }

  @Test
  void bufColumns_areWhatBufSays() throws Exception {
    Path buf = Buf.executable();
    Map<String, Set<String>> wireJson = run(buf, "WIRE_JSON");
    Map<String, Set<String>> wire = run(buf, "WIRE");
    List<String> differences = new ArrayList<>();
    for (Case c : CASES) {
      Set<String> json = wireJson.getOrDefault(c.file(), Set.of());
      Set<String> binary = wire.getOrDefault(c.file(), Set.of());
      if (!json.equals(c.bufWireJson()) || !binary.equals(c.bufWire())) {
        differences.add(c.name() + ": buf says WIRE_JSON " + json + ", WIRE " + binary);
      }
    }
    assertEquals(List.of(), differences);
  }

  /** buf's findings, rule IDs by file, for the whole table in one run. */
  private static Map<String, Set<String>> run(Path buf, String rules) throws Exception {
    Process process = new ProcessBuilder(buf.toString(), "breaking", newImage.toString(),
        "--against", oldImage.toString(), "--error-format", "json", "--config",
        "{\"version\":\"v2\",\"breaking\":{\"use\":[\"" + rules + "\"]}}")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      fail("buf breaking did not finish in 60 s");
    }
    assertEquals(100, process.exitValue(), "buf breaking exit code; output: " + out);
    Map<String, Set<String>> byFile = new TreeMap<>();
    for (String line : out.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Struct.Builder finding = Struct.newBuilder();
      JsonFormat.parser().merge(line, finding);
      byFile.computeIfAbsent(finding.getFieldsOrThrow("path").getStringValue(),
          k -> new TreeSet<>()).add(finding.getFieldsOrThrow("type").getStringValue());
    }
    return byFile;
  }

  /** buf from npm's {@code @bufbuild/buf}, as {@code .ci/run} installs it into src/test/node. */
  static final class Buf {
    private Buf() {}

    static Path executable() throws IOException {
      Path installed = Path.of("src/test/node/node_modules/.bin/buf");
      if (Files.isExecutable(installed)) {
        return installed.toAbsolutePath();
      }
      String problem = "buf is not installed in src/test/node (npm ci there installs it)";
      if ("1".equals(System.getenv("PROTOGATE_REQUIRE_INTEROP"))) {
        fail("PROTOGATE_REQUIRE_INTEROP=1 but " + problem);
      }
      Assumptions.abort(problem + "; the table's buf columns are not re-derived");
      throw new IllegalStateException("unreachable");
    }
  }
}
