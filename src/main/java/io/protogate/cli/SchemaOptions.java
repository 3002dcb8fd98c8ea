package io.protogate.cli;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.protogate.client.ReflectionClient;
import io.protogate.descriptor.DescriptorSource;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** Where the client takes the server's contract from: reflection, or descriptor-set files. */
final class SchemaOptions {
  @Option(names = "--protoset", paramLabel = "FILE", description = "Descriptor set describing the"
      + " server (repeatable); without it, the server's reflection service is asked.")
  List<Path> protosets = List.of();

  @Option(names = "--protoset-out", paramLabel = "FILE", description = "Write the contract"
      + " reflection returned as a descriptor set, to pin it or use with --protoset.")
  Path protosetOut;

  /**
   * The contract: from --protoset files, or through reflection, where naming the {@code symbol}
   * the command needs (null: everything) saves fetching the rest.
   */
  Schema load(Channel channel, String address, Duration timeout, String symbol) {
    if (!protosets.isEmpty()) {
      return SchemaLoader.load(protosets);
    }
    FileDescriptorSet set;
    try {
      String wanted = symbol == null || protosetOut != null
          ? null : symbol.replace('/', '.').replaceFirst("^\\.", "");
      set = ReflectionClient.fetch(channel, timeout, wanted);
    } catch (StatusRuntimeException e) {
      throw unreachableOr(e, address, "cannot read the contract through reflection");
    }
    if (protosetOut != null) {
      try {
        Files.write(protosetOut, set.toByteArray());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + protosetOut + ": " + e.getMessage(), e);
      }
    }
    return SchemaLoader.fromSources(
        List.of(new DescriptorSource("reflection:" + address, set.toByteArray())));
  }

  /** A connection failure, worded with what to check; other statuses keep their own words. */
  static CliException unreachableOr(StatusRuntimeException e, String address, String what) {
    Status status = e.getStatus();
    if (status.getCode() == Status.Code.UNAVAILABLE || status.getCode()
        == Status.Code.DEADLINE_EXCEEDED) {
      return new CliException(CliException.NOT_SENT, "cannot reach " + address + ": "
          + describe(status) + "; check the address, and --plaintext for a server without TLS");
    }
    return new CliException(CliException.NOT_SENT, what + " of " + address + ": "
        + describe(status));
  }

  /** The status on one line: gRPC descriptions may span lines, causes may dump whole records. */
  static String describe(Status status) {
    String description = status.getDescription() == null ? ""
        : ": " + status.getDescription().lines().findFirst().orElse("");
    String cause = status.getCause() == null ? "" : " (" + abbreviate(rootMessage(
        status.getCause())) + ")";
    return status.getCode() + description + cause;
  }

  private static String abbreviate(String text) {
    String line = text.lines().findFirst().orElse("");
    return line.length() <= 80 ? line : line.substring(0, 77) + "...";
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
