package io.protogate.cli;

import com.google.gson.JsonPrimitive;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.ErrorDetailsProto;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.protogate.descriptor.Schema;
import java.util.Base64;
import java.util.stream.Collectors;

/**
 * A failed call's status for people and for scripts, with the details of a {@code
 * google.rpc.Status} ({@code grpc-status-details-bin}) decoded as grpcurl does: the standard error
 * details ({@code ErrorInfo}, {@code BadRequest}, {@code RetryInfo}, ...) and any type the
 * contract defines, as JSON; a detail of a type known to neither as its type URL and base64.
 */
final class StatusPrinter {
  private final JsonFormat.Printer printer;

  StatusPrinter(Schema schema) {
    JsonFormat.TypeRegistry.Builder types = JsonFormat.TypeRegistry.newBuilder()
        .add(ErrorDetailsProto.getDescriptor().getMessageTypes());
    for (FileDescriptor file : schema.files()) {
      types.add(file.getMessageTypes());
    }
    this.printer = JsonFormat.printer().usingTypeRegistry(types.build())
        .omittingInsignificantWhitespace();
  }

  /** One line: code, message and each detail as compact JSON. */
  String line(Status status, Metadata trailers) {
    String line = status.getCode() + (status.getDescription() == null ? ""
        : ": " + status.getDescription());
    com.google.rpc.Status details = StatusProto.fromStatusAndTrailers(status, trailers);
    if (details.getDetailsCount() == 0) {
      return line;
    }
    return line + "; details: " + details.getDetailsList().stream()
        .map(this::detail).collect(Collectors.joining(", "));
  }

  /** As {@code {"code": N, "message": ..., "details": [...]}}, on one line. */
  String json(Status status, Metadata trailers) {
    com.google.rpc.Status proto = StatusProto.fromStatusAndTrailers(status, trailers);
    try {
      return printer.print(proto);
    } catch (InvalidProtocolBufferException e) {
      // A detail of a type known nowhere: print the status with each detail as best it can be.
      return "{\"code\":" + proto.getCode() + ",\"message\":" + quote(proto.getMessage())
          + ",\"details\":[" + proto.getDetailsList().stream().map(this::detail)
          .collect(Collectors.joining(",")) + "]}";
    }
  }

  private String detail(Any any) {
    try {
      return printer.print(any);
    } catch (InvalidProtocolBufferException e) {
      return "{\"@type\":" + quote(any.getTypeUrl()) + ",\"value\":"
          + quote(Base64.getEncoder().encodeToString(any.getValue().toByteArray())) + "}";
    }
  }

  private static String quote(String text) {
    return new JsonPrimitive(text).toString();
  }
}
