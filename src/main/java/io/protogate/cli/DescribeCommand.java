package io.protogate.cli;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.GenericDescriptor;
import io.protogate.descriptor.ProtoSource;
import io.protogate.descriptor.Schema;
import io.protogate.json.JsonCodec;
import io.protogate.json.JsonTemplate;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code protogate describe}: a service, method, message or enum, as proto source text. */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Print a service, method, message or enum as proto source (every service when"
        + " SYMBOL is left out).")
final class DescribeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connectionOptions;
  @Mixin SchemaOptions schemaOptions;

  @Parameters(arity = "0..2", paramLabel = "[ADDRESS] [SYMBOL]", description = "host:port of"
      + " the server (not needed with --protoset), and a fully qualified name: package.Service,"
      + " package.Service.Method, package.Message, ...")
  List<String> arguments = List.of();

  @Option(names = {"--msg-template", "-msg-template"}, description = "For a message (or a"
      + " method: its request),"
      + " print a JSON skeleton with every field, to fill in and pass to call -d.")
  boolean msgTemplate;

  @Override
  public Integer call() throws Exception {
    SchemaOptions.Target target = schemaOptions.target(arguments);
    String symbol = target.symbol();
    String text = schemaOptions.withServer(connectionOptions, target.address(), channel -> {
      Schema schema = schemaOptions.load(channel, connectionOptions, target.address(), symbol);
      if (symbol == null) {
        return schema.services().stream().map(ProtoSource::of)
            .collect(Collectors.joining("\n"));
      }
      GenericDescriptor found = Symbols.any(schema, symbol);
      if (!msgTemplate) {
        return source(found);
      }
      Descriptors.Descriptor type = found instanceof Descriptors.MethodDescriptor m
          ? m.getInputType() : found instanceof Descriptors.Descriptor d ? d : null;
      if (type == null) {
        throw new CliException(CliException.USAGE,
            "--msg-template needs a message or a method, and " + symbol + " is neither");
      }
      return JsonCodec.of(schema, true, false).print(JsonTemplate.of(type));
    });
    PrintWriter out = spec.commandLine().getOut();
    out.println(text);
    out.flush();
    return 0;
  }

  private static String source(GenericDescriptor descriptor) {
    if (descriptor instanceof Descriptors.ServiceDescriptor service) {
      return ProtoSource.of(service);
    }
    if (descriptor instanceof Descriptors.MethodDescriptor method) {
      return ProtoSource.of(method);
    }
    if (descriptor instanceof Descriptors.Descriptor message) {
      return ProtoSource.of(message);
    }
    return ProtoSource.of((Descriptors.EnumDescriptor) descriptor);
  }
}
