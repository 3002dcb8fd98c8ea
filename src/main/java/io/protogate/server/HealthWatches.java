package io.protogate.server;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the health {@code Watch} calls open now, so that shutdown can end them: a watch never
 * ends by itself, and grpc-java's graceful shutdown would otherwise wait out the whole grace
 * period for it. Watchers have already been told {@code NOT_SERVING} when they are ended.
 */
final class HealthWatches implements ServerInterceptor {
  private final Set<Watch<?, ?>> open = ConcurrentHashMap.newKeySet();
  private volatile boolean ended;

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (!call.getMethodDescriptor().getFullMethodName().equals("grpc.health.v1.Health/Watch")) {
      return next.startCall(call, headers);
    }
    Watch<ReqT, RespT> watch = new Watch<>(call);
    open.add(watch);
    if (ended) {
      watch.end();
    }
    return new SimpleForwardingServerCallListener<>(next.startCall(watch, headers)) {
      @Override
      public void onCancel() {
        open.remove(watch);
        super.onCancel();
      }

      @Override
      public void onComplete() {
        open.remove(watch);
        super.onComplete();
      }
    };
  }

  /** Ends every watch open now, and any that starts later, with {@code UNAVAILABLE}. */
  void endAll() {
    ended = true;
    for (Watch<?, ?> watch : open) {
      watch.end();
    }
  }

  /** A watch call that may be ended from another thread than the health service's. */
  private static final class Watch<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
    private boolean closed;

    Watch(ServerCall<ReqT, RespT> call) {
      super(call);
    }

    synchronized void end() {
      close(Status.UNAVAILABLE.withDescription("the server is shutting down"), new Metadata());
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(RespT message) {
      if (!closed) {
        super.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (!closed) {
        closed = true;
        super.close(status, trailers);
      }
    }
  }
}
