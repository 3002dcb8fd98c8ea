package io.protogate.web;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.protogate.descriptor.Schema;
import io.protogate.http.HttpMetadata;
import io.protogate.http.InProcessCall;
import io.protogate.http.ResponseWriter;
import io.protogate.http.Timeouts;
import io.protogate.json.JsonCodec;
import io.protogate.server.CallTags;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The gRPC-Web door (grpc/grpc {@code doc/PROTOCOL-WEB.md}): {@code application/grpc-web} and
 * {@code -web+proto} carry gRPC's length-prefixed frames, {@code -web-text} the same in base64
 * (several padded chunks allowed, both ways), and {@code -web+json} frames of JSON; trailers travel
 * as the last frame, flag {@code 0x80}. Unary and server-streaming methods, as the protocol has no
 * other; calls go in-process, so handlers, stubs and upstream routes answer as for gRPC callers.
 * A request of another content type is left to the next handler.
 */
public final class GrpcWebHandler extends Handler.Abstract {
  private static final byte TRAILERS = (byte) 0x80;
  private static final byte COMPRESSED = 0x01;
  private static final Metadata.Key<byte[]> STATUS_DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  private final io.grpc.Channel channel;
  private final Supplier<Schema> schema;
  private final int maxRequestBytes;

  /**
   * Calls the methods of the schema {@code schema} supplies at each request through {@code
   * channel}; a request body over {@code maxRequestBytes} (decoded) is refused.
   */
  public GrpcWebHandler(io.grpc.Channel channel, Supplier<Schema> schema, int maxRequestBytes) {
    this.channel = channel;
    this.schema = schema;
    this.maxRequestBytes = maxRequestBytes;
  }

  /** The three things a gRPC-Web content type says: its name, text or binary, JSON or proto. */
  private record Codec(String contentType, boolean text, boolean json) {
    static Codec of(String header) {
      if (header == null) {
        return null;
      }
      String type = header.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      return switch (type) {
        case "application/grpc-web", "application/grpc-web+proto" ->
            new Codec(type, false, false);
        case "application/grpc-web-text", "application/grpc-web-text+proto" ->
            new Codec(type, true, false);
        case "application/grpc-web+json" -> new Codec(type, false, true);
        case "application/grpc-web-text+json" -> new Codec(type, true, true);
        default -> null;
      };
    }
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Codec codec = Codec.of(request.getHeaders().get(HttpHeader.CONTENT_TYPE));
    if (codec == null) {
      return false;
    }
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, codec.contentType());
    if (!"POST".equals(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, "POST");
      trailersOnly(response, callback, Status.UNIMPLEMENTED.withDescription(
          "gRPC-Web calls are POST requests, not " + request.getMethod()), new Metadata());
      return true;
    }
    Schema served = schema.get();
    String path = Request.getPathInContext(request);
    Descriptors.MethodDescriptor method =
        path.length() > 1 ? served.findMethod(path.substring(1)).orElse(null) : null;
    if (method == null) {
      trailersOnly(response, callback, Status.UNIMPLEMENTED.withDescription(
          "no method " + path.substring(Math.min(1, path.length())) + " in the served contract;"
              + " the path is /package.Service/Method"), new Metadata());
      return true;
    }
    MethodType type = Schema.methodType(method);
    if (type != MethodType.UNARY && type != MethodType.SERVER_STREAMING) {
      trailersOnly(response, callback, Status.UNIMPLEMENTED.withDescription(
          Schema.fullMethodName(method) + " is " + type + ", and gRPC-Web carries only unary and"
              + " server-streaming calls; call it over gRPC or Connect"), new Metadata());
      return true;
    }
    Metadata headers;
    Deadline deadline;
    try {
      headers = CallTags.tag(HttpMetadata.fromHeaders(request.getHeaders()), CallTags.GRPC_WEB,
          HttpMetadata.peer(request));
      deadline = Timeouts.grpcTimeout(request.getHeaders().get("grpc-timeout"));
    } catch (IllegalArgumentException e) {
      trailersOnly(response, callback,
          Status.INVALID_ARGUMENT.withDescription(e.getMessage()), new Metadata());
      return true;
    }
    long limit = codec.text() ? (maxRequestBytes + 5L) * 4 / 3 + 8 : maxRequestBytes + 5L;
    Content.Source.asByteArrayAsync(request, (int) Math.min(Integer.MAX_VALUE, limit))
        .whenComplete((body, failure) -> {
          if (failure != null) {
            trailersOnly(response, callback, Status.RESOURCE_EXHAUSTED.withDescription(
                "the gRPC-Web request is larger than " + maxRequestBytes + " bytes, or was cut"
                    + " off: " + failure.getMessage()), new Metadata());
            return;
          }
          call(request, response, callback, codec, served, method, headers, deadline, body);
        });
    return true;
  }

  private void call(Request request, Response response, Callback callback, Codec codec,
      Schema served, Descriptors.MethodDescriptor method, Metadata headers, Deadline deadline,
      byte[] body) {
    List<byte[]> messages;
    try {
      messages = messages(codec.text() ? decodeText(body) : body);
      if (codec.json()) {
        JsonCodec json = JsonCodec.of(served);
        List<byte[]> binary = new ArrayList<>();
        for (byte[] message : messages) {
          binary.add(json.parse(new String(message, UTF_8), method.getInputType()).toByteArray());
        }
        messages = binary;
      }
    } catch (IllegalArgumentException e) {
      trailersOnly(response, callback,
          Status.INVALID_ARGUMENT.withDescription(e.getMessage()), new Metadata());
      return;
    }
    ResponseWriter writer = new ResponseWriter(response, callback);
    JsonCodec printer = codec.json() ? JsonCodec.of(served).compact() : null;
    ClientCall<byte[], byte[]> call = InProcessCall.start(channel, method, headers, deadline,
        new InProcessCall.Responses() {
          private boolean committed;

          @Override
          public void onHeaders(Metadata metadata) {
            HttpMetadata.toHeaders(metadata, "", response.getHeaders());
          }

          @Override
          public void onMessage(byte[] message, Runnable written) {
            committed = true;
            byte[] payload = message;
            if (printer != null) {
              try {
                payload = printer.print(DynamicMessage.parseFrom(method.getOutputType(), message))
                    .getBytes(UTF_8);
              } catch (InvalidProtocolBufferException e) {
                // The server checked the answer's type before sending it.
                throw new IllegalStateException("the answer is not a "
                    + method.getOutputType().getFullName(), e);
              }
            }
            writer.write(encode(codec, frame((byte) 0, payload)), written);
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            if (!committed && !status.isOk()) {
              trailersOnly(response, callback, status, trailers);
              return;
            }
            writer.finish(encode(codec, frame(TRAILERS, trailerBlock(status, trailers))));
          }
        });
    request.addFailureListener(failure -> call.cancel("the HTTP client went away", failure));
    for (byte[] message : messages) {
      call.sendMessage(message);
    }
    call.halfClose();
  }

  /** Every data frame of a request body; a compressed or cut-off frame is refused. */
  private static List<byte[]> messages(byte[] body) {
    List<byte[]> messages = new ArrayList<>();
    ByteBuffer frames = ByteBuffer.wrap(body);
    while (frames.hasRemaining()) {
      if (frames.remaining() < 5) {
        throw new IllegalArgumentException("the request ends inside a frame header, at byte "
            + frames.position() + " of " + body.length);
      }
      byte flags = frames.get();
      int length = frames.getInt();
      if ((flags & COMPRESSED) != 0) {
        throw new IllegalArgumentException("compressed gRPC-Web frames are not accepted; send"
            + " the request uncompressed");
      }
      if (length < 0 || length > frames.remaining()) {
        throw new IllegalArgumentException("a frame claims " + Integer.toUnsignedString(length)
            + " bytes but only " + frames.remaining() + " follow");
      }
      byte[] message = new byte[length];
      frames.get(message);
      if ((flags & TRAILERS) == 0) {
        messages.add(message);
      }
    }
    return messages;
  }

  /**
   * Base64 in one or more padded chunks: each group of four characters decodes on its own, so the
   * groups are decoded in turn and padding may end any chunk.
   */
  static byte[] decodeText(byte[] body) {
    String text = new String(body, US_ASCII).replaceAll("\\s", "");
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() * 3 / 4);
    Base64.Decoder decoder = Base64.getDecoder();
    try {
      for (int i = 0; i < text.length(); i += 4) {
        String group = text.substring(i, Math.min(text.length(), i + 4));
        out.writeBytes(decoder.decode(group + "=".repeat(4 - group.length())));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the grpc-web-text body is not base64: "
          + e.getMessage());
    }
    return out.toByteArray();
  }

  private static ByteBuffer encode(Codec codec, byte[] frame) {
    return ByteBuffer.wrap(codec.text() ? Base64.getEncoder().encode(frame) : frame);
  }

  private static byte[] frame(byte flags, byte[] payload) {
    return ByteBuffer.allocate(5 + payload.length).put(flags).putInt(payload.length).put(payload)
        .array();
  }

  /** The trailers as an HTTP/1 header block: {@code name: value\r\n} each, names lower-case. */
  private static byte[] trailerBlock(Status status, Metadata trailers) {
    HttpFields.Mutable fields = HttpFields.build();
    statusFields(status, trailers, fields);
    StringBuilder block = new StringBuilder();
    fields.forEach(field -> block.append(field.getLowerCaseName()).append(": ")
        .append(field.getValue()).append("\r\n"));
    return block.toString().getBytes(US_ASCII);
  }

  private static void statusFields(Status status, Metadata trailers, HttpFields.Mutable fields) {
    fields.put("grpc-status", String.valueOf(status.getCode().value()));
    if (status.getDescription() != null) {
      fields.put("grpc-message", percentEncode(status.getDescription()));
    }
    byte[] details = trailers.get(STATUS_DETAILS);
    if (details != null) {
      fields.put(STATUS_DETAILS.name(), Base64.getEncoder().encodeToString(details));
    }
    HttpMetadata.toHeaders(trailers, "", fields);
  }

  /**
   * A call that failed before its first message answers with headers only ("trailers-only"), as
   * gRPC does; every gRPC-Web client reads its status there.
   */
  private static void trailersOnly(
      Response response, Callback callback, Status status, Metadata trailers) {
    response.setStatus(HttpStatus.OK_200);
    statusFields(status, trailers, response.getHeaders());
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
    response.write(true, null, callback);
  }

  /** grpc-message's own percent-encoding: everything outside printable ASCII, and '%'. */
  private static String percentEncode(String message) {
    StringBuilder out = new StringBuilder(message.length());
    for (byte b : message.getBytes(UTF_8)) {
      if (b >= 0x20 && b <= 0x7e && b != '%') {
        out.append((char) b);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }
}
