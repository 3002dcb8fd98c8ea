package io.protogate.client;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Declares the imports a reflected file uses but does not declare. Some servers build the files
 * they describe from their own model rather than from what protoc wrote (Node's
 * {@code @grpc/reflection} merges the files of a package into one and sends the files a type
 * refers to beside it, with no {@code dependency} naming them), and protobuf-java refuses a file
 * that refers to a type outside its declared imports. Each reference is resolved by protobuf's
 * scoping rules among the files fetched; a type found nowhere is asked of the server once.
 */
final class ImpliedImports {
  private ImpliedImports() {}

  /**
   * Adds to each file of {@code files} (by name, changed in place) the imports it needs; {@code
   * fetch} asks the server for the file defining a full name, adding it to {@code files}, and says
   * whether it could.
   */
  static void declare(Map<String, FileDescriptorProto> files, Predicate<String> fetch) {
    Set<String> asked = new HashSet<>();
    boolean fetchedMore = true;
    while (fetchedMore) {
      fetchedMore = false;
      Map<String, String> definedIn = definitions(files.values());
      for (FileDescriptorProto file : List.copyOf(files.values())) {
        Set<String> imports = new LinkedHashSet<>(file.getDependencyList());
        for (Reference reference : references(file)) {
          String fileName = resolve(reference, definedIn);
          if (fileName == null) {
            String wanted = reference.name().startsWith(".")
                ? reference.name().substring(1) : reference.name();
            fetchedMore |= asked.add(wanted) && fetch.test(wanted);
          } else if (!fileName.equals(file.getName())) {
            imports.add(fileName);
          }
        }
        if (imports.size() > file.getDependencyCount()) {
          files.put(file.getName(),
              file.toBuilder().clearDependency().addAllDependency(imports).build());
        }
      }
    }
  }

  /** A type name as a file writes it, and the scope it is written in. */
  private record Reference(String name, String scope) {}

  private static Map<String, String> definitions(Iterable<FileDescriptorProto> files) {
    Map<String, String> definedIn = new HashMap<>();
    for (FileDescriptorProto file : files) {
      String prefix = file.getPackage().isEmpty() ? "" : file.getPackage() + ".";
      for (DescriptorProto message : file.getMessageTypeList()) {
        defineMessage(prefix + message.getName(), message, file.getName(), definedIn);
      }
      for (EnumDescriptorProto enumType : file.getEnumTypeList()) {
        definedIn.putIfAbsent(prefix + enumType.getName(), file.getName());
      }
    }
    return definedIn;
  }

  private static void defineMessage(
      String fullName, DescriptorProto message, String fileName, Map<String, String> definedIn) {
    definedIn.putIfAbsent(fullName, fileName);
    for (DescriptorProto nested : message.getNestedTypeList()) {
      defineMessage(fullName + "." + nested.getName(), nested, fileName, definedIn);
    }
    for (EnumDescriptorProto nested : message.getEnumTypeList()) {
      definedIn.putIfAbsent(fullName + "." + nested.getName(), fileName);
    }
  }

  private static List<Reference> references(FileDescriptorProto file) {
    List<Reference> references = new ArrayList<>();
    String pkg = file.getPackage();
    for (DescriptorProto message : file.getMessageTypeList()) {
      messageReferences(pkg.isEmpty() ? message.getName() : pkg + "." + message.getName(),
          message, references);
    }
    for (FieldDescriptorProto extension : file.getExtensionList()) {
      fieldReferences(extension, pkg, references);
    }
    for (ServiceDescriptorProto service : file.getServiceList()) {
      for (MethodDescriptorProto method : service.getMethodList()) {
        references.add(new Reference(method.getInputType(), pkg));
        references.add(new Reference(method.getOutputType(), pkg));
      }
    }
    return references;
  }

  private static void messageReferences(
      String fullName, DescriptorProto message, List<Reference> references) {
    for (FieldDescriptorProto field : message.getFieldList()) {
      fieldReferences(field, fullName, references);
    }
    for (FieldDescriptorProto extension : message.getExtensionList()) {
      fieldReferences(extension, fullName, references);
    }
    for (DescriptorProto nested : message.getNestedTypeList()) {
      messageReferences(fullName + "." + nested.getName(), nested, references);
    }
  }

  private static void fieldReferences(
      FieldDescriptorProto field, String scope, List<Reference> references) {
    if (!field.getTypeName().isEmpty()) {
      references.add(new Reference(field.getTypeName(), scope));
    }
    if (!field.getExtendee().isEmpty()) {
      references.add(new Reference(field.getExtendee(), scope));
    }
  }

  /** The file defining {@code reference}, searched from its scope outwards as protoc does. */
  private static String resolve(Reference reference, Map<String, String> definedIn) {
    String name = reference.name();
    if (name.startsWith(".")) {
      return definedIn.get(name.substring(1));
    }
    String scope = reference.scope();
    while (true) {
      String found = definedIn.get(scope.isEmpty() ? name : scope + "." + name);
      if (found != null || scope.isEmpty()) {
        return found;
      }
      int dot = scope.lastIndexOf('.');
      scope = dot < 0 ? "" : scope.substring(0, dot);
    }
  }
}
