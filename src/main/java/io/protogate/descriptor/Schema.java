package io.protogate.descriptor;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import io.grpc.MethodDescriptor.MethodType;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable, fully linked view of every proto file loaded from one or more descriptor sets:
 * files in dependency order, an index of services, methods, messages and enums by full name, and
 * one {@link TypeRegistry} over every message so that JSON with {@code Any} works. Made by {@link
 * SchemaLoader}; safe to share between threads.
 */
public final class Schema {
  private final List<FileDescriptor> files;
  private final List<String> sources;
  private final Map<String, ServiceDescriptor> services;
  private final Map<String, MethodDescriptor> methods;
  private final Map<String, Descriptor> messages;
  private final Map<String, EnumDescriptor> enums;
  private final TypeRegistry typeRegistry;
  private final String version;

  Schema(List<FileDescriptor> files, List<String> sources) {
    this.files = List.copyOf(files);
    this.sources = List.copyOf(sources);
    Map<String, ServiceDescriptor> services = new LinkedHashMap<>();
    Map<String, MethodDescriptor> methods = new LinkedHashMap<>();
    Map<String, Descriptor> messages = new LinkedHashMap<>();
    Map<String, EnumDescriptor> enums = new LinkedHashMap<>();
    TypeRegistry.Builder registry = TypeRegistry.newBuilder();
    for (FileDescriptor file : files) {
      for (ServiceDescriptor service : file.getServices()) {
        services.put(service.getFullName(), service);
        for (MethodDescriptor method : service.getMethods()) {
          methods.put(fullMethodName(method), method);
        }
      }
      file.getMessageTypes().forEach(message -> indexMessage(message, messages, enums));
      file.getEnumTypes().forEach(e -> enums.put(e.getFullName(), e));
      registry.add(file.getMessageTypes());
    }
    this.services = Map.copyOf(services);
    this.methods = Map.copyOf(methods);
    this.messages = Map.copyOf(messages);
    this.enums = Map.copyOf(enums);
    this.typeRegistry = registry.build();
    this.version = version(files);
  }

  private static String version(List<FileDescriptor> files) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    for (FileDescriptor file : files) {
      digest.update(file.toProto().toByteArray());
    }
    return HexFormat.of().formatHex(digest.digest(), 0, 6);
  }

  /**
   * A short hash of every file served, in link order: equal schemas have equal versions, so a
   * client can tell which contract answered, and a reload of unchanged files is no swap.
   */
  public String version() {
    return version;
  }

  private static void indexMessage(
      Descriptor message, Map<String, Descriptor> messages, Map<String, EnumDescriptor> enums) {
    messages.put(message.getFullName(), message);
    message.getEnumTypes().forEach(e -> enums.put(e.getFullName(), e));
    message.getNestedTypes().forEach(nested -> indexMessage(nested, messages, enums));
  }

  /** The gRPC full method name, {@code package.Service/Method}, as used on the wire. */
  public static String fullMethodName(MethodDescriptor method) {
    return method.getService().getFullName() + "/" + method.getName();
  }

  /** The gRPC call type of {@code method}, from its streaming flags. */
  public static MethodType methodType(MethodDescriptor method) {
    if (method.isClientStreaming()) {
      return method.isServerStreaming() ? MethodType.BIDI_STREAMING : MethodType.CLIENT_STREAMING;
    }
    return method.isServerStreaming() ? MethodType.SERVER_STREAMING : MethodType.UNARY;
  }

  /** Every loaded file, each after the files it imports. */
  public List<FileDescriptor> files() {
    return files;
  }

  /** The names of the descriptor sets this schema was loaded from, in load order. */
  public List<String> sources() {
    return sources;
  }

  /** Every service, in file order. */
  public List<ServiceDescriptor> services() {
    return files.stream().flatMap(f -> f.getServices().stream()).toList();
  }

  public Optional<ServiceDescriptor> findService(String fullName) {
    return Optional.ofNullable(services.get(fullName));
  }

  /** Looks a method up by its gRPC full name, {@code package.Service/Method}. */
  public Optional<MethodDescriptor> findMethod(String fullMethodName) {
    return Optional.ofNullable(methods.get(fullMethodName));
  }

  public Optional<Descriptor> findMessage(String fullName) {
    return Optional.ofNullable(messages.get(fullName));
  }

  public Optional<EnumDescriptor> findEnum(String fullName) {
    return Optional.ofNullable(enums.get(fullName));
  }

  /** A registry of every message type, for {@code JsonFormat} to resolve {@code Any}. */
  public TypeRegistry typeRegistry() {
    return typeRegistry;
  }

  @Override
  public String toString() {
    return "Schema" + services.keySet() + " from " + sources;
  }
}
