package io.protogate.cli;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.GenericDescriptor;
import io.grpc.ManagedChannel;
import io.protogate.descriptor.ProtoSource;
import io.protogate.descriptor.Schema;
import io.protogate.json.JsonCodec;
import io.protogate.json.JsonTemplate;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
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
    description = "Print a service, method, message or enum as proto source (every service when"
        + " SYMBOL is left out).")
final class DescribeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connectionOptions;
  @Mixin SchemaOptions schemaOptions;

  @Parameters(index = "0", paramLabel = "ADDRESS", description = "host:port of the server.")
  String address;

  @Parameters(index = "1", arity = "0..1", paramLabel = "SYMBOL", description = "Fully"
      + " qualified name: package.Service, package.Service.Method, package.Message, ...")
  String symbol;

  @Option(names = "--msg-template", description = "For a message (or a method: its request),"
      + " print a JSON skeleton with every field, to fill in and pass to call -d.")
  boolean msgTemplate;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ManagedChannel channel = connectionOptions.connection(address).open();
    try {
      Schema schema = schemaOptions.load(channel, connectionOptions, address, Duration.ofSeconds(30), symbol);
      if (symbol == null) {
        schema.services().forEach(s -> out.println(ProtoSource.of(s)));
      } else {
        GenericDescriptor found = Symbols.any(schema, symbol);
        if (msgTemplate) {
          Descriptors.Descriptor type = found instanceof Descriptors.MethodDescriptor m
              ? m.getInputType() : found instanceof Descriptors.Descriptor d ? d : null;
          if (type == null) {
            throw new CliException(CliException.USAGE,
                "--msg-template needs a message or a method, and " + symbol + " is neither");
          }
          out.println(JsonCodec.of(schema, true, false).print(JsonTemplate.of(type)));
        } else {
          out.println(source(found));
        }
      }
      out.flush();
      return 0;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
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
