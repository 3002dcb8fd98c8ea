package io.protogate.descriptor;

import com.google.api.AnnotationsProto;
import com.google.protobuf.AnyProto;
import com.google.protobuf.ApiProto;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.Edition;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
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
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

  /**
   * Links files depth-first, each once, so shared imports are never rebuilt per importer. The
   * walk keeps its own stack: an import chain thousands of files deep must not exhaust the
   * thread's.
   */
  private static final class Linker {
    private final Map<String, Origin> protos;
    private final Map<String, FileDescriptor> linked = new HashMap<>();

    Linker(Map<String, Origin> protos) {
      this.protos = protos;
    }

    /**
     * A well-known file the sets left out joins the schema like any other, so its types can be
     * looked up and a set that redefines one of its symbols is caught. (Recursive: their imports
     * are two deep at most.)
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

    /** Links {@code root} after everything it imports, appending each file linked to out. */
    void link(String root, List<FileDescriptor> out) {
      if (linked.containsKey(root)) {
        return;
      }
      // The files being linked, root last, each with the imports still to visit.
      Deque<String> path = new ArrayDeque<>();
      Deque<Iterator<String>> imports = new ArrayDeque<>();
      Set<String> onPath = new HashSet<>();
      path.push(root);
      imports.push(protos.get(root).proto.getDependencyList().iterator());
      onPath.add(root);
      while (!path.isEmpty()) {
        String name = path.peek();
        Iterator<String> pending = imports.peek();
        if (!pending.hasNext()) {
          build(name, out);
          path.pop();
          imports.pop();
          onPath.remove(name);
          continue;
        }
        String dependency = pending.next();
        if (linked.containsKey(dependency)) {
          continue;
        }
        Origin origin = protos.get(name);
        if (onPath.contains(dependency)) {
          throw new SchemaException(
              origin.source,
              "import cycle: " + String.join(" -> ", (Iterable<String>) path::descendingIterator)
                  + " -> " + dependency);
        }
        if (protos.containsKey(dependency)) {
          path.push(dependency);
          imports.push(protos.get(dependency).proto.getDependencyList().iterator());
          onPath.add(dependency);
        } else if (wellKnown(dependency) != null) {
          linkWellKnown(wellKnown(dependency), out);
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
    }

    /** Builds {@code name}, whose imports are all linked. */
    private void build(String name, List<FileDescriptor> out) {
      Origin origin = protos.get(name);
      checkSyntax(origin);
      checkFieldTypes(origin);
      FileDescriptor[] dependencies = origin.proto.getDependencyList().stream()
          .map(linked::get)
          .toArray(FileDescriptor[]::new);
      FileDescriptor file;
      try {
        file = FileDescriptor.buildFrom(origin.proto, dependencies);
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
      } catch (RuntimeException e) {
        // protobuf-java trusts what protoc writes; a damaged set can make it throw anything
        // (IllegalArgumentException, NullPointerException, ...). Whatever it is, it is this file's.
        throw new SchemaException(
            origin.source,
            "file '" + name + "' cannot be loaded: " + describe(e) + "; is the set damaged?"
                + " Make it again with protoc",
            e);
      }
      linked.put(name, file);
      out.add(file);
    }
  }

  private static String describe(RuntimeException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /**
   * A field type number that protobuf does not know is kept as an unknown field, leaving the field
   * with no type, which protobuf-java fails on with a bare NullPointerException.
   */
  private static void checkFieldTypes(Origin origin) {
    FileDescriptorProto proto = origin.proto;
    String prefix = proto.getPackage().isEmpty() ? "" : proto.getPackage() + ".";
    Deque<Map.Entry<String, DescriptorProto>> messages = new ArrayDeque<>();
    proto.getMessageTypeList().forEach(m -> messages.push(Map.entry(prefix + m.getName(), m)));
    List<Map.Entry<String, FieldDescriptorProto>> fields = new ArrayList<>();
    proto.getExtensionList().forEach(f -> fields.add(Map.entry(prefix + f.getName(), f)));
    while (!messages.isEmpty()) {
      Map.Entry<String, DescriptorProto> message = messages.pop();
      String scope = message.getKey() + ".";
      message.getValue().getFieldList().forEach(f -> fields.add(Map.entry(scope + f.getName(), f)));
      message.getValue().getExtensionList()
          .forEach(f -> fields.add(Map.entry(scope + f.getName(), f)));
      message.getValue().getNestedTypeList()
          .forEach(m -> messages.push(Map.entry(scope + m.getName(), m)));
    }
    for (Map.Entry<String, FieldDescriptorProto> field : fields) {
      if (!field.getValue().hasType() && !field.getValue().hasTypeName()) {
        throw new SchemaException(origin.source, "file '" + proto.getName() + "': field '"
            + field.getKey() + "' has no type, or a type number that protobuf does not know;"
            + " is the set damaged? Make it again with protoc");
      }
    }
  }

  /**
   * protobuf-java accepts any syntax string and any edition it can resolve features for, including
   * test-only and unstable ones; a file declaring one would then be served with guessed rules.
   */
  private static void checkSyntax(Origin origin) {
    FileDescriptorProto proto = origin.proto;
    String syntax = proto.getSyntax();
    switch (syntax) {
      case "", "proto2", "proto3" -> { }
      case "editions" -> {
        Edition edition = proto.getEdition();
        boolean released = proto.hasEdition()
            && edition.getNumber() >= Edition.EDITION_2023.getNumber()
            && edition != Edition.EDITION_UNSTABLE
            && edition != Edition.EDITION_MAX
            && !edition.name().endsWith("_TEST_ONLY");
        if (!released) {
          throw new SchemaException(origin.source, "file '" + proto.getName() + "' declares "
              + (proto.hasEdition() ? "edition " + edition.getNumber() + " (" + edition + ")"
                  : "syntax 'editions' but no edition Protogate knows")
              + ", which Protogate does not support; use edition 2023 or 2024, proto3 or proto2");
        }
      }
      default -> throw new SchemaException(origin.source, "file '" + proto.getName()
          + "' declares syntax '" + syntax + "', which does not exist; use proto2, proto3 or"
          + " editions");
    }
  }
}
