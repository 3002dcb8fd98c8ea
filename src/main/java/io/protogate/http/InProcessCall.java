package io.protogate.http;

import com.google.protobuf.Descriptors;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.protogate.descriptor.Schema;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * One call of an HTTP door into the server's in-process channel, with messages as bytes so that a
 * door speaking binary protobuf never parses them. Responses are requested one at a time, the next
 * only once the door has written the last one out, so a slow HTTP client slows the call instead of
 * filling memory.
 */
public final class InProcessCall {
  /** Where the call's answer goes, in order: headers, messages, then the close. */
  public interface Responses {
    void onHeaders(Metadata headers);

    /** Writes {@code message} out and runs {@code written} once it is (from any thread). */
    void onMessage(byte[] message, Runnable written);

    void onClose(Status status, Metadata trailers);
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private InProcessCall() {}

  /**
   * Starts {@code method} through {@code channel} with {@code headers} and, if not null, {@code
   * deadline}; the door then sends the request messages and half-closes the returned call.
   */
  public static ClientCall<byte[], byte[]> start(
      Channel channel,
      Descriptors.MethodDescriptor method,
      Metadata headers,
      Deadline deadline,
      Responses responses) {
    MethodDescriptor<byte[], byte[]> descriptor =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(Schema.methodType(method))
            .setFullMethodName(Schema.fullMethodName(method))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    ClientCall<byte[], byte[]> call =
        channel.newCall(descriptor, CallOptions.DEFAULT.withDeadline(deadline));
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onHeaders(Metadata metadata) {
        responses.onHeaders(metadata);
      }

      @Override
      public void onMessage(byte[] message) {
        responses.onMessage(message, () -> call.request(1));
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        responses.onClose(status, trailers);
      }
    }, headers);
    call.request(1);
    return call;
  }
}
