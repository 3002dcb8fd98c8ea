package io.protogate.breaking;

import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.Type;
import com.google.protobuf.Descriptors.OneofDescriptor;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The rules about one field present in both contracts under the same number: its type, cardinality,
 * oneof, default, name and JSON name. The compatibility groups are buf's, which follow the
 * protobuf language guide's "updating a message type" and JSON mapping sections.
 */
final class FieldChanges {
  private static final Map<Type, Integer> WIRE_GROUPS = groups(
      new Type[] {Type.INT32, Type.INT64, Type.UINT32, Type.UINT64, Type.BOOL},
      new Type[] {Type.SINT32, Type.SINT64},
      // string may become bytes (checked apart), not the other way: bytes need not be UTF-8.
      new Type[] {Type.STRING},
      new Type[] {Type.BYTES},
      new Type[] {Type.FIXED32, Type.SFIXED32},
      new Type[] {Type.FIXED64, Type.SFIXED64},
      new Type[] {Type.DOUBLE},
      new Type[] {Type.FLOAT},
      new Type[] {Type.GROUP},
      new Type[] {Type.MESSAGE},
      new Type[] {Type.ENUM});
  // Compatible both on the wire and in JSON: JSON writes 64-bit integers as strings, bools as
  // true/false, and parses a zigzag-encoded sint64 from a different range than an sint32.
  private static final Map<Type, Integer> WIRE_JSON_GROUPS = groups(
      new Type[] {Type.INT32, Type.UINT32},
      new Type[] {Type.INT64, Type.UINT64},
      new Type[] {Type.FIXED32, Type.SFIXED32},
      new Type[] {Type.FIXED64, Type.SFIXED64},
      new Type[] {Type.BOOL},
      new Type[] {Type.SINT32},
      new Type[] {Type.SINT64},
      new Type[] {Type.STRING},
      new Type[] {Type.BYTES},
      new Type[] {Type.DOUBLE},
      new Type[] {Type.FLOAT},
      new Type[] {Type.GROUP},
      new Type[] {Type.MESSAGE},
      new Type[] {Type.ENUM});

  private FieldChanges() {}

  private static Map<Type, Integer> groups(Type[]... groups) {
    Map<Type, Integer> byType = new EnumMap<>(Type.class);
    for (int i = 0; i < groups.length; i++) {
      for (Type type : groups[i]) {
        byType.put(type, i);
      }
    }
    return byType;
  }

  /** {@code shop.v1.Item.name (field 2)}, or for an extension, which message it extends. */
  static String subject(FieldDescriptor field) {
    return field.getFullName() + (field.isExtension()
        ? " (extension " + field.getNumber() + " of " + field.getContainingType().getFullName()
            + ")"
        : " (field " + field.getNumber() + ")");
  }

  static void compare(Report report, FieldDescriptor old, FieldDescriptor now) {
    String subject = subject(old);
    type(report, old, now, subject);
    cardinality(report, old, now, subject);
    oneof(report, old, now, subject);
    FieldDefaults.compare(report, old, now, subject);
    if (!report.json()) {
      return;
    }
    String oldName = old.isExtension() ? old.getFullName() : old.getName();
    String newName = now.isExtension() ? now.getFullName() : now.getName();
    if (!oldName.equals(newName)) {
      report.add("FIELD_SAME_NAME", now, subject,
          "renamed to " + newName + "; JSON callers send \"" + oldName + "\"");
    }
    if (!old.isExtension() && !old.getJsonName().equals(now.getJsonName())) {
      report.add("FIELD_SAME_JSON_NAME", now, subject, "JSON name changed from \""
          + old.getJsonName() + "\" to \"" + now.getJsonName() + "\"; JSON callers send \""
          + old.getJsonName() + "\"");
    }
  }

  private static void type(Report report, FieldDescriptor old, FieldDescriptor now,
      String subject) {
    Map<Type, Integer> groups = report.json() ? WIRE_JSON_GROUPS : WIRE_GROUPS;
    String rule = report.json() ? "FIELD_WIRE_JSON_COMPATIBLE_TYPE" : "FIELD_WIRE_COMPATIBLE_TYPE";
    Type was = old.getType();
    Type is = now.getType();
    if (!groups.get(was).equals(groups.get(is))) {
      if (!report.json() && was == Type.STRING && is == Type.BYTES) {
        return;
      }
      String why;
      if (WIRE_GROUPS.get(was).equals(WIRE_GROUPS.get(is))
          || was == Type.STRING && is == Type.BYTES) {
        why = "binary callers are unaffected, JSON callers are not" + jsonDifference(was, is);
      } else if (was == Type.BYTES && is == Type.STRING) {
        why = "callers' bytes that are not UTF-8 no longer parse";
      } else {
        why = "callers on the old contract send data the new one misreads";
      }
      report.add(rule, now, subject,
          "type changed from " + typeName(old) + " to " + typeName(now) + "; " + why);
      return;
    }
    if (is == Type.ENUM) {
      EnumDescriptor wasEnum = old.getEnumType();
      EnumDescriptor isEnum = now.getEnumType();
      if (!wasEnum.getFullName().equals(isEnum.getFullName())
          && (!wasEnum.getName().equals(isEnum.getName()) || !hasEveryValue(isEnum, wasEnum))) {
        report.add(rule, now, subject, "type changed from " + typeName(old) + " to "
            + typeName(now) + ", which does not have the same values");
      }
    } else if ((is == Type.MESSAGE || is == Type.GROUP)
        && !old.getMessageType().getFullName().equals(now.getMessageType().getFullName())) {
      report.add(rule, now, subject,
          "type changed from " + typeName(old) + " to " + typeName(now));
    }
  }

  private static String jsonDifference(Type was, Type is) {
    if (is64Bit(was) != is64Bit(is)) {
      return " (JSON writes 64-bit integers as strings)";
    }
    if (was == Type.BOOL || is == Type.BOOL) {
      return " (JSON writes bool as true or false)";
    }
    if (was == Type.BYTES || is == Type.BYTES) {
      return " (JSON writes bytes as base64)";
    }
    return "";
  }

  private static boolean is64Bit(Type type) {
    return switch (type) {
      case INT64, UINT64, SINT64, FIXED64, SFIXED64 -> true;
      default -> false;
    };
  }

  /** Whether every value of {@code subset}, by name and number, is in {@code superset}. */
  private static boolean hasEveryValue(EnumDescriptor superset, EnumDescriptor subset) {
    for (EnumValueDescriptor value : subset.getValues()) {
      EnumValueDescriptor same = superset.findValueByName(value.getName());
      if (same == null || same.getNumber() != value.getNumber()) {
        return false;
      }
    }
    return true;
  }

  static String typeName(FieldDescriptor field) {
    return switch (field.getType()) {
      case MESSAGE -> field.getMessageType().getFullName();
      case ENUM -> "enum " + field.getEnumType().getFullName();
      case GROUP -> (syntax(field).equals("proto2") ? "group " : "delimited-encoded message ")
          + field.getMessageType().getFullName();
      default -> field.getType().name().toLowerCase(Locale.ROOT);
    };
  }

  private static String syntax(FieldDescriptor field) {
    String syntax = field.getFile().toProto().getSyntax();
    return syntax.isEmpty() ? "proto2" : syntax;
  }

  private enum Cardinality {
    EXPLICIT("optional with explicit presence"),
    IMPLICIT("optional with implicit presence"),
    REQUIRED("required"),
    REPEATED("repeated"),
    MAP("map");

    final String text;

    Cardinality(String text) {
      this.text = text;
    }

    static Cardinality of(FieldDescriptor field) {
      if (field.isMapField()) {
        return MAP;
      } else if (field.isRepeated()) {
        return REPEATED;
      } else if (field.isRequired()) {
        return REQUIRED;
      }
      return field.hasPresence() ? EXPLICIT : IMPLICIT;
    }

    /** Presence does not change the encoding; maps and lists share it, but not their JSON. */
    int group(boolean json) {
      return switch (this) {
        case EXPLICIT, IMPLICIT -> 0;
        case REQUIRED -> 1;
        case REPEATED -> 2;
        case MAP -> json ? 3 : 2;
      };
    }
  }

  private static void cardinality(Report report, FieldDescriptor old, FieldDescriptor now,
      String subject) {
    if (!old.isExtension() && old.getContainingType().getOptions().getMapEntry()
        && now.getContainingType().getOptions().getMapEntry()) {
      return; // key and value of a map: generated by protoc, their presence means nothing
    }
    Cardinality was = Cardinality.of(old);
    Cardinality is = Cardinality.of(now);
    if (was.group(report.json()) != is.group(report.json())) {
      String why = was == Cardinality.REQUIRED || is == Cardinality.REQUIRED
          ? "a message without a required field does not parse"
          : was.group(false) == is.group(false)
              ? "binary callers are unaffected, but JSON writes a map as an object and a list as"
                  + " an array"
              : "callers on the old contract send data the new one misreads";
      report.add(report.json() ? "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY"
              : "FIELD_WIRE_COMPATIBLE_CARDINALITY", now, subject,
          "changed from " + was.text + " to " + is.text + "; " + why);
    }
  }

  private static void oneof(Report report, FieldDescriptor old, FieldDescriptor now,
      String subject) {
    if (old.isExtension()) {
      return;
    }
    // Synthetic oneofs (proto3 "optional") are presence, not membership.
    OneofDescriptor was = old.getRealContainingOneof();
    OneofDescriptor is = now.getRealContainingOneof();
    String change;
    if (was == null && is == null || was != null && is != null
        && was.getName().equals(is.getName())) {
      return;
    } else if (was == null) {
      change = "moved into oneof " + is.getName() + "; setting another member now clears it";
    } else if (is == null) {
      change = "moved out of oneof " + was.getName() + "; old callers clear it when they set"
          + " another member";
    } else {
      change = "moved from oneof " + was.getName() + " to oneof " + is.getName()
          + "; setting a member of either now clears different fields";
    }
    report.add("FIELD_SAME_ONEOF", now, subject, change);
  }
}
