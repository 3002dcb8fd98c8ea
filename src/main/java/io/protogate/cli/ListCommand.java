package io.protogate.cli;

import io.protogate.descriptor.Schema;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code protogate list}: the services of a server, or the methods of one, one per line. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "List the services of a server, or the methods of SERVICE; fully qualified.")
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connectionOptions;
  @Mixin SchemaOptions schemaOptions;

  @Parameters(arity = "0..2", paramLabel = "[ADDRESS] [SERVICE]", description = "host:port of the"
      + " server (not needed with --protoset), and a service to list the methods of.")
  List<String> arguments = List.of();

  @Override
  public Integer call() throws Exception {
    SchemaOptions.Target target = schemaOptions.target(arguments);
    List<String> lines = schemaOptions.withServer(connectionOptions, target.address(), channel -> {
      if (target.symbol() == null) {
        return schemaOptions.services(channel, connectionOptions, target.address());
      }
      Schema schema =
          schemaOptions.load(channel, connectionOptions, target.address(), target.symbol());
      return Symbols.service(schema, target.symbol()).getMethods().stream()
          .map(m -> m.getFullName()).toList();
    });
    PrintWriter out = spec.commandLine().getOut();
    lines.forEach(out::println);
    out.flush();
    return 0;
  }
}
