package io.protogate.cli;

import com.google.protobuf.Descriptors;
import io.grpc.ManagedChannel;
import io.protogate.descriptor.Schema;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code protogate list}: the services of a server, or the methods of one, one per line. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the services of a server, or the methods of SERVICE; fully qualified.")
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connectionOptions;
  @Mixin SchemaOptions schemaOptions;

  @Parameters(index = "0", paramLabel = "ADDRESS", description = "host:port of the server.")
  String address;

  @Parameters(index = "1", arity = "0..1", paramLabel = "SERVICE", description = "A service to"
      + " list the methods of.")
  String service;

  @Override
  public Integer call() throws Exception {
    ManagedChannel channel = connectionOptions.connection(address).open();
    try {
      Schema schema = schemaOptions.load(channel, connectionOptions, address, Duration.ofSeconds(30), service);
      if (service == null) {
        schema.services().stream().map(Descriptors.ServiceDescriptor::getFullName).sorted()
            .forEach(spec.commandLine().getOut()::println);
      } else {
        Symbols.service(schema, service).getMethods()
            .forEach(m -> spec.commandLine().getOut().println(m.getFullName()));
      }
      spec.commandLine().getOut().flush();
      return 0;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
