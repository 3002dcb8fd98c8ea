package io.protogate.cli;

import com.google.gson.JsonObject;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.grpc.ManagedChannel;
import io.protogate.breaking.BreakingChanges;
import io.protogate.breaking.Finding;
import io.protogate.breaking.RuleSet;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code protogate breaking}: the changes from a contract to a new one that break callers, for CI
 * pipelines before anything is deployed. The old contract is a descriptor set, or what a running
 * server serves, read through reflection. Exits as {@code buf breaking} does: 0 compatible, 100
 * breaking; 2 for a usage error, 1 when a contract cannot be read.
 */
@Command(
    name = "breaking",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Check that NEW does not break callers of the old contract (--against a"
        + " descriptor set, or --against-server a running server). Exit 0: compatible; 100:"
        + " breaking; 2: usage error; 1: a contract cannot be read.")
final class BreakingCommand implements Callable<Integer> {
  static final int BREAKING = 100;

  /** What a server adds to every contract it serves, and a descriptor set need not have. */
  private static final Set<String> SERVER_OWN_SERVICES = Set.of(
      "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
      "grpc.health.v1.Health");

  enum Format { TEXT, JSON }

  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connectionOptions;

  @Parameters(index = "0", paramLabel = "NEW", description = "The new contract: a descriptor-set"
      + " file or a directory of them.")
  Path next;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Against against;

  static final class Against {
    @Option(names = "--against", paramLabel = "OLD", required = true, description = "The old"
        + " contract: a descriptor-set file or a directory of them.")
    Path path;

    @Option(names = "--against-server", paramLabel = "HOST:PORT", required = true,
        description = "Read the old contract from a running server through reflection (with the"
            + " TLS flags below).")
    String server;
  }

  @Option(names = "--rules", paramLabel = "WIRE|WIRE_JSON", description = "WIRE: changes that"
      + " break binary protobuf callers; WIRE_JSON: also JSON callers (default: ${DEFAULT-VALUE})."
      + " A service or method removed breaks under both.")
  RuleSet rules = RuleSet.WIRE_JSON;

  @Option(names = "--format", paramLabel = "text|json", description = "text: one finding a line,"
      + " file:line: element: change [RULE]; json: one JSON object a line (default: text).")
  Format format = Format.TEXT;

  @Override
  public Integer call() throws Exception {
    Schema now = SchemaLoader.load(List.of(next));
    Schema old = against.path != null ? SchemaLoader.load(List.of(against.path)) : served();
    List<Finding> findings = BreakingChanges.between(old, now, rules);
    PrintWriter out = spec.commandLine().getOut();
    for (Finding finding : findings) {
      out.println(format == Format.JSON ? json(finding) : finding.toString());
    }
    out.flush();
    PrintWriter err = spec.commandLine().getErr();
    err.println(findings.isEmpty()
        ? "no breaking changes (" + rules + ") against " + oldName()
        : findings.size() + " breaking change" + (findings.size() == 1 ? "" : "s") + " ("
            + rules + ") against " + oldName());
    err.flush();
    return findings.isEmpty() ? 0 : BREAKING;
  }

  private String oldName() {
    return against.path != null ? against.path.toString() : against.server;
  }

  /**
   * The contract the server serves, less the reflection and health services every Protogate (and
   * most gRPC servers) adds: a descriptor set that lacks them does not remove them.
   */
  private Schema served() throws InterruptedException {
    ManagedChannel channel = connectionOptions.connection(against.server).open();
    try {
      FileDescriptorSet set = SchemaOptions.reflect(channel, connectionOptions, against.server,
          Duration.ofSeconds(30), null);
      FileDescriptorSet.Builder contract = FileDescriptorSet.newBuilder();
      for (FileDescriptorProto file : set.getFileList()) {
        boolean serverOwn = file.getServiceCount() > 0 && file.getServiceList().stream()
            .allMatch(s -> SERVER_OWN_SERVICES.contains(fullName(file, s)));
        if (!serverOwn) {
          contract.addFile(file);
        }
      }
      return SchemaOptions.fromServer(contract.build(), against.server);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static String fullName(FileDescriptorProto file, ServiceDescriptorProto service) {
    return file.getPackage().isEmpty() ? service.getName()
        : file.getPackage() + "." + service.getName();
  }

  private static String json(Finding finding) {
    JsonObject object = new JsonObject();
    object.addProperty("file", finding.file());
    if (finding.line() > 0) {
      object.addProperty("line", finding.line());
    }
    object.addProperty("rule", finding.rule());
    object.addProperty("subject", finding.subject());
    object.addProperty("message", finding.message());
    return object.toString();
  }
}
