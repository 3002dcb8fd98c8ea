package io.protogate.reload;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.protogate.descriptor.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The changes from one contract to the next that break callers built against the old one: a
 * method removed, its call type or message types changed, a field number reused with another
 * type or cardinality. Additions and removed fields are not breaking on the wire and are not
 * listed.
 */
final class BreakingChanges {
  private BreakingChanges() {}

  static List<String> between(Schema old, Schema next) {
    List<String> changes = new ArrayList<>();
    for (ServiceDescriptor service : old.services()) {
      for (MethodDescriptor method : service.getMethods()) {
        String name = Schema.fullMethodName(method);
        Optional<MethodDescriptor> now = next.findMethod(name);
        if (now.isEmpty()) {
          changes.add("method " + name + " removed");
        } else if (Schema.methodType(now.get()) != Schema.methodType(method)) {
          changes.add("method " + name + " changed from " + Schema.methodType(method) + " to "
              + Schema.methodType(now.get()));
        } else if (!sameTypes(method, now.get())) {
          changes.add("method " + name + " now takes " + now.get().getInputType().getFullName()
              + " and returns " + now.get().getOutputType().getFullName());
        }
      }
    }
    for (Descriptor message : messages(old)) {
      next.findMessage(message.getFullName()).ifPresent(now -> {
        for (FieldDescriptor field : message.getFields()) {
          FieldDescriptor reused = now.findFieldByNumber(field.getNumber());
          if (reused != null && !sameWireShape(field, reused)) {
            changes.add("field number " + field.getNumber() + " of " + message.getFullName()
                + " was " + shape(field) + " '" + field.getName() + "', now " + shape(reused)
                + " '" + reused.getName() + "'");
          }
        }
      });
    }
    return changes;
  }

  private static List<Descriptor> messages(Schema schema) {
    List<Descriptor> all = new ArrayList<>();
    schema.files().forEach(file -> file.getMessageTypes().forEach(m -> collect(m, all)));
    return all;
  }

  private static void collect(Descriptor message, List<Descriptor> all) {
    all.add(message);
    message.getNestedTypes().forEach(nested -> collect(nested, all));
  }

  private static boolean sameTypes(MethodDescriptor a, MethodDescriptor b) {
    return a.getInputType().getFullName().equals(b.getInputType().getFullName())
        && a.getOutputType().getFullName().equals(b.getOutputType().getFullName());
  }

  private static boolean sameWireShape(FieldDescriptor a, FieldDescriptor b) {
    return shape(a).equals(shape(b));
  }

  private static String shape(FieldDescriptor field) {
    String type = switch (field.getJavaType()) {
      case MESSAGE -> field.getMessageType().getFullName();
      case ENUM -> field.getEnumType().getFullName();
      default -> field.getType().name().toLowerCase(Locale.ROOT);
    };
    return (field.isRepeated() ? "repeated " : "") + type;
  }
}
