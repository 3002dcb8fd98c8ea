package io.protogate.stub;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import io.protogate.descriptor.Schema;
import io.protogate.handler.AsyncUnaryHandler;
import io.protogate.handler.BidiStreamingHandler;
import io.protogate.handler.ClientStreamingHandler;
import io.protogate.handler.MethodHandler;
import io.protogate.handler.ServerStreamingHandler;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Example responses for {@code serve --mock-all}: a message of the method's output type with
 * every field set to a plausible value chosen by its type and name ({@code email} gets an address,
 * {@code created_at} a time, {@code count} a small number, an enum its first real value, a
 * repeated field or map one element), so a contract nobody implements yet can be called at once.
 * Deterministic: the same type always gives the same example.
 */
public final class ExampleResponses {
  private static final String TIMESTAMP = "google.protobuf.Timestamp";
  private static final String DURATION = "google.protobuf.Duration";

  private ExampleResponses() {}

  /** The example of {@code type}. */
  public static DynamicMessage of(Descriptor type) {
    return fill(type, new HashSet<>());
  }

  /**
   * A handler for {@code method} that answers every call with the example: once for unary and
   * client streaming, once per request for bidirectional streaming, three times for server
   * streaming.
   */
  public static MethodHandler handler(MethodDescriptor method) {
    DynamicMessage example = of(method.getOutputType());
    return switch (Schema.methodType(method)) {
      case UNARY -> (AsyncUnaryHandler) (request, call) ->
          CompletableFuture.completedFuture(example);
      case SERVER_STREAMING -> (ServerStreamingHandler) (request, call, responses) -> {
        for (int i = 0; i < 3; i++) {
          responses.onNext(example);
        }
        responses.onCompleted();
      };
      case CLIENT_STREAMING -> (ClientStreamingHandler) (call, responses) ->
          new Answer(responses, example, false);
      default -> (BidiStreamingHandler) (call, responses) -> new Answer(responses, example, true);
    };
  }

  private record Answer(StreamObserver<DynamicMessage> responses, DynamicMessage example,
      boolean echo) implements StreamObserver<DynamicMessage> {
    @Override
    public void onNext(DynamicMessage value) {
      if (echo) {
        responses.onNext(example);
      }
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {
      if (!echo) {
        responses.onNext(example);
      }
      responses.onCompleted();
    }
  }

  private static DynamicMessage fill(Descriptor type, Set<Descriptor> path) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    if (type.getFullName().equals(TIMESTAMP)) {
      return builder.setField(type.findFieldByName("seconds"), 1_704_067_200L).build();
    }
    if (type.getFullName().equals(DURATION)) {
      return builder.setField(type.findFieldByName("seconds"), 1L).build();
    }
    if (type.getFile().getName().startsWith("google/protobuf/")) {
      return builder.build();
    }
    path.add(type);
    for (FieldDescriptor field : type.getFields()) {
      if (field.getRealContainingOneof() != null
          && builder.hasOneof(field.getRealContainingOneof())) {
        continue;
      }
      Object value = value(field, path);
      if (value == null) {
        continue;
      }
      if (field.isRepeated()) {
        builder.addRepeatedField(field, value);
      } else {
        builder.setField(field, value);
      }
    }
    path.remove(type);
    return builder.buildPartial();
  }

  private static Object value(FieldDescriptor field, Set<Descriptor> path) {
    if (field.isMapField()) {
      Descriptor entry = field.getMessageType();
      FieldDescriptor key = entry.findFieldByNumber(1);
      Object value = value(entry.findFieldByNumber(2), path);
      if (value == null) {
        return null;
      }
      Object keyValue = key.getJavaType() == FieldDescriptor.JavaType.STRING ? "key"
          : scalar(key, "key");
      return DynamicMessage.newBuilder(entry).setField(key, keyValue)
          .setField(entry.findFieldByNumber(2), value).build();
    }
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      return path.contains(field.getMessageType()) ? null : fill(field.getMessageType(), path);
    }
    return scalar(field, field.getName().toLowerCase(Locale.ROOT));
  }

  private static Object scalar(FieldDescriptor field, String name) {
    return switch (field.getJavaType()) {
      case STRING -> text(name);
      case INT -> (int) number(name);
      case LONG -> number(name);
      case FLOAT -> (float) decimal(name);
      case DOUBLE -> decimal(name);
      case BOOLEAN -> true;
      case BYTE_STRING -> ByteString.copyFrom("example", StandardCharsets.UTF_8);
      case ENUM -> enumValue(field.getEnumType());
      default -> null;
    };
  }

  private static String text(String name) {
    if (name.contains("email")) {
      return "jane.doe@example.com";
    }
    if (name.contains("url") || name.contains("uri") || name.contains("link")) {
      return "https://example.com/" + name;
    }
    if (name.contains("phone")) {
      return "+1-555-0100";
    }
    if (name.endsWith("_at") || name.contains("time") || name.contains("date")) {
      return "2024-01-01T00:00:00Z";
    }
    if (name.equals("id") || name.endsWith("_id") || name.endsWith("id")) {
      return name.replace("_id", "") + "-1";
    }
    if (name.contains("name")) {
      return "Jane Doe";
    }
    if (name.contains("currency")) {
      return "USD";
    }
    if (name.contains("country")) {
      return "US";
    }
    return "example " + name;
  }

  private static long number(String name) {
    if (name.contains("year")) {
      return 2024;
    }
    if (name.contains("age")) {
      return 30;
    }
    if (name.contains("price") || name.contains("amount") || name.contains("cents")) {
      return 1999;
    }
    if (name.endsWith("_at") || name.contains("time")) {
      return 1_704_067_200L;
    }
    return name.contains("count") || name.contains("total") || name.contains("size") ? 3 : 1;
  }

  private static double decimal(String name) {
    if (name.startsWith("lat")) {
      return 52.52;
    }
    if (name.startsWith("lon") || name.startsWith("lng")) {
      return 13.405;
    }
    return name.contains("price") || name.contains("amount") ? 19.99 : 1.5;
  }

  private static Object enumValue(EnumDescriptor type) {
    return type.getValues().size() > 1 ? type.getValues().get(1) : type.getValues().get(0);
  }
}
