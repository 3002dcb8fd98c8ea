package io.protogate.upstream;

import com.google.protobuf.DynamicMessage;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.CallContext;
import io.protogate.handler.Fields;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.server.ProtogateServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A backend for the gateway to forward to, on loopback, serving the bundled contracts with
 * handlers that show what reached them: {@code hello} answers {@code <name>:<data>}, sends a
 * response header and a trailer, and has hooks ({@code fail}: NOT_FOUND; {@code pause}: answers
 * after 300 ms; {@code slow}: answers after 5 s unless cancelled); {@code Echo} echoes,
 * or floods when asked, at the pace the transport allows.
 */
final class TestUpstream implements AutoCloseable {
  static final Schema BUNDLED = SchemaLoader.fromSources(BundledDescriptors.sources());
  static final Metadata.Key<String> TENANT =
      Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> NAME =
      Metadata.Key.of("x-upstream-name", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> TRAILER =
      Metadata.Key.of("x-upstream-trailer", Metadata.ASCII_STRING_MARSHALLER);
  static final int FLOOD_MESSAGES = 4000;
  static final int FLOOD_BYTES = 16 * 1024;

  final String name;
  final ProtogateServer server;
  /** Calls that reached this upstream, of any method. */
  final AtomicInteger calls = new AtomicInteger();
  final AtomicReference<Metadata> lastHeaders = new AtomicReference<>();
  /** What the last hello saw of its deadline, in milliseconds; -1 for none. */
  final AtomicLong lastDeadlineMillis = new AtomicLong();
  final AtomicInteger flooded = new AtomicInteger();
  final CountDownLatch cancelled = new CountDownLatch(1);

  TestUpstream(String name, int port) {
    this.name = name;
    this.server = ProtogateServer.builder(BUNDLED)
        .port(port)
        .shutdownGrace(Duration.ofSeconds(1))
        .handlers(Handlers.builder()
            .unary("GrpcService/hello", this::hello)
            .bidiStreaming("protogate.demo.StreamingDemo/Echo", this::echo)
            .build())
        .demoHandlers(BuiltinHandlers.demo())
        .intercept(new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call,
              Metadata headers, ServerCallHandler<ReqT, RespT> next) {
            if (!call.getMethodDescriptor().getFullMethodName().startsWith("grpc.")) {
              calls.incrementAndGet();
              lastHeaders.set(headers);
            }
            return next.startCall(call, headers);
          }
        })
        .build()
        .start();
  }

  static TestUpstream start(String name) {
    return new TestUpstream(name, 0);
  }

  String address() {
    return "127.0.0.1:" + server.port();
  }

  private DynamicMessage hello(DynamicMessage request, CallContext call) throws Exception {
    lastDeadlineMillis.set(
        call.deadline().map(d -> d.timeRemaining(TimeUnit.MILLISECONDS)).orElse(-1L));
    call.onCancel(cancelled::countDown);
    String data = Fields.getString(request, "data");
    if (data.equals("fail")) {
      throw Status.NOT_FOUND.withDescription("no such thing").asException();
    }
    if (data.equals("pause")) {
      Thread.sleep(300);
    }
    if (data.equals("slow")) {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!call.isCancelled() && System.nanoTime() < until) {
        Thread.sleep(10);
      }
    }
    call.responseHeaders().put(NAME, name);
    call.responseTrailers().put(TRAILER, "done");
    String tenant = call.headers().get(TENANT);
    return Fields.set(call.newResponse(), "result",
        (tenant == null ? "" : tenant + "@") + name + ":" + data).build();
  }

  private StreamObserver<DynamicMessage> echo(
      CallContext call, StreamObserver<DynamicMessage> responses) {
    call.onCancel(cancelled::countDown);
    ServerCallStreamObserver<DynamicMessage> stream =
        (ServerCallStreamObserver<DynamicMessage>) responses;
    String big = "x".repeat(FLOOD_BYTES);
    AtomicInteger left = new AtomicInteger(-1);
    Runnable flood = () -> {
      synchronized (left) {
        while (left.get() > 0 && stream.isReady() && !stream.isCancelled()) {
          DynamicMessage.Builder message = call.newResponse();
          Fields.set(message, "text", big);
          Fields.set(message, "sequence", left.getAndDecrement());
          stream.onNext(message.build());
          flooded.incrementAndGet();
        }
        if (left.get() == 0) {
          left.set(-1);
          stream.onCompleted();
        }
      }
    };
    stream.setOnReadyHandler(flood);
    return new StreamObserver<>() {
      @Override
      public void onNext(DynamicMessage message) {
        if (Fields.getString(message, "text").equals("flood")) {
          left.set(FLOOD_MESSAGES);
          flood.run();
        } else {
          responses.onNext(message);
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        if (left.get() < 0) {
          responses.onCompleted();
        }
      }
    };
  }

  @Override
  public void close() throws InterruptedException {
    server.close();
  }
}
