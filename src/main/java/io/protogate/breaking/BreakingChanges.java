package io.protogate.breaking;

import com.google.protobuf.DescriptorProtos.DescriptorProto.ReservedRange;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto.EnumReservedRange;
import com.google.protobuf.DescriptorProtos.FeatureSet;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FeatureSet.JsonFormat;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.GenericDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.protogate.descriptor.Schema;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What in a new contract breaks callers built against an old one. Covers every rule of buf's
 * {@code WIRE} and {@code WIRE_JSON} categories, with buf's rule IDs and pairing (files by path,
 * messages, enums and services by full name, fields and enum values by number, methods by name),
 * and adds the rule a running server needs on top: a service or method that disappears breaks its
 * callers ({@code SERVICE_NO_DELETE}, {@code RPC_NO_DELETE}).
 */
public final class BreakingChanges {
  private static final int MAX_FIELD_NUMBER = 536_870_911;
  private static final int MAX_ENUM_NUMBER = Integer.MAX_VALUE;

  private final Report report;

  private BreakingChanges(RuleSet rules) {
    this.report = new Report(rules);
  }

  /** Every change from {@code previous} to {@code next} that breaks callers under {@code rules}. */
  public static List<Finding> between(Schema previous, Schema next, RuleSet rules) {
    BreakingChanges check = new BreakingChanges(rules);
    check.compare(previous, next);
    return check.report.findings();
  }

  private void compare(Schema previous, Schema next) {
    pairs(previous.files(), next.files(), FileDescriptor::getName, this::file);
    pairs(messages(previous), messages(next), Descriptor::getFullName, this::message);
    pairs(enums(previous), enums(next), EnumDescriptor::getFullName, this::enumType);
    pairs(extensions(previous), extensions(next), BreakingChanges::extensionKey,
        (old, now) -> FieldChanges.compare(report, old, now));
    Map<String, ServiceDescriptor> services = byKey(next.services(),
        ServiceDescriptor::getFullName);
    for (ServiceDescriptor old : previous.services()) {
      ServiceDescriptor now = services.get(old.getFullName());
      if (now == null) {
        report.addGone("SERVICE_NO_DELETE", old.getFile(), old.getFullName(),
            "service removed; every caller of its methods now gets UNIMPLEMENTED");
      } else {
        service(old, now);
      }
    }
  }

  private static <T> void pairs(List<T> previous, List<T> next, Function<T, String> key,
      BiConsumer<T, T> compare) {
    Map<String, T> now = byKey(next, key);
    for (T old : previous) {
      T same = now.get(key.apply(old));
      if (same != null) {
        compare.accept(old, same);
      }
    }
  }

  private static <T> Map<String, T> byKey(List<T> items, Function<T, String> key) {
    Map<String, T> byKey = new LinkedHashMap<>();
    items.forEach(item -> byKey.putIfAbsent(key.apply(item), item));
    return byKey;
  }

  private void file(FileDescriptor old, FileDescriptor now) {
    if (!old.getPackage().equals(now.getPackage())) {
      report.addAtPackage("FILE_SAME_PACKAGE", now, "package " + old.getPackage(),
          "changed to " + now.getPackage() + "; every message, enum and service of "
              + now.getName() + " has a new full name, and callers use the old one");
    }
  }

  private void message(Descriptor old, Descriptor now) {
    String name = old.getFullName();
    reservedRanges(now, name, ranges(old), ranges(now), MAX_FIELD_NUMBER);
    reservedNames(now, name, old.toProto().getReservedNameList(),
        now.toProto().getReservedNameList());
    requiredFields(old, now);
    for (FieldDescriptor field : old.getFields()) {
      FieldDescriptor same = now.findFieldByNumber(field.getNumber());
      if (same != null) {
        FieldChanges.compare(report, field, same);
        continue;
      }
      if (!now.isReservedNumber(field.getNumber())) {
        report.add("FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED", now, FieldChanges.subject(field),
            "deleted without reserving its number; add \"reserved " + field.getNumber()
                + ";\" so that no later field reads old callers' data as its own");
      }
      if (report.json() && !now.isReservedName(field.getName())) {
        report.add("FIELD_NO_DELETE_UNLESS_NAME_RESERVED", now, FieldChanges.subject(field),
            "deleted without reserving its name; add 'reserved \"" + field.getName()
                + "\";' so that no later field takes the name JSON callers still send");
      }
    }
    if (report.json() && jsonFormat(old) == JsonFormat.ALLOW
        && jsonFormat(now) != JsonFormat.ALLOW) {
      report.add("MESSAGE_SAME_JSON_FORMAT", now, name, "JSON support changed from ALLOW to "
          + jsonFormat(now) + " (feature json_format); JSON callers may no longer reach it");
    }
  }

  private void requiredFields(Descriptor old, Descriptor now) {
    for (FieldDescriptor field : old.getFields()) {
      FieldDescriptor same = now.findFieldByNumber(field.getNumber());
      if (required(field) && (same == null || !required(same))) {
        report.add("MESSAGE_SAME_REQUIRED_FIELDS", now, old.getFullName(), "field "
            + field.getNumber() + " (" + field.getName() + ") is no longer required; readers on"
            + " the old contract reject messages without it");
      }
    }
    for (FieldDescriptor field : now.getFields()) {
      FieldDescriptor was = old.findFieldByNumber(field.getNumber());
      if (required(field) && (was == null || !required(was))) {
        report.add("MESSAGE_SAME_REQUIRED_FIELDS", field, old.getFullName(), "required field "
            + field.getNumber() + " (" + field.getName() + ") added; callers on the old contract"
            + " do not send it, and a message without it does not parse");
      }
    }
  }

  /**
   * Declared {@code required} (proto2). Like buf, an editions {@code LEGACY_REQUIRED} field does
   * not count here; its cardinality change is reported by the cardinality rule.
   */
  private static boolean required(FieldDescriptor field) {
    return field.toProto().getLabel() == FieldDescriptorProto.Label.LABEL_REQUIRED;
  }

  private void enumType(EnumDescriptor old, EnumDescriptor now) {
    String name = old.getFullName();
    reservedRanges(now, name, enumRanges(old), enumRanges(now), MAX_ENUM_NUMBER);
    reservedNames(now, name, old.toProto().getReservedNameList(),
        now.toProto().getReservedNameList());
    Map<Integer, List<EnumValueDescriptor>> oldValues = valuesByNumber(old);
    Map<Integer, List<EnumValueDescriptor>> newValues = valuesByNumber(now);
    oldValues.forEach((number, values) -> {
      List<EnumValueDescriptor> same = newValues.get(number);
      String subject = values.get(0).getFullName() + " (value " + number + ")";
      if (same != null) {
        valueNames(subject, values, same);
        return;
      }
      if (!now.isReservedNumber(number)) {
        report.add("ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED", now, subject,
            "deleted without reserving its number; add \"reserved " + number + ";\" so that no"
                + " later value gives old callers' data another meaning");
      }
      if (report.json() && !values.stream().allMatch(v -> now.isReservedName(v.getName()))) {
        report.add("ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED", now, subject,
            "deleted without reserving its name; add 'reserved " + quoted(values, ", ")
                + ";' so that no later value takes the name JSON callers still send");
      }
    });
    if (report.json() && jsonFormat(old) == JsonFormat.ALLOW
        && jsonFormat(now) != JsonFormat.ALLOW) {
      report.add("ENUM_SAME_JSON_FORMAT", now, name, "JSON support changed from ALLOW to "
          + jsonFormat(now) + " (feature json_format); JSON callers may no longer reach it");
    }
  }

  /** ENUM_VALUE_SAME_NAME: every name a number had, it still has (aliases may be added). */
  private void valueNames(String subject, List<EnumValueDescriptor> old,
      List<EnumValueDescriptor> now) {
    Set<String> newNames = now.stream().map(EnumValueDescriptor::getName)
        .collect(Collectors.toSet());
    if (!report.json() || old.stream().allMatch(v -> newNames.contains(v.getName()))) {
      return;
    }
    for (EnumValueDescriptor value : now) {
      report.add("ENUM_VALUE_SAME_NAME", value, subject, "renamed to " + now.stream()
          .map(EnumValueDescriptor::getName).sorted().collect(Collectors.joining(" and "))
          + "; JSON callers send " + quoted(old, " or "));
    }
  }

  private static String quoted(List<EnumValueDescriptor> values, String separator) {
    return values.stream().map(v -> "\"" + v.getName() + "\"").sorted()
        .collect(Collectors.joining(separator));
  }

  private static Map<Integer, List<EnumValueDescriptor>> valuesByNumber(EnumDescriptor type) {
    Map<Integer, List<EnumValueDescriptor>> byNumber = new TreeMap<>();
    type.getValues().forEach(v -> byNumber.computeIfAbsent(v.getNumber(), n -> new ArrayList<>())
        .add(v));
    return byNumber;
  }

  private void service(ServiceDescriptor old, ServiceDescriptor now) {
    for (MethodDescriptor method : old.getMethods()) {
      MethodDescriptor same = now.findMethodByName(method.getName());
      String subject = Schema.fullMethodName(method);
      if (same == null) {
        report.add("RPC_NO_DELETE", now, subject,
            "method removed; its callers now get UNIMPLEMENTED");
        continue;
      }
      if (method.isClientStreaming() != same.isClientStreaming()) {
        report.add("RPC_SAME_CLIENT_STREAMING", same, subject, same.isClientStreaming()
            ? "now takes a stream of requests; callers send one"
            : "now takes one request; callers send a stream");
      }
      if (method.isServerStreaming() != same.isServerStreaming()) {
        report.add("RPC_SAME_SERVER_STREAMING", same, subject, same.isServerStreaming()
            ? "now answers with a stream; callers expect one response"
            : "now answers with one response; callers expect a stream");
      }
      typeChange(subject, same, "request", method.getInputType(), same.getInputType());
      typeChange(subject, same, "response", method.getOutputType(), same.getOutputType());
      if (method.getOptions().getIdempotencyLevel() != same.getOptions().getIdempotencyLevel()) {
        report.add("RPC_SAME_IDEMPOTENCY_LEVEL", same, subject, "idempotency_level changed from "
            + method.getOptions().getIdempotencyLevel() + " to "
            + same.getOptions().getIdempotencyLevel() + "; callers that retry it or call it with"
            + " GET (Connect, HTTP) now behave differently");
      }
    }
  }

  private void typeChange(String subject, MethodDescriptor now, String which, Descriptor was,
      Descriptor is) {
    if (!was.getFullName().equals(is.getFullName())) {
      report.add("RPC_SAME_" + which.toUpperCase(Locale.ROOT) + "_TYPE", now, subject,
          which + " type changed from " + was.getFullName() + " to " + is.getFullName()
              + "; callers still " + (which.equals("request") ? "send" : "expect") + " a "
              + was.getFullName());
    }
  }

  private void reservedRanges(GenericDescriptor now, String name, List<int[]> old,
      List<int[]> next, int max) {
    List<int[]> kept = collapse(next);
    for (int[] range : old) {
      List<String> lost = new ArrayList<>();
      long start = range[0];
      for (int[] k : kept) {
        if (k[1] < start) {
          continue;
        }
        if (k[0] > range[1]) {
          break;
        }
        if (k[0] > start) {
          lost.add(rangeText(start, k[0] - 1, max));
        }
        start = (long) k[1] + 1;
      }
      if (start <= range[1]) {
        lost.add(rangeText(start, range[1], max));
      }
      if (!lost.isEmpty()) {
        boolean isEnum = now instanceof EnumDescriptor;
        String reserved = rangeText(range[0], range[1], max);
        String change = lost.equals(List.of(reserved)) ? "reserved " + reserved + " removed"
            : "reserved " + reserved + " shrunk: " + String.join(", ", lost)
                + " no longer reserved";
        report.add(isEnum ? "RESERVED_ENUM_NO_DELETE" : "RESERVED_MESSAGE_NO_DELETE", now, name,
            change + "; a later " + (isEnum ? "value" : "field")
                + " there would give old callers' data another meaning");
      }
    }
  }

  private static List<int[]> collapse(List<int[]> ranges) {
    List<int[]> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparingInt((int[] r) -> r[0]).thenComparingInt(r -> r[1]));
    List<int[]> collapsed = new ArrayList<>();
    for (int[] range : sorted) {
      int[] last = collapsed.isEmpty() ? null : collapsed.get(collapsed.size() - 1);
      if (last != null && (long) range[0] <= (long) last[1] + 1) {
        last[1] = Math.max(last[1], range[1]);
      } else {
        collapsed.add(new int[] {range[0], range[1]});
      }
    }
    return collapsed;
  }

  private static String rangeText(long start, long end, int max) {
    return start == end ? String.valueOf(start)
        : start + " to " + (end == max ? "max" : String.valueOf(end));
  }

  private void reservedNames(GenericDescriptor now, String name,
      List<String> old, List<String> next) {
    for (String reserved : old) {
      if (!next.contains(reserved)) {
        report.add(now instanceof EnumDescriptor ? "RESERVED_ENUM_NO_DELETE"
                : "RESERVED_MESSAGE_NO_DELETE", now, name,
            "reserved name \"" + reserved + "\" no longer reserved; a later "
                + (now instanceof EnumDescriptor ? "value" : "field") + " of that name would"
                + " take JSON callers' old data");
      }
    }
  }

  /** Message reserved ranges, inclusive (the descriptor's end is exclusive). */
  private static List<int[]> ranges(Descriptor message) {
    List<int[]> ranges = new ArrayList<>();
    for (ReservedRange range : message.toProto().getReservedRangeList()) {
      ranges.add(new int[] {range.getStart(), range.getEnd() - 1});
    }
    return ranges;
  }

  private static List<int[]> enumRanges(EnumDescriptor type) {
    List<int[]> ranges = new ArrayList<>();
    for (EnumReservedRange range : type.toProto().getReservedRangeList()) {
      ranges.add(new int[] {range.getStart(), range.getEnd()});
    }
    return ranges;
  }

  /**
   * The json_format feature as resolved for {@code element}: the nearest explicit setting (the
   * element, its enclosing messages, its file), else its edition's default. protobuf-java resolves
   * features but neither publishes them nor keeps them in {@code getOptions()}: they are read from
   * the descriptor protos.
   */
  private static JsonFormat jsonFormat(GenericDescriptor element) {
    Descriptor scope;
    FeatureSet own;
    if (element instanceof Descriptor message) {
      own = message.toProto().getOptions().getFeatures();
      scope = message.getContainingType();
    } else {
      EnumDescriptor type = (EnumDescriptor) element;
      own = type.toProto().getOptions().getFeatures();
      scope = type.getContainingType();
    }
    if (own.hasJsonFormat()) {
      return own.getJsonFormat();
    }
    for (; scope != null; scope = scope.getContainingType()) {
      FeatureSet features = scope.toProto().getOptions().getFeatures();
      if (features.hasJsonFormat()) {
        return features.getJsonFormat();
      }
    }
    FileDescriptor file = element.getFile();
    FeatureSet features = file.toProto().getOptions().getFeatures();
    if (features.hasJsonFormat()) {
      return features.getJsonFormat();
    }
    String syntax = file.toProto().getSyntax();
    return syntax.isEmpty() || syntax.equals("proto2") ? JsonFormat.LEGACY_BEST_EFFORT
        : JsonFormat.ALLOW;
  }

  private static List<Descriptor> messages(Schema schema) {
    List<Descriptor> all = new ArrayList<>();
    schema.files().forEach(file -> file.getMessageTypes().forEach(m -> nested(m, all)));
    return all;
  }

  private static void nested(Descriptor message, List<Descriptor> all) {
    all.add(message);
    message.getNestedTypes().forEach(n -> nested(n, all));
  }

  private static List<EnumDescriptor> enums(Schema schema) {
    List<EnumDescriptor> all = new ArrayList<>();
    for (FileDescriptor file : schema.files()) {
      all.addAll(file.getEnumTypes());
    }
    messages(schema).forEach(m -> all.addAll(m.getEnumTypes()));
    return all;
  }

  private static List<FieldDescriptor> extensions(Schema schema) {
    List<FieldDescriptor> all = new ArrayList<>();
    for (FileDescriptor file : schema.files()) {
      all.addAll(file.getExtensions());
    }
    messages(schema).forEach(m -> all.addAll(m.getExtensions()));
    return all;
  }

  private static String extensionKey(FieldDescriptor extension) {
    return extension.getContainingType().getFullName() + "#" + extension.getNumber();
  }
}
