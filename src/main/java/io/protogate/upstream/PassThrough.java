package io.protogate.upstream;

import io.grpc.MethodDescriptor;
import java.io.InputStream;

/**
 * Messages as the bytes they arrived in: the stream read from one call is written to the other
 * unparsed. grpc-java's framer reads it fully while {@code sendMessage} runs, before the side
 * that produced it closes it, so nothing is buffered here.
 */
final class PassThrough implements MethodDescriptor.Marshaller<InputStream> {
  static final PassThrough INSTANCE = new PassThrough();

  private PassThrough() {}

  @Override
  public InputStream stream(InputStream value) {
    return value;
  }

  @Override
  public InputStream parse(InputStream stream) {
    return stream;
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
