import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.HandlerRegistry;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * The reference proxy of the proxy benchmark: the design of grpc-java's {@code
 * examples/.../grpcproxy/GrpcProxy.java} (Apache-2.0), which is not published as an artifact, so
 * it is written here again in our own code, keeping every choice that matters for speed as the
 * example makes it: a fallback registry that forwards any method name with {@code
 * MethodType.UNKNOWN}, messages copied into {@code byte[]} both ways, {@code CallOptions.DEFAULT},
 * grpc-java's default executors on both sides, and one message requested at a time while the
 * other side is ready. Usage: ReferenceProxy PORT UPSTREAM_HOST:PORT (binds 127.0.0.1).
 */
public final class ReferenceProxy {
  private ReferenceProxy() {}

  /** Messages as byte arrays: read whole on arrival, as the example does. */
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
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

  static ServerCallHandler<byte[], byte[]> forwarder(ManagedChannel upstream) {
    return (serverCall, headers) -> {
      ClientCall<byte[], byte[]> clientCall =
          upstream.newCall(serverCall.getMethodDescriptor(), CallOptions.DEFAULT);
      Object lock = new Object();
      boolean[] waiting = new boolean[2]; // [0]: the caller's next message, [1]: the upstream's
      clientCall.start(new ClientCall.Listener<>() {
        @Override
        public void onHeaders(Metadata responseHeaders) {
          serverCall.sendHeaders(responseHeaders);
        }

        @Override
        public void onMessage(byte[] message) {
          serverCall.sendMessage(message);
          synchronized (lock) {
            if (serverCall.isReady()) {
              clientCall.request(1);
            } else {
              waiting[1] = true;
            }
          }
        }

        @Override
        public void onReady() {
          synchronized (lock) {
            if (waiting[0]) {
              waiting[0] = false;
              serverCall.request(1);
            }
          }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          serverCall.close(status, trailers);
        }
      }, headers);
      serverCall.request(1);
      clientCall.request(1);
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(byte[] message) {
          clientCall.sendMessage(message);
          synchronized (lock) {
            if (clientCall.isReady()) {
              serverCall.request(1);
            } else {
              waiting[0] = true;
            }
          }
        }

        @Override
        public void onHalfClose() {
          clientCall.halfClose();
        }

        @Override
        public void onCancel() {
          clientCall.cancel("the caller cancelled", null);
        }

        @Override
        public void onReady() {
          synchronized (lock) {
            if (waiting[1]) {
              waiting[1] = false;
              clientCall.request(1);
            }
          }
        }
      };
    };
  }

  public static void main(String[] args) throws Exception {
    ManagedChannel upstream =
        NettyChannelBuilder.forTarget(args[1], InsecureChannelCredentials.create()).build();
    ServerCallHandler<byte[], byte[]> forward = forwarder(upstream);
    Server server = NettyServerBuilder
        .forAddress(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])),
            InsecureServerCredentials.create())
        .fallbackHandlerRegistry(new HandlerRegistry() {
          @Override
          public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
            return ServerMethodDefinition.create(
                MethodDescriptor.newBuilder(BYTES, BYTES)
                    .setFullMethodName(methodName)
                    .setType(MethodDescriptor.MethodType.UNKNOWN)
                    .build(),
                forward);
          }
        })
        .build()
        .start();
    System.out.println("reference proxy on 127.0.0.1:" + server.getPort() + " to " + args[1]);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown();
      upstream.shutdown();
    }));
    server.awaitTermination();
  }
}
