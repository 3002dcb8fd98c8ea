package io.protogate.admin;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

/** Measures the calls made to one upstream, with its name in the {@code upstream} label. */
final class ClientCallMetrics implements ClientInterceptor {
  private final RpcMeters meters;
  private final String upstream;

  ClientCallMetrics(RpcMeters meters, String upstream) {
    this.meters = meters;
    this.upstream = upstream;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
    RpcMeters.Method meters = this.meters.method(upstream, method);
    return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        long start = System.nanoTime();
        meters.started();
        super.start(new SimpleForwardingClientCallListener<>(listener) {
          @Override
          public void onMessage(RespT message) {
            meters.received(RpcMeters.size(message));
            super.onMessage(message);
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            meters.finished(status.getCode(), System.nanoTime() - start);
            super.onClose(status, trailers);
          }
        }, headers);
      }

      @Override
      public void sendMessage(ReqT message) {
        long bytes = RpcMeters.size(message);
        super.sendMessage(message);
        meters.sent(bytes);
      }
    };
  }
}
