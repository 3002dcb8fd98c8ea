package io.protogate.cli;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import io.grpc.Channel;
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
  Schema load(Channel channel, ConnectionOptions connection, String address, Duration timeout,
      String symbol) {
    if (!protosets.isEmpty()) {
      return SchemaLoader.load(protosets);
    }
    String wanted = symbol == null || protosetOut != null
        ? null : symbol.replace('/', '.').replaceFirst("^\\.", "");
    FileDescriptorSet set = reflect(channel, connection, address, timeout, wanted);
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
