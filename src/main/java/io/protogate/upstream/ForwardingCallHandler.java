package io.protogate.upstream;

import io.grpc.CallOptions;
import io.grpc.ClientStreamTracer;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Forwards one method's calls to an upstream without parsing them, in the pattern of grpc-java's
 * {@code GrpcProxy} example: each message read from one side is written to the other, and the
 * next one is asked for only when the receiving side is ready, so a slow reader on either end
 * slows the other instead of filling memory. Request headers go upstream;
 * response headers, messages, status and trailers come back. The call is made inside the server
 * call's gRPC {@code Context}, so the caller's deadline and cancellation reach the upstream.
 */
final class ForwardingCallHandler implements ServerCallHandler<InputStream, InputStream> {
  private final ManagedChannel channel;
  private final Channel calls;
  private final MethodDescriptor<InputStream, InputStream> method;
  private final Upstream upstream;
  private final String service;

  /** Forwards over {@code calls}, which goes through {@code channel}, kept to reconnect it. */
  ForwardingCallHandler(ManagedChannel channel, Channel calls,
      MethodDescriptor<InputStream, InputStream> method, Upstream upstream, String service) {
    this.channel = channel;
    this.calls = calls;
    this.method = method;
    this.upstream = upstream;
    this.service = service;
  }

  @Override
  public ServerCall.Listener<InputStream> startCall(
      ServerCall<InputStream, InputStream> serverCall, Metadata headers) {
    // grpc-java fails calls fast while it waits out its reconnect backoff (up to two minutes):
    // trying again now means an upstream that is back is used by this very call.
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      channel.resetConnectBackoff();
    }
    CallOptions options = CallOptions.DEFAULT;
    if (upstream.deadline() != null) {
      // The caller's own deadline, from the Context, still applies when it is sooner.
      options = options.withDeadlineAfter(upstream.deadline().toNanos(), TimeUnit.NANOSECONDS);
    }
    AtomicBoolean upstreamSentStatus = new AtomicBoolean();
    options = options.withStreamTracerFactory(new ClientStreamTracer.Factory() {
      @Override
      public ClientStreamTracer newClientStreamTracer(
          ClientStreamTracer.StreamInfo info, Metadata headers) {
        return new ClientStreamTracer() {
          @Override
          public void inboundTrailers(Metadata trailers) {
            upstreamSentStatus.set(true);
          }
        };
      }
    });
    ClientCall<InputStream, InputStream> clientCall = calls.newCall(method, options);
    Forwarding forwarding = new Forwarding(serverCall, clientCall, upstreamSentStatus);
    // The caller's headers go as they are: HTTP/2 forbids connection-specific headers, so none
    // arrive, and grpc-java's client replaces the per-hop gRPC ones (grpc-timeout, te,
    // content-type, user-agent, grpc-encoding) with its own.
    clientCall.start(forwarding.fromUpstream, headers);
    serverCall.request(1);
    clientCall.request(1);
    return forwarding.fromCaller;
  }

  /** One forwarded call: the caller's side and the upstream's side, each pacing the other. */
  private final class Forwarding {
    private final ServerCall<InputStream, InputStream> serverCall;
    private final ClientCall<InputStream, InputStream> clientCall;
    final ServerCall.Listener<InputStream> fromCaller = new FromCaller();
    final ClientCall.Listener<InputStream> fromUpstream = new FromUpstream();
    // Guarded by this: a message arrived while the other side could not take more, so the next
    // one is asked for when it says it is ready.
    private boolean callerWaits;
    private boolean upstreamWaits;
    private volatile boolean upstreamSentHeaders;
    /** Set when the upstream's trailers arrive: a status the upstream itself gave. */
    private final AtomicBoolean upstreamSentStatus;

    Forwarding(ServerCall<InputStream, InputStream> serverCall,
        ClientCall<InputStream, InputStream> clientCall, AtomicBoolean upstreamSentStatus) {
      this.serverCall = serverCall;
      this.clientCall = clientCall;
      this.upstreamSentStatus = upstreamSentStatus;
    }

    private final class FromCaller extends ServerCall.Listener<InputStream> {
      @Override
      public void onMessage(InputStream message) {
        try {
          clientCall.sendMessage(PassThrough.own(message));
        } catch (IOException e) {
          clientCall.cancel("cannot read the caller's message", e);
          return;
        }
        synchronized (Forwarding.this) {
          if (clientCall.isReady()) {
            serverCall.request(1);
          } else {
            callerWaits = true;
          }
        }
      }

      @Override
      public void onHalfClose() {
        clientCall.halfClose();
      }

      @Override
      public void onCancel() {
        clientCall.cancel("the caller cancelled the call", null);
      }

      @Override
      public void onReady() {
        synchronized (Forwarding.this) {
          if (upstreamWaits) {
            upstreamWaits = false;
            clientCall.request(1);
          }
        }
      }
    }

    private final class FromUpstream extends ClientCall.Listener<InputStream> {
      @Override
      public void onHeaders(Metadata headers) {
        upstreamSentHeaders = true;
        serverCall.sendHeaders(headers);
      }

      @Override
      public void onMessage(InputStream message) {
        try {
          serverCall.sendMessage(PassThrough.own(message));
        } catch (IOException e) {
          clientCall.cancel("cannot read the upstream's message", e);
          return;
        }
        synchronized (Forwarding.this) {
          if (serverCall.isReady()) {
            clientCall.request(1);
          } else {
            upstreamWaits = true;
          }
        }
      }

      @Override
      public void onReady() {
        synchronized (Forwarding.this) {
          if (callerWaits) {
            callerWaits = false;
            serverCall.request(1);
          }
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        Status answer = UpstreamFailures.describe(status, upstreamSentHeaders, upstream, service);
        if (!answer.isOk() && answer.getCause() == null && !upstreamSentStatus.get()) {
          // The gateway's own client ended the call (a response over its size limit, a reset
          // stream): a cause, which never reaches the caller, marks it as not the upstream's
          // answer for whoever reads the status on this side (the recorder).
          answer = answer.withCause(new IllegalStateException(
              "ended by the gateway's client; the upstream sent no status"));
        }
        serverCall.close(answer, trailers);
      }
    }
  }
}
