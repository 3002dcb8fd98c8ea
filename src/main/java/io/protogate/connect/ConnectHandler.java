package io.protogate.connect;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.protobuf.Any;
import com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.protogate.descriptor.Schema;
import io.protogate.http.GrpcHttpStatus;
import io.protogate.http.HttpMetadata;
import io.protogate.http.InProcessCall;
import io.protogate.http.ResponseWriter;
import io.protogate.http.Timeouts;
import io.protogate.json.JsonCodec;
import io.protogate.server.CallTags;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The Connect door (connectrpc.com {@code docs/protocol.md}). Unary calls: {@code POST} with
 * {@code application/proto} or {@code application/json} (the latter only with {@code
 * Connect-Protocol-Version: 1}, so plain JSON posts stay with the HTTP/JSON door), and {@code GET}
 * with the message in the query for methods marked {@code NO_SIDE_EFFECTS}. Streaming calls:
 * {@code application/connect+proto|json} envelopes, ending with an end-stream message that holds
 * the error and trailers. Errors are Connect's JSON with the HTTP status of code.proto's table,
 * which is Connect's. Calls go
 * in-process, so handlers, stubs and upstream routes answer as for gRPC callers.
 */
public final class ConnectHandler extends Handler.Abstract {
  private static final int END_STREAM = 0x02;
  private static final int COMPRESSED = 0x01;
  private static final String PROTOCOL_VERSION = "connect-protocol-version";

  private final io.grpc.Channel channel;
  private final Supplier<Schema> schema;
  private final int maxRequestBytes;

  /**
   * Calls the methods of the schema {@code schema} supplies at each request through {@code
   * channel}; a request message over {@code maxRequestBytes} is refused.
   */
  public ConnectHandler(io.grpc.Channel channel, Supplier<Schema> schema, int maxRequestBytes) {
    this.channel = channel;
    this.schema = schema;
    this.maxRequestBytes = maxRequestBytes;
  }

  /** What a request is, by its method, content type and Connect header. */
  private enum Kind { UNARY_PROTO, UNARY_JSON, UNARY_GET, STREAM_PROTO, STREAM_JSON, UNKNOWN_CODEC }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Kind kind = kind(request);
    if (kind == null) {
      return false;
    }
    Schema served = schema.get();
    String path = Request.getPathInContext(request);
    Descriptors.MethodDescriptor method =
        path.length() > 1 ? served.findMethod(path.substring(1)).orElse(null) : null;
    String version = request.getHeaders().get(PROTOCOL_VERSION);
    boolean stream = kind == Kind.STREAM_PROTO || kind == Kind.STREAM_JSON;
    Reply reply = new Reply(response, callback, stream, kind == Kind.STREAM_JSON);
    if (version != null && !version.trim().equals("1")) {
      reply.error(Status.INVALID_ARGUMENT.withDescription("Connect-Protocol-Version " + version
          + " is not supported; send 1"), new Metadata(), new Metadata());
      return true;
    }
    if (kind == Kind.UNKNOWN_CODEC) {
      response.setStatus(415);
      response.getHeaders().put("Accept-Post", "application/json, application/proto,"
          + " application/connect+json, application/connect+proto");
      response.write(true, null, callback);
      return true;
    }
    if (method == null) {
      reply.error(Status.UNIMPLEMENTED.withDescription("no method " + path.substring(
          Math.min(1, path.length())) + " in the served contract; the path is"
          + " /package.Service/Method"), new Metadata(), new Metadata());
      return true;
    }
    MethodType type = Schema.methodType(method);
    if (stream == (type == MethodType.UNARY)) {
      response.setStatus(415);
      response.getHeaders().put("Accept-Post", stream
          ? "application/json, application/proto"
          : "application/connect+json, application/connect+proto");
      response.write(true, null, callback);
      return true;
    }
    Metadata headers;
    Deadline deadline;
    try {
      headers = CallTags.tag(HttpMetadata.fromHeaders(request.getHeaders()), CallTags.CONNECT,
          HttpMetadata.peer(request));
      deadline = Timeouts.connectTimeout(request.getHeaders().get("connect-timeout-ms"));
    } catch (IllegalArgumentException e) {
      reply.error(Status.INVALID_ARGUMENT.withDescription(e.getMessage()), new Metadata(),
          new Metadata());
      return true;
    }
    Codec codec = new Codec(served, method, kind == Kind.UNARY_JSON || kind == Kind.STREAM_JSON
        || (kind == Kind.UNARY_GET && "json".equals(query(request, "encoding"))));
    reply.contentType(stream
        ? (codec.json ? "application/connect+json" : "application/connect+proto")
        : (codec.json ? "application/json" : "application/proto"));
    if (kind == Kind.UNARY_GET) {
      if (method.getOptions().getIdempotencyLevel() != IdempotencyLevel.NO_SIDE_EFFECTS) {
        response.getHeaders().put(HttpHeader.ALLOW, "POST");
        reply.error(Status.UNIMPLEMENTED.withDescription(Schema.fullMethodName(method)
            + " may have side effects, so it takes POST; only methods with"
            + " idempotency_level = NO_SIDE_EFFECTS answer GET"), new Metadata(), new Metadata());
        return true;
      }
      byte[] message;
      try {
        message = codec.request(getMessage(request));
      } catch (IllegalArgumentException e) {
        reply.error(Status.INVALID_ARGUMENT.withDescription(e.getMessage()), new Metadata(),
            new Metadata());
        return true;
      }
      unary(request, reply, codec, method, headers, deadline, message);
      return true;
    }
    if (!stream) {
      Content.Source.asByteArrayAsync(request, maxRequestBytes + 1).whenComplete(
          (body, failure) -> {
            byte[] message;
            try {
              if (failure != null || body.length > maxRequestBytes) {
                throw new IllegalStateException("the request is larger than " + maxRequestBytes
                    + " bytes");
              }
              message = codec.request(decompress(body,
                  request.getHeaders().get(HttpHeader.CONTENT_ENCODING)));
            } catch (IllegalStateException e) {
              reply.error(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()),
                  new Metadata(), new Metadata());
              return;
            } catch (IllegalArgumentException e) {
              reply.error(Status.INVALID_ARGUMENT.withDescription(e.getMessage()),
                  new Metadata(), new Metadata());
              return;
            }
            unary(request, reply, codec, method, headers, deadline, message);
          });
      return true;
    }
    streaming(request, reply, codec, method, headers, deadline);
    return true;
  }

  private static Kind kind(Request request) {
    String method = request.getMethod();
    if ("GET".equals(method)) {
      String query = request.getHttpURI().getQuery();
      return query != null && query.contains("message=") ? Kind.UNARY_GET : null;
    }
    if (!"POST".equals(method)) {
      return null;
    }
    String header = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    String type = header == null ? "" : header.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    boolean connect = request.getHeaders().contains(PROTOCOL_VERSION);
    return switch (type) {
      case "application/proto" -> Kind.UNARY_PROTO;
      case "application/json" -> connect ? Kind.UNARY_JSON : null;
      case "application/connect+proto" -> Kind.STREAM_PROTO;
      case "application/connect+json" -> Kind.STREAM_JSON;
      default -> connect || type.startsWith("application/connect+") ? Kind.UNKNOWN_CODEC : null;
    };
  }

  private void unary(Request request, Reply reply, Codec codec,
      Descriptors.MethodDescriptor method, Metadata headers, Deadline deadline, byte[] message) {
    ClientCall<byte[], byte[]> call = InProcessCall.start(channel, method, headers, deadline,
        new InProcessCall.Responses() {
          private Metadata responseHeaders = new Metadata();
          private byte[] answer;

          @Override
          public void onHeaders(Metadata metadata) {
            responseHeaders = metadata;
          }

          @Override
          public void onMessage(byte[] response, Runnable written) {
            answer = response;
            written.run();
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            if (status.isOk() && answer != null) {
              reply.unary(responseHeaders, codec.response(answer), trailers);
            } else {
              reply.error(status.isOk() ? Status.UNIMPLEMENTED.withDescription(
                  "the method answered no message") : status, responseHeaders, trailers);
            }
          }
        });
    request.addFailureListener(failure -> call.cancel("the HTTP client went away", failure));
    call.sendMessage(message);
    call.halfClose();
  }

  /**
   * Reads request envelopes as they arrive (on this request's thread: reading blocks) and streams
   * response envelopes out as the method answers.
   */
  private void streaming(Request request, Reply reply, Codec codec,
      Descriptors.MethodDescriptor method, Metadata headers, Deadline deadline) {
    ClientCall<byte[], byte[]> call = InProcessCall.start(channel, method, headers, deadline,
        new InProcessCall.Responses() {
          @Override
          public void onHeaders(Metadata metadata) {
            reply.headers(metadata);
          }

          @Override
          public void onMessage(byte[] message, Runnable written) {
            reply.envelope(0, codec.response(message), written);
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            reply.endStream(status, trailers);
          }
        });
    request.addFailureListener(failure -> call.cancel("the HTTP client went away", failure));
    try (DataInputStream in = new DataInputStream(Content.Source.asInputStream(request))) {
      while (true) {
        int flags = in.read();
        if (flags < 0) {
          break;
        }
        int length = in.readInt();
        if ((flags & COMPRESSED) != 0) {
          throw new IllegalArgumentException("compressed envelopes are not accepted; send the"
              + " stream uncompressed");
        }
        if (length < 0 || length > maxRequestBytes) {
          call.cancel("request too large", Status.RESOURCE_EXHAUSTED.withDescription(
              "a request message of " + Integer.toUnsignedString(length) + " bytes is over the "
                  + maxRequestBytes + "-byte limit").asRuntimeException());
          return;
        }
        call.sendMessage(codec.request(in.readNBytes(length)));
      }
      call.halfClose();
    } catch (EOFException e) {
      call.cancel("the request stream ends inside an envelope", Status.INVALID_ARGUMENT
          .withDescription("the request stream ends inside an envelope").asRuntimeException());
    } catch (IllegalArgumentException e) {
      call.cancel(e.getMessage(),
          Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
    } catch (IOException e) {
      call.cancel("reading the request failed", e);
    }
  }

  private static String query(Request request, String name) {
    Fields fields = Request.extractQueryParameters(request, UTF_8);
    return fields.getValue(name);
  }

  private static byte[] getMessage(Request request) {
    Fields fields = Request.extractQueryParameters(request, UTF_8);
    String message = fields.getValue("message");
    String encoding = fields.getValue("encoding");
    if (!"json".equals(encoding) && !"proto".equals(encoding)) {
      throw new IllegalArgumentException("encoding=" + encoding + " is not a Connect codec;"
          + " use encoding=json or encoding=proto");
    }
    if ("1".equals(fields.getValue("base64"))) {
      try {
        return Base64.getUrlDecoder().decode(message.replace('+', '-').replace('/', '_')
            .replace("=", ""));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("message is not base64url: " + e.getMessage());
      }
    }
    if ("proto".equals(encoding)) {
      throw new IllegalArgumentException("a binary message in the query needs base64=1");
    }
    return message.getBytes(UTF_8);
  }

  private static byte[] decompress(byte[] body, String encoding) {
    if (encoding == null || encoding.equalsIgnoreCase("identity")) {
      return body;
    }
    if (!encoding.equalsIgnoreCase("gzip")) {
      throw new IllegalArgumentException("Content-Encoding " + encoding + " is not supported;"
          + " send gzip or identity");
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalArgumentException("the gzip body does not inflate: " + e.getMessage());
    }
  }

  /** Request and response messages in the call's codec: protobuf bytes pass through. */
  private static final class Codec {
    private final Descriptors.MethodDescriptor method;
    private final boolean json;
    private final JsonCodec jsonCodec;

    Codec(Schema schema, Descriptors.MethodDescriptor method, boolean json) {
      this.method = method;
      this.json = json;
      this.jsonCodec = json ? JsonCodec.of(schema).compact() : null;
    }

    byte[] request(byte[] message) {
      return json
          ? jsonCodec.parse(new String(message, UTF_8), method.getInputType()).toByteArray()
          : message;
    }

    byte[] response(byte[] message) {
      if (!json) {
        return message;
      }
      try {
        return jsonCodec.print(DynamicMessage.parseFrom(method.getOutputType(), message))
            .getBytes(UTF_8);
      } catch (InvalidProtocolBufferException e) {
        // The server checked the answer's type before sending it.
        throw new IllegalStateException(
            "the answer is not a " + method.getOutputType().getFullName(), e);
      }
    }
  }

  /** Writes one call's answer in the shape of its protocol: unary or envelopes. */
  private static final class Reply {
    private final Response response;
    private final Callback callback;
    private final boolean stream;
    private final boolean jsonStream;
    private final ResponseWriter writer;

    Reply(Response response, Callback callback, boolean stream, boolean jsonStream) {
      this.response = response;
      this.callback = callback;
      this.stream = stream;
      this.jsonStream = jsonStream;
      this.writer = new ResponseWriter(response, callback);
    }

    void contentType(String type) {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    }

    void headers(Metadata metadata) {
      HttpMetadata.toHeaders(metadata, "", response.getHeaders());
    }

    void unary(Metadata headers, byte[] body, Metadata trailers) {
      headers(headers);
      HttpMetadata.toHeaders(trailers, "trailer-", response.getHeaders());
      response.setStatus(200);
      response.write(true, ByteBuffer.wrap(body), callback);
    }

    void envelope(int flags, byte[] payload, Runnable written) {
      writer.write(ByteBuffer.allocate(5 + payload.length).put((byte) flags)
          .putInt(payload.length).put(payload).flip(), written);
    }

    void endStream(Status status, Metadata trailers) {
      JsonObject end = new JsonObject();
      if (!status.isOk()) {
        end.add("error", errorJson(status, trailers));
      }
      JsonObject metadata = new JsonObject();
      HttpFields.Mutable fields = HttpFields.build();
      HttpMetadata.toHeaders(trailers, "", fields);
      fields.forEach(field -> {
        JsonArray values = metadata.has(field.getLowerCaseName())
            ? metadata.getAsJsonArray(field.getLowerCaseName()) : new JsonArray();
        values.add(field.getValue());
        metadata.add(field.getLowerCaseName(), values);
      });
      if (!metadata.isEmpty()) {
        end.add("metadata", metadata);
      }
      byte[] payload = end.toString().getBytes(UTF_8);
      writer.finish(ByteBuffer.allocate(5 + payload.length).put((byte) END_STREAM)
          .putInt(payload.length).put(payload).flip());
    }

    void error(Status status, Metadata headers, Metadata trailers) {
      if (stream) {
        headers(headers);
        endStream(status, trailers);
        return;
      }
      headers(headers);
      HttpMetadata.toHeaders(trailers, "trailer-", response.getHeaders());
      response.setStatus(GrpcHttpStatus.of(status.getCode()));
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.write(true, ByteBuffer.wrap(errorJson(status, trailers).toString()
          .getBytes(UTF_8)), callback);
    }

    /** Connect's error: its code name, the message, and the details as type and base64 value. */
    private static JsonObject errorJson(Status status, Metadata trailers) {
      JsonObject error = new JsonObject();
      error.addProperty("code", codeName(status.getCode()));
      if (status.getDescription() != null) {
        error.addProperty("message", status.getDescription());
      }
      com.google.rpc.Status details = StatusProto.fromStatusAndTrailers(status, trailers);
      if (details != null && details.getDetailsCount() > 0) {
        JsonArray array = new JsonArray();
        for (Any any : details.getDetailsList()) {
          JsonObject detail = new JsonObject();
          String url = any.getTypeUrl();
          detail.addProperty("type", url.substring(url.lastIndexOf('/') + 1));
          detail.addProperty("value",
              Base64.getEncoder().withoutPadding().encodeToString(any.getValue().toByteArray()));
          array.add(detail);
        }
        error.add("details", array);
      }
      return error;
    }

    /** Connect's name of a code: {@code not_found} for NOT_FOUND, and CANCELLED {@code canceled}. */
    private static String codeName(Status.Code code) {
      return code == Status.Code.CANCELLED ? "canceled" : code.name().toLowerCase(Locale.ROOT);
    }
  }
}
