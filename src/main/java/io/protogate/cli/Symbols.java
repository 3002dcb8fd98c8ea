package io.protogate.cli;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.GenericDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.protogate.descriptor.Schema;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Resolves the names users type, in every spelling grpcurl accepts ({@code pkg.Svc/Method},
 * {@code pkg.Svc.Method}, with or without a leading dot); a name that does not exist is a usage
 * error listing the names that do.
 */
final class Symbols {
  private Symbols() {}

  static Descriptors.MethodDescriptor method(Schema schema, String name) {
    String symbol = name.startsWith(".") ? name.substring(1) : name;
    int split = symbol.contains("/") ? symbol.lastIndexOf('/') : symbol.lastIndexOf('.');
    String serviceName = split < 0 ? symbol : symbol.substring(0, split);
    ServiceDescriptor service = service(schema, serviceName);
    String methodName = split < 0 ? "" : symbol.substring(split + 1);
    Descriptors.MethodDescriptor method = service.findMethodByName(methodName);
    if (method == null) {
      throw new CliException(CliException.USAGE, "service " + service.getFullName()
          + " has no method '" + methodName + "'; its methods: " + service.getMethods().stream()
          .map(Descriptors.MethodDescriptor::getName).collect(Collectors.joining(", ")));
    }
    return method;
  }

  static ServiceDescriptor service(Schema schema, String name) {
    String symbol = name.startsWith(".") ? name.substring(1) : name;
    return schema.findService(symbol).orElseThrow(() -> new CliException(CliException.USAGE,
        "no service '" + symbol + "'; " + where(schema) + " has: " + schema.services().stream()
            .map(ServiceDescriptor::getFullName).sorted().collect(Collectors.joining(", "))));
  }

  /** Where the names came from: the server's reflection, or the --protoset files named. */
  private static String where(Schema schema) {
    return schema.sources().stream().allMatch(s -> s.startsWith("reflection:"))
        ? "the server" : "--protoset " + String.join(", ", schema.sources());
  }

  /** A service, method, message or enum by full name. */
  static GenericDescriptor any(Schema schema, String name) {
    String symbol = name.startsWith(".") ? name.substring(1) : name;
    Optional<GenericDescriptor> found = schema.findService(symbol).map(GenericDescriptor.class::cast)
        .or(() -> schema.findMessage(symbol))
        .or(() -> schema.findEnum(symbol));
    if (found.isPresent()) {
      return found.get();
    }
    int split = Math.max(symbol.lastIndexOf('/'), symbol.lastIndexOf('.'));
    if (split > 0 && schema.findService(symbol.substring(0, split)).isPresent()) {
      return method(schema, symbol);
    }
    throw new CliException(CliException.USAGE, "no service, method, message or enum named '"
        + symbol + "'; " + where(schema) + " has the services: " + schema.services().stream()
        .map(ServiceDescriptor::getFullName).sorted().collect(Collectors.joining(", ")));
  }
}
