package io.protogate.cli;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
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
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** Where the client takes the server's contract from: reflection, or descriptor-set files. */
final class SchemaOptions {
  @Option(names = {"--protoset", "-protoset"}, paramLabel = "FILE", description = "Descriptor set"
      + " describing the server (repeatable); without it, the server's reflection service is"
      + " asked.")
  List<Path> protosets = List.of();

  @Option(names = {"--protoset-out", "-protoset-out"}, paramLabel = "FILE", description = "Write"
      + " the contract reflection returned as a descriptor set, to pin it or use with --protoset.")
  Path protosetOut;

  /** The ADDRESS and SYMBOL arguments of {@code list} and {@code describe}. */
  record Target(String address, String symbol) {}

  /**
   * Reads {@code [ADDRESS] [SYMBOL]}: the address is needed only without --protoset, and since a
   * symbol never holds a colon and an address always does, one argument is told apart by it.
   */
  Target target(List<String> arguments) {
    if (arguments.size() > 2) {
      throw new CliException(CliException.USAGE, "too many arguments: " + arguments
          + " (expected: ADDRESS [SYMBOL], or with --protoset just [SYMBOL])");
    }
    if (arguments.size() == 2) {
      return new Target(arguments.get(0), arguments.get(1));
    }
    if (arguments.size() == 1 && (protosets.isEmpty() || arguments.get(0).contains(":"))) {
      return new Target(arguments.get(0), null);
    }
    if (protosets.isEmpty()) {
      throw new CliException(CliException.USAGE, "missing ADDRESS (host:port of the server), or"
          + " --protoset FILE to read the contract from");
    }
    return new Target(null, arguments.isEmpty() ? null : arguments.get(0));
  }

  /**
   * Runs {@code lookUp} on a channel to {@code address} when the contract must come from the
   * server, and with none when --protoset gives it: list and describe then need no server at all.
   */
  <T> T withServer(ConnectionOptions connection, String address, Function<Channel, T> lookUp)
      throws InterruptedException {
    if (!protosets.isEmpty()) {
      return lookUp.apply(null);
    }
    ManagedChannel channel = connection.connection(address).open();
    try {
      return lookUp.apply(channel);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** The service names: listed by reflection, fetching no file, or read from --protoset. */
  List<String> services(Channel channel, ConnectionOptions connection, String address) {
    if (!protosets.isEmpty() || protosetOut != null) {
      return load(channel, connection, address, null).services().stream()
          .map(s -> s.getFullName()).sorted().toList();
    }
    try {
      return ReflectionClient.listServices(channel, connection.connectTimeout()).stream()
          .sorted().toList();
    } catch (StatusRuntimeException e) {
      throw connection.failure(e.getStatus(), address, "listing services through reflection");
    }
  }

  /**
   * The contract: from --protoset files, or through reflection, where naming the {@code symbol}
   * the command needs (null: everything) fetches only the files that define it.
   */
  Schema load(Channel channel, ConnectionOptions connection, String address, String symbol) {
    if (!protosets.isEmpty()) {
      return SchemaLoader.load(protosets);
    }
    String wanted = symbol == null || protosetOut != null
        ? null : symbol.replace('/', '.').replaceFirst("^\\.", "");
    FileDescriptorSet set = reflect(channel, connection, address, connection.connectTimeout(),
        wanted);
    if (protosetOut != null) {
      try {
        Files.write(protosetOut, set.toByteArray());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + protosetOut + ": " + e.getMessage(), e);
      }
    }
    return fromServer(set, address);
  }

  /**
   * The contract a server serves, as reflection tells it: the file of {@code symbol} and its
   * imports, or everything when it is null. A server out of reach is a one-line failure.
   */
  static FileDescriptorSet reflect(Channel channel, ConnectionOptions connection, String address,
      Duration timeout, String symbol) {
    try {
      return ReflectionClient.fetch(channel, timeout, symbol);
    } catch (StatusRuntimeException e) {
      throw connection.failure(e.getStatus(), address, "reading the contract through reflection");
    }
  }

  static Schema fromServer(FileDescriptorSet set, String address) {
    return SchemaLoader.fromSources(
        List.of(new DescriptorSource("reflection:" + address, set.toByteArray())));
  }
}
