package io.protogate.handler;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import java.util.Optional;

/**
 * What a handler knows about the call it is answering: the method's descriptor (and so its
 * response type), the request headers, and the call's deadline and cancellation, which follow the
 * client's; and what it may add to the answer: response headers and trailers. A fresh instance per
 * call; handlers may keep it for the call's lifetime.
 */
public final class CallContext {
  private final MethodDescriptor method;
  private final Metadata headers;
  private final Context context;
  private final Metadata responseHeaders = new Metadata();
  private final Metadata responseTrailers = new Metadata();

  /** Made by the server for each call; public so handlers can be unit-tested without a server. */
  public CallContext(MethodDescriptor method, Metadata headers, Context context) {
    this.method = method;
    this.headers = headers;
    this.context = context;
  }

  public MethodDescriptor method() {
    return method;
  }

  /** The request headers the client sent. */
  public Metadata headers() {
    return headers;
  }

  /**
   * Headers sent with the first response: fill before the first response is sent (later additions
   * go out with the trailers). Not thread-safe: add from the handler's own thread of control.
   */
  public Metadata responseHeaders() {
    return responseHeaders;
  }

  /** Trailers sent when the call ends, whatever its status. */
  public Metadata responseTrailers() {
    return responseTrailers;
  }

  /** A builder for the method's response type, to fill and return. */
  public DynamicMessage.Builder newResponse() {
    return DynamicMessage.newBuilder(method.getOutputType());
  }

  public Descriptor responseType() {
    return method.getOutputType();
  }

  /** The client's deadline, if it set one. */
  public Optional<Deadline> deadline() {
    return Optional.ofNullable(context.getDeadline());
  }

  /** True once the client cancelled or the deadline passed: long work should stop. */
  public boolean isCancelled() {
    return context.isCancelled();
  }

  /** Runs {@code action} when the call is cancelled or its deadline passes. */
  public void onCancel(Runnable action) {
    context.addListener(ignored -> action.run(), Runnable::run);
  }
}
