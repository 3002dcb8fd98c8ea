package io.protogate.upstream;

import io.grpc.Detachable;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Messages as the bytes they arrived in, both ways: the marshaller of every method the gateway
 * serves (each tier parses, or forwards, as it needs) and of the calls it forwards upstream, where
 * the stream read from one call is written to the other unparsed, after {@link #own} takes it
 * over from the call that read it.
 */
public final class PassThrough implements MethodDescriptor.Marshaller<InputStream> {
  public static final PassThrough INSTANCE = new PassThrough();

  private PassThrough() {}

  @Override
  public InputStream stream(InputStream value) {
    return value;
  }

  @Override
  public InputStream parse(InputStream stream) {
    return stream;
  }

  /**
   * The message's bytes, detached from the call that read them: that call releases its buffers
   * once the listener returns, but the other side may read them later (a client stream still
   * connecting queues its writes; the in-process transport hands the stream itself across).
   * Netty's streams detach without a copy; any other stream is copied.
   */
  static InputStream own(InputStream message) throws IOException {
    if (message instanceof Detachable detachable) {
      return detachable.detach();
    }
    return new ByteArrayInputStream(message.readAllBytes());
  }

  /** The client-side descriptor for forwarding {@code fullMethodName}, of call type {@code type}. */
  static MethodDescriptor<InputStream, InputStream> method(
      String fullMethodName, MethodDescriptor.MethodType type) {
    return MethodDescriptor.newBuilder(INSTANCE, INSTANCE)
        .setFullMethodName(fullMethodName)
        .setType(type)
        .build();
  }
}
