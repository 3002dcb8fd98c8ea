package io.protogate.server;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Tells the client which contract answered: every call of a snapshot's services carries that
 * snapshot's schema version in a response header (or, for a call that fails before sending
 * headers, in its trailers). A call that started before a swap reports the version it ran on.
 */
final class VersionHeader implements ServerInterceptor {
  static final Metadata.Key<String> KEY =
      Metadata.Key.of("protogate-contract-version", Metadata.ASCII_STRING_MARSHALLER);

  private final String version;

  VersionHeader(String version) {
    this.version = version;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    return next.startCall(new SimpleForwardingServerCall<>(call) {
      private boolean headersSent;

      @Override
      public void sendHeaders(Metadata responseHeaders) {
        headersSent = true;
        responseHeaders.put(KEY, version);
        super.sendHeaders(responseHeaders);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        if (!headersSent) {
          trailers.put(KEY, version);
        }
        super.close(status, trailers);
      }
    }, headers);
  }
}
