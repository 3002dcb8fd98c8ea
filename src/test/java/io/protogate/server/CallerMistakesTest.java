package io.protogate.server;

import static io.protogate.server.RawHttp2.grpcHeaders;
import static io.protogate.server.RawHttp2.messagePrefix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.protogate.handler.Handlers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A caller's mistakes cost the server log one short line at most; its own faults, a trace. */
class CallerMistakesTest {
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new BytesMarshaller();
  private static final String HELLO = "GrpcService/hello";
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      // Filters run in Logger.log, before handlers: what arrives here is what gets written.
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void capture() {
    Logger.getLogger("").addHandler(capture);
  }

  @AfterEach
  void release() {
    Logger.getLogger("").removeHandler(capture);
  }

  @Test
  void transportReportingAnError_keepsItsStackTrace() {
    CallerMistakes.quietGrpcLogs(); // as every server does
    Logger transport =
        Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport.connections");
    OutOfMemoryError error = new OutOfMemoryError("Cannot reserve 2097152 bytes of direct memory");

    transport.log(Level.INFO, "Transport failed", new RuntimeException(error));

    LogRecord logged = records.stream()
        .filter(r -> r.getLoggerName().equals(transport.getName())).findFirst().orElseThrow();
    assertSame(error, logged.getThrown().getCause());
    assertFalse(logged.getMessage().startsWith("a caller's mistake"), logged.getMessage());
  }

  @Test
  void floodOfBadRequests_noStackTrace_aFewShortLines() throws Exception {
    int sent = 0;
    try (ServerFixture fixture = ServerFixture.bundled();
        RawHttp2 raw = new RawHttp2(fixture.server.port())) {
      for (int stream = 1; stream <= 39; stream += 2) {
        raw.headers(stream, grpcHeaders(HELLO), false);
        raw.data(stream, messagePrefix(Integer.MAX_VALUE), false, Duration.ofSeconds(5));
        sent += 5;
      }
      int last = 39;
      assertTrue(raw.await(() -> raw.statusOf(last) != null, Duration.ofSeconds(10)));
      for (String method : List.of(
          "grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
          "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
          "grpc.health.v1.Health/Check")) {
        for (int i = 0; i < 10; i++) {
          garbage(fixture, method);
          sent += 3;
        }
      }
    }

    long logged = 0;
    for (LogRecord record : records) {
      assertNull(record.getThrown(), record.getLoggerName() + ": " + record.getMessage());
      logged += String.valueOf(record.getMessage()).length();
    }
    assertTrue(records.size() <= 8, records.size() + " lines for " + sent + " bad requests");
    assertTrue(logged < 2000, logged + " bytes logged");
  }

  @Test
  void handlerFault_keepsItsStackTrace() throws Exception {
    Handlers handlers = Handlers.builder().unary(HELLO, (request, call) -> {
      throw new IllegalStateException("a bug in the handler");
    }).build();
    try (ServerFixture fixture = ServerFixture.bundled(handlers)) {
      try {
        fixture.unary(HELLO, "{}");
      } catch (io.grpc.StatusRuntimeException expected) {
        assertEquals(Status.Code.INTERNAL, expected.getStatus().getCode());
      }
    }

    assertTrue(records.stream().anyMatch(r -> r.getThrown() != null
        && "a bug in the handler".equals(r.getThrown().getMessage())), records.toString());
  }

  private static void garbage(ServerFixture fixture, String method) throws Exception {
    MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNKNOWN)
        .setFullMethodName(method)
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
    CompletableFuture<Status> done = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = fixture.channel.newCall(raw,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        done.complete(status);
      }
    }, new Metadata());
    call.request(1);
    call.sendMessage(new byte[] {(byte) 0xff, (byte) 0xff, 0x07});
    call.halfClose();
    assertTrue(!done.get(15, TimeUnit.SECONDS).isOk());
  }
}
