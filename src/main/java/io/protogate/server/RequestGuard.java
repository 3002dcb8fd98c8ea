package io.protogate.server;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.DecompressorRegistry;
import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Watches every call from the moment its headers arrive, below the interceptors, where grpc-java
 * would otherwise answer some caller mistakes with a bare stream reset and keep no account of the
 * memory unfinished requests hold.
 *
 * <p>Headers: metadata over the size limit, a malformed {@code grpc-timeout} and an unsupported
 * {@code grpc-encoding} are noted (the bad header removed, which grpc-java allows here) and the
 * call is then refused by {@link EdgeInterceptor} with a status on its own stream.
 *
 * <p>Memory: grpc-java buffers each request message until it is complete, up to the largest size
 * accepted, on as many streams as a client opens. This counts the bytes of unfinished messages
 * per connection and in all, and refuses the stream that would go over either limit with {@code
 * RESOURCE_EXHAUSTED}, which frees what it held: an abusive connection loses its streams, the
 * others keep their share.
 */
final class RequestGuard extends ServerTransportFilter {
  /** What the guard found wrong with a call's headers; the call is refused with it. */
  static final Context.Key<Refusal> REFUSAL = Context.key("protogate-refusal");

  record Refusal(Status status, Metadata trailers) {}

  static final Metadata.Key<String> ACCEPT_ENCODING =
      Metadata.Key.of("grpc-accept-encoding", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TIMEOUT =
      Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> ENCODING =
      Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);
  /** The gRPC spec's TimeoutValue (at most 8 digits) and TimeoutUnit. */
  private static final Pattern TIMEOUT_FORMAT = Pattern.compile("[0-9]{1,8}[HMSmun]");
  private static final Attributes.Key<AtomicLong> CONNECTION_PENDING =
      Attributes.Key.create("protogate.pendingRequestBytes");

  private final int maxHeaderListSize;
  private final long maxPending;
  private final long maxPendingPerConnection;
  private final AtomicLong pending = new AtomicLong();
  private final Set<String> encodings =
      DecompressorRegistry.getDefaultInstance().getKnownMessageEncodings();
  private final String acceptEncoding =
      String.join(",", DecompressorRegistry.getDefaultInstance().getAdvertisedMessageEncodings());

  RequestGuard(ServerLimits limits, int maxMessageSize) {
    this.maxHeaderListSize = limits.maxHeaderListSize();
    this.maxPending = limits.maxPendingBytes();
    this.maxPendingPerConnection = limits.maxPendingBytesPerConnection(maxMessageSize);
  }

  @Override
  public Attributes transportReady(Attributes transport) {
    return transport.toBuilder().set(CONNECTION_PENDING, new AtomicLong()).build();
  }

  /** Bytes of unfinished requests held now, all connections together. */
  long pendingBytes() {
    return pending.get();
  }

  ServerStreamTracer.Factory tracers() {
    return new ServerStreamTracer.Factory() {
      @Override
      public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        return new CallTracer(vet(headers));
      }
    };
  }

  private Refusal vet(Metadata headers) {
    long size = headerListSize(headers);
    if (size > maxHeaderListSize) {
      return refusal(Status.RESOURCE_EXHAUSTED.withDescription("request metadata of " + size
          + " bytes is over the server's limit of " + maxHeaderListSize
          + " (counted as HTTP/2 does: name + value + 32 per entry; serve --max-header-list-size)"));
    }
    String timeout = headers.get(TIMEOUT);
    if (timeout != null && !TIMEOUT_FORMAT.matcher(timeout).matches()) {
      headers.discardAll(TIMEOUT);
      return refusal(Status.INVALID_ARGUMENT.withDescription("malformed grpc-timeout '"
          + excerpt(timeout) + "': expected 1-8 digits and a unit (H, M, S, m, u or n)"));
    }
    String encoding = headers.get(ENCODING);
    if (encoding != null && !encodings.contains(encoding)) {
      headers.discardAll(ENCODING);
      Refusal refusal = refusal(Status.UNIMPLEMENTED.withDescription("grpc-encoding '"
          + excerpt(encoding) + "' is not supported; this server accepts " + acceptEncoding
          + " and identity"));
      refusal.trailers().put(ACCEPT_ENCODING, acceptEncoding);
      return refusal;
    }
    return null;
  }

  private static Refusal refusal(Status status) {
    return new Refusal(status, new Metadata());
  }

  private static String excerpt(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "...";
  }

  // InternalMetadata hands out the bytes as received; the public API would decode every value.
  private static long headerListSize(Metadata headers) {
    long size = 32L * InternalMetadata.headerCount(headers);
    for (byte[] part : InternalMetadata.serialize(headers)) {
      size += part.length;
    }
    return size;
  }

  /** One call's refusal, if any, and the bytes of its unfinished request message. */
  private final class CallTracer extends ServerStreamTracer {
    private final Refusal refusal;
    private AtomicLong connection;
    private long held;

    CallTracer(Refusal refusal) {
      this.refusal = refusal;
    }

    @Override
    public Context filterContext(Context context) {
      return refusal == null ? context : context.withValue(REFUSAL, refusal);
    }

    @Override
    public synchronized void serverCallStarted(ServerCallInfo<?, ?> call) {
      connection = call.getAttributes().get(CONNECTION_PENDING);
    }

    // Called by grpc-java's deframer on the transport thread as message bytes are buffered; what
    // it throws fails the stream with that status, and the stream's close releases what it held.
    @Override
    public synchronized void inboundWireSize(long bytes) {
      held += bytes;
      long all = pending.addAndGet(bytes);
      long ours = connection == null ? 0 : connection.addAndGet(bytes);
      if (ours > maxPendingPerConnection) {
        throw Status.RESOURCE_EXHAUSTED.withDescription("this connection holds " + ours
            + " bytes of unfinished requests, over the server's limit of "
            + maxPendingPerConnection + " per connection; finish or cancel other calls first"
            + " (serve --max-pending-bytes-per-connection)").asRuntimeException();
      }
      if (all > maxPending) {
        throw Status.RESOURCE_EXHAUSTED.withDescription("the server holds " + all
            + " bytes of unfinished requests, over its limit of " + maxPending
            + "; retry later (serve --max-pending-bytes)").asRuntimeException();
      }
    }

    @Override
    public synchronized void inboundMessageRead(
        int seqNo, long optionalWireSize, long optionalUncompressedSize) {
      release(optionalWireSize);
    }

    @Override
    public synchronized void streamClosed(Status status) {
      release(held);
    }

    private void release(long bytes) {
      if (bytes <= 0) {
        return;
      }
      held -= bytes;
      pending.addAndGet(-bytes);
      if (connection != null) {
        connection.addAndGet(-bytes);
      }
    }
  }
}
