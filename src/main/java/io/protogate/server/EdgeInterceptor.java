package io.protogate.server;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.function.Supplier;

/**
 * The first and last word on every call the server answers, whatever service it reaches
 * (dynamic, reflection, health, unknown): refuses a call whose headers {@link RequestGuard}
 * found faulty, and makes every response carry {@code protogate-contract-version}. A call of the
 * contract's own services already carries the version it ran on ({@link VersionHeader}); every
 * other response gets the version served when it started.
 */
final class EdgeInterceptor implements ServerInterceptor {
  private final Supplier<String> version;

  EdgeInterceptor(Supplier<String> version) {
    this.version = version;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    ServerCall<ReqT, RespT> versioned = new Versioned<>(call, version.get());
    RequestGuard.Refusal refusal = RequestGuard.REFUSAL.get();
    if (refusal != null) {
      versioned.close(refusal.status(), refusal.trailers());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(versioned, headers);
  }

  private static final class Versioned<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
    private final String version;
    private boolean headersSent;

    Versioned(ServerCall<ReqT, RespT> call, String version) {
      super(call);
      this.version = version;
    }

    @Override
    public void sendHeaders(Metadata headers) {
      headersSent = true;
      if (!headers.containsKey(VersionHeader.KEY)) {
        headers.put(VersionHeader.KEY, version);
      }
      super.sendHeaders(headers);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!headersSent && !trailers.containsKey(VersionHeader.KEY)) {
        trailers.put(VersionHeader.KEY, version);
      }
      super.close(status, trailers);
    }
  }
}
