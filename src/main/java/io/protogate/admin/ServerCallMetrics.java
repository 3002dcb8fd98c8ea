package io.protogate.admin;

import io.grpc.Context;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.inprocess.InProcessSocketAddress;
import io.protogate.server.CallTags;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures every call Protogate answers, of every door, and hands each finished call to the
 * access log when there is one. The door is {@code grpc} for calls over the network and the
 * {@link CallTags#DOOR} header for calls through the in-process channel; both tag headers are
 * removed before the call goes on. A call is finished when it is closed or cancelled, whichever
 * comes first.
 */
final class ServerCallMetrics implements ServerInterceptor {
  private static final String IN_PROCESS = "in-process";

  private final RpcMeters meters;
  private final AccessLog log;

  /** Measures into {@code meters}; logs to {@code log} unless it is null. */
  ServerCallMetrics(RpcMeters meters, AccessLog log) {
    this.meters = meters;
    this.log = log;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    boolean inProcess = remote instanceof InProcessSocketAddress;
    String door = inProcess ? orElse(headers.get(CallTags.DOOR), IN_PROCESS) : CallTags.GRPC;
    String peer = log == null ? null
        : inProcess ? orElse(headers.get(CallTags.PEER), IN_PROCESS) : address(remote);
    headers.discardAll(CallTags.DOOR);
    headers.discardAll(CallTags.PEER);
    Metered<ReqT, RespT> metered =
        new Metered<>(call, meters.method(door, call.getMethodDescriptor()), door, peer);
    if (log == null) {
      return metered.listen(start(next, metered, headers));
    }
    // The tier that answers names itself into this slot while the call starts.
    Context context = Context.current().withValue(CallTags.ANSWERED_BY, metered.answeredBy);
    Context previous = context.attach();
    try {
      return metered.listen(start(next, metered, headers));
    } finally {
      context.detach(previous);
    }
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> start(
      ServerCallHandler<ReqT, RespT> next, Metered<ReqT, RespT> call, Metadata headers) {
    try {
      return next.startCall(call, headers);
    } catch (RuntimeException e) {
      call.finish(Status.fromThrowable(e));
      throw e;
    }
  }

  /**
   * Who answers a call no tier of Dispatch names: the server's own reflection and health
   * services, or nobody Protogate knows of (a service added to the builder).
   */
  private static String builtIn(String service) {
    if ("grpc.health.v1.Health".equals(service)) {
      return "health";
    }
    return service != null && service.startsWith("grpc.reflection.") ? "reflection" : "unknown";
  }

  private static String orElse(String value, String otherwise) {
    return value == null ? otherwise : value;
  }

  private static String address(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      String host = inet.getAddress().getHostAddress();
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
    return String.valueOf(remote);
  }

  /** One call being measured: its counts, and the one place it finishes. */
  private final class Metered<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
    private final RpcMeters.Method method;
    private final String door;
    private final String peer;
    private final long startNanos = System.nanoTime();
    private final long startMillis;
    private final AtomicBoolean finished = new AtomicBoolean();
    final AtomicReference<String> answeredBy;
    // Each written by one side of the call only; read once it has finished.
    private long messagesIn;
    private long bytesIn;
    private long messagesOut;
    private long bytesOut;
    private volatile String version;

    Metered(ServerCall<ReqT, RespT> call, RpcMeters.Method method, String door, String peer) {
      super(call);
      this.method = method;
      this.door = door;
      this.peer = peer;
      this.startMillis = log == null ? 0 : System.currentTimeMillis();
      this.answeredBy = log == null ? null
          : new AtomicReference<>(builtIn(call.getMethodDescriptor().getServiceName()));
      method.started();
    }

    ServerCall.Listener<ReqT> listen(ServerCall.Listener<ReqT> listener) {
      return new SimpleForwardingServerCallListener<>(listener) {
        @Override
        public void onMessage(ReqT message) {
          long bytes = RpcMeters.size(message);
          method.received(bytes);
          messagesIn++;
          bytesIn += bytes;
          super.onMessage(message);
        }

        @Override
        public void onCancel() {
          finish(Status.CANCELLED);
          super.onCancel();
        }
      };
    }

    @Override
    public void sendHeaders(Metadata headers) {
      if (log != null) {
        version = headers.get(CallTags.CONTRACT_VERSION);
      }
      super.sendHeaders(headers);
    }

    @Override
    public void sendMessage(RespT message) {
      long bytes = RpcMeters.size(message);
      super.sendMessage(message);
      method.sent(bytes);
      messagesOut++;
      bytesOut += bytes;
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (log != null && version == null) {
        version = trailers.get(CallTags.CONTRACT_VERSION);
      }
      super.close(status, trailers);
      finish(status);
    }

    void finish(Status status) {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      long nanos = System.nanoTime() - startNanos;
      method.finished(status.getCode(), nanos);
      if (log != null) {
        log.offer(new AccessLog.Entry(startMillis, peer, door, getMethodDescriptor()
            .getFullMethodName(), status.getCode().name(), nanos, messagesIn, bytesIn,
            messagesOut, bytesOut, version, answeredBy.get()));
      }
    }
  }
}
