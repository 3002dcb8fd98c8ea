package io.protogate.server;

import io.grpc.Context;
import io.grpc.Metadata;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the code around a call (metrics, the access log) learns about it beyond what gRPC carries:
 * which door it came through, who the door's client was, which contract answered it and which
 * tier. A door that calls through {@link ProtogateServer#channel()} sets {@link #DOOR} (and
 * {@link #PEER}) in the request headers; the metrics interceptor honours them only on the
 * in-process channel, so a network client cannot pose as another door, and strips them before the
 * call reaches its tier.
 */
public final class CallTags {
  /** Request header naming the door of an in-process call: {@code http}, {@code grpc-web}... */
  public static final Metadata.Key<String> DOOR =
      Metadata.Key.of("protogate-door", Metadata.ASCII_STRING_MARSHALLER);

  /** Request header with the door's own client address ({@code host:port}), for the log. */
  public static final Metadata.Key<String> PEER =
      Metadata.Key.of("protogate-peer", Metadata.ASCII_STRING_MARSHALLER);

  /** Response header (or trailer) with the version of the contract that answered the call. */
  public static final Metadata.Key<String> CONTRACT_VERSION = VersionHeader.KEY;

  /**
   * A slot that an interceptor may put in the context of a call's start; the tier that answers
   * writes its name into it: {@code handler}, {@code demo}, {@code stub}, {@code upstream:NAME}
   * or {@code unimplemented}.
   */
  public static final Context.Key<AtomicReference<String>> ANSWERED_BY =
      Context.key("protogate-answered-by");

  public static final String GRPC = "grpc";
  public static final String HTTP = "http";
  public static final String GRPC_WEB = "grpc-web";
  public static final String CONNECT = "connect";

  private CallTags() {}

  /**
   * Names {@code door} and its client {@code peer} ({@code host:port}) in the headers of a call
   * about to go through the in-process channel, replacing whatever the client sent under those
   * names.
   */
  public static Metadata tag(Metadata headers, String door, String peer) {
    headers.discardAll(DOOR);
    headers.discardAll(PEER);
    headers.put(DOOR, door);
    if (peer != null) {
      headers.put(PEER, peer);
    }
    return headers;
  }
}
