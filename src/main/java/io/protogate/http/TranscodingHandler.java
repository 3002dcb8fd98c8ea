package io.protogate.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.protogate.contract.ContractException;
import io.protogate.contract.LiveContract;
import io.protogate.descriptor.Schema;
import io.protogate.json.JsonCodec;
import io.protogate.json.JsonRequests;
import io.protogate.server.CallTags;
import io.protogate.server.ProtogateServer;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTP/JSON door: a Jetty handler that matches a request against the current contract's
 * {@link HttpRoutes}, builds the request message, calls the method through a gRPC {@link Channel}
 * (in a server, the in-process one into the same dispatch gRPC callers reach) and writes the
 * answer as JSON: one object for a unary method, newline-delimited {@code {"result": ...}} lines
 * or server-sent events for a server stream, and a {@code google.rpc.Status} body on failure.
 * Client and bidi streams read their requests as newline-delimited JSON. A path no route
 * knows is left to the next handler; a known path with another HTTP method gets 405 and Allow.
 *
 * <p>Non-blocking: Jetty may call it on a selector thread, as Netty runs gRPC calls on its event
 * loop, and nothing here waits (dispatch moves handlers that may block to their own pool). Only
 * reading a streamed request body blocks, and that runs on Jetty's thread pool.
 */
public final class TranscodingHandler extends Handler.Abstract.NonBlocking {
  private static final Logger logger = Logger.getLogger(TranscodingHandler.class.getName());
  private static final String METADATA_PREFIX = "grpc-metadata-";

  private final Supplier<HttpRoutes> routes;
  private final Channel channel;
  private final HttpJsonOptions options;
  private volatile Compiled compiled;

  /** What is derived from one contract's routes and the options: rebuilt after a swap. */
  private record Compiled(
      HttpRoutes routes, JsonCodec codec, JsonCodec allFields, ErrorResponses errors) {}

  /**
   * Serves the routes {@code routes} returns at each request (so a swapped contract is seen by
   * the next request) by calling methods on {@code channel}.
   */
  public TranscodingHandler(Supplier<HttpRoutes> routes, Channel channel, HttpJsonOptions options) {
    this.routes = routes;
    this.channel = channel;
    this.options = options;
  }

  /**
   * The door of {@code server}: registers {@link HttpRoutes#PART} on its live contract (a
   * contract whose rules do not compile is refused now, and at every later swap) and calls
   * through its in-process channel, so handlers, stubs, upstream routes, interceptors and
   * deadlines behave as for gRPC callers.
   */
  public static TranscodingHandler of(ProtogateServer server, HttpJsonOptions options)
      throws ContractException {
    LiveContract contract = server.contract();
    contract.register(HttpRoutes.PART);
    return new TranscodingHandler(
        () -> contract.current().part(HttpRoutes.PART), server.channel(), options);
  }

  private Compiled compiled() {
    HttpRoutes current = routes.get();
    Compiled c = compiled;
    if (c == null || c.routes != current) {
      Schema schema = current.schema();
      JsonCodec codec =
          JsonCodec.of(schema, options.emitDefaults(), options.protoNames()).compact();
      c = new Compiled(current,
          options.ignoreUnknown() ? codec.ignoringUnknownFields() : codec,
          JsonCodec.of(schema, true, options.protoNames()).compact(),
          new ErrorResponses(schema));
      compiled = c;
    }
    return c;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    Compiled c = compiled();
    String path = request.getHttpURI().getPath();
    Set<String> allowed = new TreeSet<>();
    PathMatcher.Match<Route> match = c.routes.match(request.getMethod(), path, allowed);
    if (match == null) {
      if (allowed.isEmpty()) {
        return false;
      }
      response.getHeaders().put(HttpHeader.ALLOW, String.join(", ", allowed));
      ErrorResponses.send(response, callback, 405, ErrorResponses.plainJson(
          Status.UNIMPLEMENTED.withDescription(request.getMethod() + " is not allowed on "
              + path + "; it takes " + String.join(", ", allowed))));
      return true;
    }
    Route route = match.route();
    Metadata headers;
    CallOptions callOptions;
    try {
      headers = CallTags.tag(metadata(request.getHeaders()), CallTags.HTTP,
          HttpMetadata.peer(request));
      callOptions = callOptions(request.getHeaders());
    } catch (IllegalArgumentException e) {
      c.errors.send(response, callback, Status.INVALID_ARGUMENT.withDescription(e.getMessage()),
          null);
      return true;
    }
    Exchange exchange = new Exchange(c, route, request, response, callback);
    if (route.method().isClientStreaming()) {
      request.getComponents().getThreadPool().execute(
          () -> guarded(exchange, () -> exchange.streamRequests(headers, callOptions)));
    } else {
      Content.Source.asByteArrayAsync(request, options.maxRequestBytes()).whenComplete(
          (bytes, failure) -> guarded(exchange, () -> {
            if (failure != null) {
              exchange.refuseBody(failure);
            } else {
              exchange.unaryRequest(new String(bytes, UTF_8), match.segments(), headers,
                  callOptions);
            }
          }));
    }
    return true;
  }

  /**
   * Runs {@code step} so that an unexpected exception answers 500 instead of vanishing into a
   * future or a pool thread and leaving the caller waiting forever.
   */
  private static void guarded(Exchange exchange, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException | Error e) {
      logger.log(Level.WARNING, "HTTP/JSON request failed", e);
      exchange.failUnexpectedly(e);
    }
  }

  /** Request headers as metadata: the allow-list, and Grpc-Metadata-* without its prefix. */
  private Metadata metadata(HttpFields fields) {
    Metadata metadata = new Metadata();
    for (HttpField field : fields) {
      String name = field.getLowerCaseName();
      String key;
      if (name.startsWith(METADATA_PREFIX)) {
        key = name.substring(METADATA_PREFIX.length());
      } else if (options.forwardedHeaders().contains(name)) {
        key = name;
      } else {
        continue;
      }
      HttpMetadata.put(metadata, key, field.getValue());
    }
    return metadata;
  }

  /** The deadline from {@code grpc-timeout} (gRPC's form) or {@code X-Request-Timeout} (s). */
  private static CallOptions callOptions(HttpFields fields) {
    Deadline deadline = Timeouts.grpcTimeout(fields.get("grpc-timeout"));
    if (deadline == null) {
      deadline = Timeouts.requestTimeout(fields.get("x-request-timeout"));
    }
    return CallOptions.DEFAULT.withDeadline(deadline);
  }


  private enum Framing {
    SINGLE, NDJSON, SSE
  }

  /** One HTTP request and the call it became; the listener's callbacks are serialized. */
  private final class Exchange extends ClientCall.Listener<DynamicMessage> {
    private final Compiled c;
    private final Route route;
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Framing framing;
    private ClientCall<DynamicMessage, DynamicMessage> call;
    private Metadata responseHeaders;
    private DynamicMessage single;
    private boolean started;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    // Set by the thread reading a request stream before it cancels the call.
    private volatile Status localFailure;

    Exchange(Compiled c, Route route, Request request, Response response, Callback callback) {
      this.c = c;
      this.route = route;
      this.request = request;
      this.response = response;
      this.callback = callback;
      String accept = request.getHeaders().get(HttpHeader.ACCEPT);
      this.framing = !route.method().isServerStreaming() ? Framing.SINGLE
          : accept != null && accept.contains("text/event-stream") ? Framing.SSE
          : Framing.NDJSON;
    }

    void failUnexpectedly(Throwable e) {
      if (call != null) {
        localFailure = Status.INTERNAL.withDescription("the HTTP/JSON door failed: " + e);
        call.cancel("the HTTP/JSON door failed", e);
      } else if (!response.isCommitted()) {
        c.errors.send(response, callback,
            Status.INTERNAL.withDescription("the HTTP/JSON door failed: " + e), null);
      } else {
        callback.failed(e);
      }
    }

    void refuseBody(Throwable failure) {
      // Counted, not read from the exception: Jetty says "Max size exceeded" in its own words.
      long max = options.maxRequestBytes();
      if (request.getLength() > max || Request.getContentBytesRead(request) > max) {
        ErrorResponses.send(response, callback, 413, c.errors.json(Status.RESOURCE_EXHAUSTED
            .withDescription("the request body is larger than " + max + " bytes; send less"),
            null));
        return;
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      c.errors.send(response, callback, Status.INVALID_ARGUMENT
          .withDescription("cannot read the request body: " + cause.getMessage()), null);
    }

    void unaryRequest(String body, List<String> segments, Metadata headers,
        CallOptions callOptions) {
      DynamicMessage message;
      try {
        message = RequestBinder.bind(route, segments, request.getHttpURI().getQuery(), body,
            c.codec, options.ignoreUnknown());
      } catch (IllegalArgumentException e) {
        c.errors.send(response, callback, Status.INVALID_ARGUMENT.withDescription(e.getMessage()),
            null);
        return;
      }
      start(headers, callOptions);
      call.sendMessage(message);
      call.halfClose();
    }

    /** Client and bidi streams: sends each JSON object of the body as it is read. */
    void streamRequests(Metadata headers, CallOptions callOptions) {
      start(headers, callOptions);
      try (Reader reader = new InputStreamReader(Content.Source.asInputStream(request), UTF_8)) {
        JsonRequests requests =
            new JsonRequests(reader, c.codec, route.method().getInputType());
        while (requests.hasNext()) {
          call.sendMessage(requests.next());
        }
        call.halfClose();
      } catch (Exception e) {
        // A bad line ends the call: the caller learns which request was wrong, not "cancelled".
        localFailure = Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        call.cancel(e.getMessage(), null);
      }
    }

    private void start(Metadata headers, CallOptions callOptions) {
      call = channel.newCall(route.call(), callOptions);
      request.addFailureListener(failure -> call.cancel("the HTTP request failed", failure));
      call.start(this, headers);
      call.request(1);
    }

    @Override
    public void onHeaders(Metadata headers) {
      responseHeaders = headers;
    }

    @Override
    public void onMessage(DynamicMessage message) {
      if (framing == Framing.SINGLE) {
        single = message;
        call.request(1);
        return;
      }
      String json;
      try {
        json = body(message);
      } catch (IllegalArgumentException e) {
        localFailure = Status.INTERNAL.withDescription(e.getMessage());
        call.cancel(e.getMessage(), e);
        return;
      }
      begin();
      String frame = framing == Framing.SSE
          ? "data: " + json + "\n\n"
          : "{\"result\":" + json + "}\n";
      write(frame, false).whenComplete((ignored, failure) -> {
        if (failure == null) {
          call.request(1);
        } else {
          call.cancel("the HTTP client went away", failure);
        }
      });
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (localFailure != null) {
        status = localFailure;
        trailers = null;
      }
      if (framing == Framing.SINGLE && status.isOk() && single != null) {
        String json;
        try {
          json = body(single);
        } catch (IllegalArgumentException e) {
          status = Status.INTERNAL.withDescription(e.getMessage());
          json = null;
        }
        if (json != null) {
          response.setStatus(200);
          HttpFields.Mutable fields = response.getHeaders();
          fields.put(HttpHeader.CONTENT_TYPE, "application/json");
          HttpMetadata.toHeaders(responseHeaders, "Grpc-Metadata-", fields);
          HttpMetadata.toHeaders(trailers, "Grpc-Trailer-", fields);
          response.write(true, ByteBuffer.wrap((json + "\n").getBytes(UTF_8)), callback);
          return;
        }
      }
      if (framing == Framing.SINGLE && status.isOk()) {
        status = Status.INTERNAL.withDescription(route.method().getFullName()
            + " ended without a response");
      }
      if (!started && (framing == Framing.SINGLE || !status.isOk())) {
        HttpMetadata.toHeaders(responseHeaders, "Grpc-Metadata-", response.getHeaders());
        HttpMetadata.toHeaders(trailers, "Grpc-Trailer-", response.getHeaders());
        c.errors.send(response, callback, status, trailers);
        return;
      }
      begin();
      String end = "";
      if (!status.isOk()) {
        String error = c.errors.json(status, trailers);
        end = framing == Framing.SSE
            ? "event: error\ndata: " + error + "\n\n"
            : "{\"error\":" + error + "}\n";
      }
      write(end, true).whenComplete((ignored, failure) -> {
        if (failure == null) {
          callback.succeeded();
        } else {
          logger.log(Level.FINE, "HTTP stream ended early", failure);
          callback.failed(failure);
        }
      });
    }

    private void begin() {
      if (started) {
        return;
      }
      started = true;
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE,
          framing == Framing.SSE ? "text/event-stream" : "application/x-ndjson");
      HttpMetadata.toHeaders(responseHeaders, "Grpc-Metadata-", response.getHeaders());
    }

    /** Writes after the writes before it: Jetty allows one pending write per response. */
    private CompletableFuture<Void> write(String text, boolean last) {
      ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(UTF_8));
      tail = tail.thenCompose(ignored -> {
        Callback.Completable written = new Callback.Completable();
        response.write(last, bytes, written);
        return written;
      });
      return tail;
    }

    /** The JSON of a response, or of its {@code response_body} field. */
    private String body(DynamicMessage message) {
      FieldDescriptor field = route.responseBody();
      if (field == null) {
        return c.codec.print(message);
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()) {
        return c.codec.print((Message) message.getField(field));
      }
      // JsonFormat prints messages only: print one holding just the field, and take it out.
      DynamicMessage only = DynamicMessage.newBuilder(message.getDescriptorForType())
          .setField(field, message.getField(field)).build();
      JsonElement printed = JsonParser.parseString(c.allFields.print(only)).getAsJsonObject()
          .get(options.protoNames() ? field.getName() : field.getJsonName());
      return printed.toString();
    }
  }
}
