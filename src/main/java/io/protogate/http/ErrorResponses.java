package io.protogate.http;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.ErrorDetailsProto;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.protogate.descriptor.Schema;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * gRPC statuses as HTTP/JSON answers: the status code of {@link GrpcHttpStatus}, and a {@code
 * google.rpc.Status} JSON body whose details keep their {@code @type}.
 */
final class ErrorResponses {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private final JsonFormat.Printer printer;

  /** Details may be of any type of the contract or google/rpc/error_details.proto. */
  ErrorResponses(Schema schema) {
    JsonFormat.TypeRegistry.Builder types = JsonFormat.TypeRegistry.newBuilder()
        .add(ErrorDetailsProto.getDescriptor().getMessageTypes());
    schema.files().forEach(file -> types.add(file.getMessageTypes()));
    this.printer = JsonFormat.printer().usingTypeRegistry(types.build())
        .omittingInsignificantWhitespace();
  }

  /**
   * The status as {@code google.rpc.Status} JSON on one line, details from the trailers. Gson,
   * not JsonFormat, writes the outer object, so a message keeps its quotes and {@code =} as
   * they are rather than as {@code \u0027} escapes.
   */
  String json(Status status, Metadata trailers) {
    com.google.rpc.Status proto =
        StatusProto.fromStatusAndTrailers(status, trailers == null ? new Metadata() : trailers);
    JsonObject body = new JsonObject();
    body.addProperty("code", proto.getCode());
    body.addProperty("message", proto.getMessage());
    if (proto.getDetailsCount() > 0) {
      JsonArray details = new JsonArray();
      for (Any detail : proto.getDetailsList()) {
        try {
          details.add(JsonParser.parseString(printer.print(detail)));
        } catch (InvalidProtocolBufferException e) {
          // A detail of a type nobody loaded: the code and message still reach the caller.
          JsonObject unknown = new JsonObject();
          unknown.addProperty("@type", detail.getTypeUrl());
          details.add(unknown);
        }
      }
      body.add("details", details);
    }
    return GSON.toJson(body);
  }

  /** Answers the request with {@code status}, mapped to its HTTP status, and completes it. */
  void send(Response response, Callback callback, Status status, Metadata trailers) {
    send(response, callback, GrpcHttpStatus.of(status.getCode()), json(status, trailers));
  }

  /** The JSON body of a status that is not a gRPC call's (no route, no such method). */
  static void send(Response response, Callback callback, int httpStatus, String json) {
    response.setStatus(httpStatus);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8)),
        callback);
  }

  /** A status body for errors found before any call, with no details. */
  static String plainJson(Status status) {
    JsonObject body = new JsonObject();
    body.addProperty("code", status.getCode().value());
    body.addProperty("message", status.getDescription() == null ? "" : status.getDescription());
    return GSON.toJson(body);
  }
}
