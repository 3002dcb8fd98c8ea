package io.protogate.descriptor;

import com.google.api.AnnotationsProto;
import com.google.protobuf.AnyProto;
import com.google.protobuf.ApiProto;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.SourceContextProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.TypeProto;
import com.google.protobuf.WrappersProto;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns descriptor sets into a {@link Schema}. Files may come in any order, within a set and
 * across sets; each is linked once, after its imports. Well-known types resolve from the copies
 * compiled into protobuf-java when a set leaves them out. Every problem is a {@link
 * SchemaException} naming the set and the proto file, so a bad set stops loading at once rather
 * than surfacing later as a missing method.
 */
public final class SchemaLoader {
  /**
   * The well-known files compiled into protobuf-java, for sets made without {@code
   * --include_imports}. Looked up by name, not held in a table, so that a schema which imports none
   * of them never initializes their (large, in the case of descriptor.proto) descriptors: that
   * alone is a tenth of a one-shot call's start-up.
   */
  private static FileDescriptor wellKnown(String name) {
    return switch (name) {
      case "google/protobuf/any.proto" -> AnyProto.getDescriptor();
      case "google/protobuf/api.proto" -> ApiProto.getDescriptor();
      case "google/protobuf/descriptor.proto" -> DescriptorProtos.getDescriptor();
      case "google/protobuf/duration.proto" -> DurationProto.getDescriptor();
      case "google/protobuf/empty.proto" -> EmptyProto.getDescriptor();
      case "google/protobuf/field_mask.proto" -> FieldMaskProto.getDescriptor();
      case "google/protobuf/source_context.proto" -> SourceContextProto.getDescriptor();
      case "google/protobuf/struct.proto" -> StructProto.getDescriptor();
      case "google/protobuf/timestamp.proto" -> TimestampProto.getDescriptor();
      case "google/protobuf/type.proto" -> TypeProto.getDescriptor();
      case "google/protobuf/wrappers.proto" -> WrappersProto.getDescriptor();
      default -> null;
    };
  }

  /**
   * The options the gateway reads from a loaded contract. Without them in the registry a method's
   * {@code google.api.http} rule stays an unknown field of its options and HTTP/JSON routes
   * cannot be built from it.
   */
  private static final ExtensionRegistry OPTIONS = optionExtensions();

  private static ExtensionRegistry optionExtensions() {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    registry.add(AnnotationsProto.http);
    return registry.getUnmodifiable();
  }

  private SchemaLoader() {}

  /** Loads every descriptor set at the given files or directories. */
  public static Schema load(List<Path> paths) {
    return fromSources(paths.stream().flatMap(p -> DescriptorSource.fromPath(p).stream()).toList());
  }

  /** Loads the given descriptor sets as one schema. */
  public static Schema fromSources(List<DescriptorSource> sources) {
    Map<String, Origin> protos = new LinkedHashMap<>();
    for (DescriptorSource source : sources) {
      for (FileDescriptorProto proto : parseSet(source).getFileList()) {
        Origin previous = protos.putIfAbsent(proto.getName(), new Origin(proto, source.name()));
        if (previous != null && !previous.proto.equals(proto)) {
          throw new SchemaException(
              source.name(),
              "file '"
                  + proto.getName()
                  + "' differs from the file of the same name in "
                  + previous.source
                  + "; two contracts cannot both define it: rename one or load only one");
        }
      }
    }
    Linker linker = new Linker(protos);
    List<FileDescriptor> files = new ArrayList<>();
    for (String name : protos.keySet()) {
      linker.link(name, files);
    }
    checkUniqueSymbols(files, protos);
    return new Schema(files, sources.stream().map(DescriptorSource::name).toList());
  }

  private static FileDescriptorSet parseSet(DescriptorSource source) {
    if (source.bytes().length == 0) {
      throw new SchemaException(source.name(), "empty file, not a descriptor set" + HOW_TO_MAKE);
    }
    FileDescriptorSet set;
    try {
      set = FileDescriptorSet.parseFrom(source.bytes(), OPTIONS);
    } catch (InvalidProtocolBufferException e) {
      throw new SchemaException(
          source.name(), "not a descriptor set (" + e.getMessage() + ")" + HOW_TO_MAKE, e);
    }
    // Text such as a .proto source often parses as a few unknown fields: refuse anything that is
    // not made only of FileDescriptorProtos with names.
    boolean wellFormed =
        set.getFileCount() > 0
            && set.getUnknownFields().asMap().isEmpty()
            && set.getFileList().stream().allMatch(f -> !f.getName().isEmpty());
    if (!wellFormed) {
      throw new SchemaException(source.name(), "not a descriptor set" + HOW_TO_MAKE);
    }
    return set;
  }

  private static final String HOW_TO_MAKE =
      "; make one with: protoc --descriptor_set_out=FILE.desc --include_imports FILE.proto";

  private static void checkUniqueSymbols(List<FileDescriptor> files, Map<String, Origin> protos) {
    Map<String, FileDescriptor> owners = new HashMap<>();
    for (FileDescriptor file : files) {
      List<String> symbols = new ArrayList<>();
      file.getServices().forEach(s -> symbols.add(s.getFullName()));
      file.getEnumTypes().forEach(e -> symbols.add(e.getFullName()));
      file.getExtensions().forEach(e -> symbols.add(e.getFullName()));
      Deque<Descriptor> messages = new ArrayDeque<>(file.getMessageTypes());
      while (!messages.isEmpty()) {
        Descriptor message = messages.pop();
        symbols.add(message.getFullName());
        message.getEnumTypes().forEach(e -> symbols.add(e.getFullName()));
        messages.addAll(message.getNestedTypes());
      }
      for (String symbol : symbols) {
        FileDescriptor owner = owners.putIfAbsent(symbol, file);
        if (owner != null) {
          throw new SchemaException(
              sourceOf(file, protos),
              "symbol '"
                  + symbol
                  + "' is defined in both '"
                  + owner.getName()
                  + "' (from "
                  + sourceOf(owner, protos)
                  + ") and '"
                  + file.getName()
                  + "'; give one of them another package or name");
        }
      }
    }
  }

  private static String sourceOf(FileDescriptor file, Map<String, Origin> protos) {
    Origin origin = protos.get(file.getName());
    return origin == null ? "protobuf-java's well-known types" : origin.source;
  }

  private record Origin(FileDescriptorProto proto, String source) {}

  /** Links files depth-first, each once, so shared imports are never rebuilt per importer. */
  private static final class Linker {
    private final Map<String, Origin> protos;
    private final Map<String, FileDescriptor> linked = new HashMap<>();
    private final Deque<String> inProgress = new ArrayDeque<>();

    Linker(Map<String, Origin> protos) {
      this.protos = protos;
    }

    /**
     * A well-known file the sets left out joins the schema like any other, so its types can be
     * looked up and a set that redefines one of its symbols is caught.
     */
    private FileDescriptor linkWellKnown(FileDescriptor file, List<FileDescriptor> out) {
      if (linked.putIfAbsent(file.getName(), file) == null) {
        for (FileDescriptor dependency : file.getDependencies()) {
          linkWellKnown(dependency, out);
        }
        out.add(file);
      }
      return file;
    }

    FileDescriptor link(String name, List<FileDescriptor> out) {
      FileDescriptor done = linked.get(name);
      if (done != null) {
        return done;
      }
      Origin origin = protos.get(name);
      if (inProgress.contains(name)) {
        throw new SchemaException(
            origin.source,
            "import cycle: " + String.join(" -> ", (Iterable<String>) inProgress::descendingIterator)
                + " -> " + name);
      }
      inProgress.push(name);
      List<FileDescriptor> dependencies = new ArrayList<>();
      for (String dependency : origin.proto.getDependencyList()) {
        if (protos.containsKey(dependency)) {
          dependencies.add(link(dependency, out));
        } else if (wellKnown(dependency) != null) {
          dependencies.add(linkWellKnown(wellKnown(dependency), out));
        } else {
          throw new SchemaException(
              origin.source,
              "file '"
                  + name
                  + "' imports '"
                  + dependency
                  + "', which is in no loaded descriptor set; rebuild the set with protoc"
                  + " --include_imports, or also load the set that holds it");
        }
      }
      inProgress.pop();
      FileDescriptor file;
      try {
        file = FileDescriptor.buildFrom(origin.proto, dependencies.toArray(FileDescriptor[]::new));
      } catch (DescriptorValidationException e) {
        throw new SchemaException(
            origin.source,
            "file '"
                + name
                + "' is invalid at '"
                + e.getProblemSymbolName()
                + "': "
                + e.getDescription(),
            e);
      } catch (IllegalArgumentException e) {
        throw new SchemaException(
            origin.source, "file '" + name + "' cannot be loaded: " + e.getMessage(), e);
      }
      linked.put(name, file);
      out.add(file);
      return file;
    }
  }
}
