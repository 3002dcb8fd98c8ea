package io.protogate.stub;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.ErrorDetailsProto;
import io.grpc.MethodDescriptor.MethodType;
import io.protogate.descriptor.Schema;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks stubs against a contract and makes them ready to match: the service and method must
 * exist (a service may be named without its package when that is unambiguous), every field named
 * in a matcher or a response must exist in its message (by proto or JSON name, stored under the
 * proto name), and every value must fit its field's type. Errors name the file, the stub, the path
 * to the value and the nearest valid name.
 */
final class StubValidation {
  /** The well-known types whose JSON form is not their fields; checked by JsonFormat as a whole. */
  private static final Set<String> SPECIAL_JSON =
      Set.of("google/protobuf/any.proto", "google/protobuf/duration.proto",
          "google/protobuf/field_mask.proto", "google/protobuf/struct.proto",
          "google/protobuf/timestamp.proto", "google/protobuf/wrappers.proto");

  private enum Mode {
    /** equals, contains: values of the field's type. */
    EXACT,
    /** matches, glob: patterns, written as strings. */
    PATTERN,
    /** output data and stream: values of the field's type, or a string holding a template. */
    RESPONSE
  }

  private final Schema schema;
  private final JsonFormat.Parser parser;
  private final JsonFormat.TypeRegistry detailTypes;

  StubValidation(Schema schema) {
    this.schema = schema;
    this.detailTypes = detailTypes(schema);
    this.parser = JsonFormat.parser().usingTypeRegistry(detailTypes);
  }

  /** The types an error detail may have: google.rpc's, and the contract's top-level messages. */
  static JsonFormat.TypeRegistry detailTypes(Schema schema) {
    return JsonFormat.TypeRegistry.newBuilder()
        .add(ErrorDetailsProto.getDescriptor().getMessageTypes())
        .add(schema.files().stream().flatMap(f -> f.getMessageTypes().stream()).toList())
        .build();
  }

  Stub check(Stub stub) throws StubException {
    MethodDescriptor method = method(stub);
    String where = stub.where() + " (" + Schema.fullMethodName(method) + ")";
    MethodType type = Schema.methodType(method);
    boolean clientStreams = method.isClientStreaming();
    if (stub.inputs() != null && !clientStreams) {
      throw new StubException(where + ": inputs is for client-streaming and bidirectional"
          + " methods; " + method.getName() + " takes one request: use input");
    }
    Output output = stub.output();
    if (output.stream() != null && !method.isServerStreaming()) {
      throw new StubException(where + ": output.stream is for methods that stream responses; "
          + method.getName() + " is " + type + ": use output.data");
    }
    Descriptor request = method.getInputType();
    Matcher input = canonical(stub.input(), request, where + ": input");
    List<Matcher> inputs = null;
    if (stub.inputs() != null) {
      inputs = new ArrayList<>();
      for (int i = 0; i < stub.inputs().size(); i++) {
        inputs.add(canonical(stub.inputs().get(i), request, where + ": inputs[" + i + "]"));
      }
      inputs = List.copyOf(inputs);
    }
    Descriptor response = method.getOutputType();
    Map<String, Object> data = output.data() == null ? null
        : message(response, output.data(), where + ": output.data", Mode.RESPONSE);
    List<Map<String, Object>> stream = null;
    if (output.stream() != null) {
      stream = new ArrayList<>();
      for (int i = 0; i < output.stream().size(); i++) {
        stream.add(message(response, output.stream().get(i),
            where + ": output.stream[" + i + "]", Mode.RESPONSE));
      }
    }
    for (int i = 0; i < output.details().size(); i++) {
      detail(output.details().get(i), where + ": output.details[" + i + "]");
    }
    return stub.resolved(Schema.fullMethodName(method), input, inputs,
        output.withMessages(data, stream));
  }

  /** The error detail as a packed {@code Any}: {@code type} (or {@code @type}) names its type. */
  Any detail(Map<String, Object> detail, String where) throws StubException {
    Map<String, Object> fields = new LinkedHashMap<>(detail);
    Object type = fields.remove("type");
    if (type == null) {
      type = fields.remove("@type");
    }
    if (!(type instanceof String url) || url.isBlank()) {
      throw new StubException(where + ": a detail names its message type, e.g. type: "
          + "type.googleapis.com/google.rpc.ErrorInfo");
    }
    String name = url.substring(url.lastIndexOf('/') + 1);
    Descriptor descriptor = detailTypes.find(name);
    if (descriptor == null) {
      throw new StubException(where + ": unknown detail type " + url + "; use a google.rpc type"
          + " (ErrorInfo, BadRequest, RetryInfo, ...) or a message of the contract");
    }
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(descriptor);
    try {
      parser.merge(Trees.toJson(fields), builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new StubException(where + ": not a valid " + name + ": " + e.getMessage());
    }
    return Any.pack(builder.build());
  }

  private MethodDescriptor method(Stub stub) throws StubException {
    ServiceDescriptor service = schema.findService(stub.service()).orElse(null);
    if (service == null) {
      List<ServiceDescriptor> bySimpleName = schema.services().stream()
          .filter(s -> s.getName().equals(stub.service())).toList();
      if (bySimpleName.size() == 1) {
        service = bySimpleName.get(0);
      } else {
        List<String> names = schema.services().stream()
            .map(ServiceDescriptor::getFullName).toList();
        throw new StubException(stub.where() + ": service \"" + stub.service() + "\" is not in"
            + " the contract" + (bySimpleName.size() > 1 ? " under one name (give the package)"
                : Names.didYouMean(stub.service(), names)) + "; the contract has " + names);
      }
    }
    MethodDescriptor method = service.findMethodByName(stub.method());
    if (method == null) {
      List<String> names = service.getMethods().stream().map(MethodDescriptor::getName).toList();
      throw new StubException(stub.where() + ": " + service.getFullName() + " has no method \""
          + stub.method() + "\"" + Names.didYouMean(stub.method(), names) + "; it has " + names);
    }
    return method;
  }

  private Matcher canonical(Matcher matcher, Descriptor type, String where)
      throws StubException {
    return matcher.rewrite((strategy, values) -> message(type, values, where + "." + strategy,
        strategy.equals("matches") || strategy.equals("glob") ? Mode.PATTERN : Mode.EXACT));
  }

  /** The object with its keys made proto field names and its values checked. */
  private Map<String, Object> message(
      Descriptor type, Map<String, Object> values, String where, Mode mode)
      throws StubException {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : values.entrySet()) {
      FieldDescriptor field = type.findFieldByName(entry.getKey());
      if (field == null) {
        field = type.getFields().stream().filter(f -> f.getJsonName().equals(entry.getKey()))
            .findFirst().orElse(null);
      }
      String path = where + "." + entry.getKey();
      if (field == null) {
        List<String> names = type.getFields().stream().map(FieldDescriptor::getName).toList();
        throw new StubException(path + ": " + type.getFullName() + " has no field \""
            + entry.getKey() + "\"" + Names.didYouMean(entry.getKey(), names) + "; it has "
            + names);
      }
      out.put(field.getName(), field(field, entry.getValue(), path, mode));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private Object field(FieldDescriptor field, Object value, String where, Mode mode)
      throws StubException {
    if (value == null) {
      return null;
    }
    if (field.isMapField()) {
      if (!(value instanceof Map<?, ?> map)) {
        throw wrongType(field, value, where, "an object (a map)");
      }
      FieldDescriptor valueField = field.getMessageType().findFieldByNumber(2);
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        out.put(String.valueOf(e.getKey()),
            single(valueField, e.getValue(), where + "." + e.getKey(), mode));
      }
      return out;
    }
    if (field.isRepeated()) {
      if (!(value instanceof List<?> list)) {
        throw wrongType(field, value, where, "a list");
      }
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        out.add(single(field, list.get(i), where + "[" + i + "]", mode));
      }
      return out;
    }
    return single(field, value, where, mode);
  }

  @SuppressWarnings("unchecked")
  private Object single(FieldDescriptor field, Object value, String where, Mode mode)
      throws StubException {
    if (value == null) {
      return null;
    }
    if (mode == Mode.RESPONSE && value instanceof String s && s.contains("{{")) {
      return value;
    }
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      Descriptor type = field.getMessageType();
      if (SPECIAL_JSON.contains(type.getFile().getName())) {
        if (mode != Mode.PATTERN) {
          try {
            parser.merge(Trees.toJson(value), DynamicMessage.newBuilder(type));
          } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new StubException(where + ": not a valid " + type.getFullName() + ": "
                + e.getMessage());
          }
        }
        return value;
      }
      if (!(value instanceof Map<?, ?> map)) {
        throw wrongType(field, value, where, "an object (a " + type.getName() + ")");
      }
      return message(type, (Map<String, Object>) map, where, mode);
    }
    if (mode == Mode.PATTERN) {
      if (!(value instanceof String)) {
        throw wrongType(field, value, where, "a pattern (a string)");
      }
      return value;
    }
    boolean fits = switch (field.getJavaType()) {
      case INT, LONG -> integer(value);
      case FLOAT, DOUBLE -> Trees.asNumber(value) != null
          || Set.of("NaN", "Infinity", "-Infinity").contains(value);
      case BOOLEAN -> value instanceof Boolean;
      case STRING, BYTE_STRING -> value instanceof String;
      case ENUM -> enumValue(field, value, where);
      default -> true;
    };
    if (!fits) {
      throw wrongType(field, value, where, switch (field.getJavaType()) {
        case INT, LONG -> "a whole number";
        case FLOAT, DOUBLE -> "a number";
        case BOOLEAN -> "true or false";
        case STRING -> "a string";
        case BYTE_STRING -> "a base64 string";
        default -> "a value of type " + field.getType();
      });
    }
    return value;
  }

  private static boolean integer(Object value) {
    BigDecimal number = Trees.asNumber(value);
    if (number == null) {
      return false;
    }
    try {
      BigInteger whole = number.toBigIntegerExact();
      return whole.bitLength() <= 64;
    } catch (ArithmeticException e) {
      return false;
    }
  }

  private static boolean enumValue(FieldDescriptor field, Object value, String where)
      throws StubException {
    if (value instanceof BigDecimal) {
      return integer(value);
    }
    if (!(value instanceof String name)) {
      return false;
    }
    if (field.getEnumType().findValueByName(name) == null) {
      List<String> names = field.getEnumType().getValues().stream()
          .map(EnumValueDescriptor::getName).toList();
      throw new StubException(where + ": " + field.getEnumType().getFullName() + " has no value "
          + name + Names.didYouMean(name, names) + "; it has " + names);
    }
    return true;
  }

  private static StubException wrongType(
      FieldDescriptor field, Object value, String where, String expected) {
    return new StubException(where + ": " + field.getFullName() + " is "
        + (field.isMapField() ? "a map" : (field.isRepeated() ? "repeated " : "")
            + field.getType().name().toLowerCase(java.util.Locale.ROOT))
        + ": expected " + expected + ", found " + Trees.show(value));
  }
}
