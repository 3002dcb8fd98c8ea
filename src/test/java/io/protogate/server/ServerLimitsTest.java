package io.protogate.server;

import static io.protogate.server.RawHttp2.grpcHeaders;
import static io.protogate.server.RawHttp2.messagePrefix;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.protogate.client.DynamicCalls;
import io.protogate.handler.Fields;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The limits that keep one client from taking the server from the others, each attacked over
 * raw HTTP/2 the way the hardening review did, on a real server on loopback.
 */
class ServerLimitsTest {
  private static final String HELLO = "GrpcService/hello";
  private static final String ECHO = "protogate.demo.StreamingDemo/Echo";
  private static final String HELLO_REQUEST =
      "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"engineer\"}}";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int REFUSED_STREAM = 0x7;
  private static final int CANCEL = 0x8;
  private static final int ENHANCE_YOUR_CALM = 0xb;

  private static ServerFixture serve(ServerLimits limits) {
    return new ServerFixture(ProtogateServer.builder(ServerFixture.BUNDLED)
        .demoHandlers(BuiltinHandlers.demo())
        .limits(limits));
  }

  @Test
  void rapidReset_connectionCutOffAfterTheAllowedResets() throws Exception {
    try (ServerFixture fixture = serve(ServerLimits.builder()
            .maxResetsPerWindow(50, Duration.ofSeconds(10)).build());
        RawHttp2 attacker = new RawHttp2(fixture.server.port())) {
      // Twice the allowance, then stop: how many more a client gets written before it reads the
      // GOAWAY depends on scheduling, so the test asks only that going over is what cuts it off.
      try {
        for (int stream = 1, sent = 0; sent < 100 && !attacker.isClosed(); stream += 2, sent++) {
          attacker.headers(stream, grpcHeaders(HELLO), false);
          attacker.reset(stream, CANCEL);
        }
      } catch (IOException cutOff) {
        // The server closed the connection while we were still sending: what this test wants.
      }
      assertTrue(attacker.await(() -> attacker.isClosed(), WAIT), "still connected");

      assertEquals(ENHANCE_YOUR_CALM, attacker.goAwayCode());
      assertEquals("xiao gangengineer this is gprc test service",
          Fields.getString(fixture.unary(HELLO, HELLO_REQUEST), "result"));
    }
  }

  @Test
  void streamsBeyondTheConcurrentCallLimit_refused_andTheOthersServed() throws Exception {
    try (ServerFixture fixture = serve(ServerLimits.builder()
            .maxConcurrentCallsPerConnection(5).build());
        RawHttp2 client = new RawHttp2(fixture.server.port())) {
      assertTrue(client.await(() -> client.maxConcurrentStreams() == 5, WAIT));
      for (int stream = 1; stream <= 13; stream += 2) {
        client.headers(stream, grpcHeaders(HELLO), false);
      }
      assertTrue(client.await(() -> client.resetCode(11) != null && client.resetCode(13) != null,
          WAIT));

      assertEquals(REFUSED_STREAM, client.resetCode(11));
      assertNull(client.resetCode(9));
    }
  }

  @Test
  void idleConnection_closed() throws Exception {
    try (ServerFixture fixture = serve(ServerLimits.builder()
            .maxConnectionIdle(Duration.ofSeconds(1)).build());
        RawHttp2 client = new RawHttp2(fixture.server.port())) {
      assertTrue(client.await(() -> client.goAwayCode() != null, WAIT), "idle connection kept");
    }
  }

  @Test
  void oldConnection_askedToGoAway() throws Exception {
    try (ServerFixture fixture = serve(ServerLimits.builder()
            .maxConnectionAge(Duration.ofSeconds(1), Duration.ofSeconds(1)).build());
        RawHttp2 client = new RawHttp2(fixture.server.port())) {
      client.headers(1, grpcHeaders(ECHO), false);
      assertTrue(client.await(() -> client.goAwayCode() != null, WAIT), "old connection kept");
    }
  }

  @Test
  void clientPingingTooOften_cutOff() throws Exception {
    try (ServerFixture fixture = serve(ServerLimits.defaults());
        RawHttp2 client = new RawHttp2(fixture.server.port())) {
      try {
        for (int i = 0; i < 10 && client.goAwayCode() == null; i++) {
          client.ping();
          int acks = i + 1;
          client.await(() -> client.pingAcks() >= acks || client.goAwayCode() != null, WAIT);
        }
      } catch (IOException cutOff) {
        // Closed after its GOAWAY while we were still pinging: what this test wants.
      }
      assertTrue(client.await(() -> client.goAwayCode() != null, WAIT));
      assertEquals(ENHANCE_YOUR_CALM, client.goAwayCode());
    }
  }

  @Test
  void oversizedMetadata_resourceExhaustedOnItsOwnStream_otherCallsOnTheConnectionGoOn()
      throws Exception {
    try (ServerFixture fixture = serve(ServerLimits.builder().maxHeaderListSize(8192).build())) {
      LinkedBlockingQueue<Object> echoes = new LinkedBlockingQueue<>();
      var echo = DynamicCalls.methodDescriptor(ServerFixture.method(ECHO));
      var call = fixture.channel.newCall(echo, CallOptions.DEFAULT);
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onMessage(DynamicMessage message) {
          echoes.add(message);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          echoes.add(status);
        }
      }, new Metadata());
      call.request(10);
      call.sendMessage(fixture.message(ServerFixture.method(ECHO).getInputType(),
          "{\"text\": \"one\"}"));
      assertTrue(echoes.poll(10, TimeUnit.SECONDS) instanceof DynamicMessage);

      Metadata big = new Metadata();
      big.put(Metadata.Key.of("x-big", Metadata.ASCII_STRING_MARSHALLER), "b".repeat(20_000));
      StatusRuntimeException e = assertThrows(
          StatusRuntimeException.class, () -> DynamicCalls.unary(
              ClientInterceptors.intercept(fixture.channel,
                  MetadataUtils.newAttachHeadersInterceptor(big)),
              ServerFixture.method(HELLO),
              fixture.message(ServerFixture.method(HELLO).getInputType(), HELLO_REQUEST),
              Duration.ofSeconds(10)));

      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("--max-header-list-size"),
          e.getStatus().getDescription());
      call.sendMessage(fixture.message(ServerFixture.method(ECHO).getInputType(),
          "{\"text\": \"two\"}"));
      assertTrue(echoes.poll(10, TimeUnit.SECONDS) instanceof DynamicMessage,
          "the other call on the connection broke");
      call.halfClose();
      assertEquals(Status.OK, echoes.poll(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void malformedTimeout_invalidArgumentWithTheVersionHeader_notAReset() throws Exception {
    try (ServerFixture fixture = serve(ServerLimits.defaults());
        RawHttp2 client = new RawHttp2(fixture.server.port())) {
      client.headers(1, grpcHeaders(HELLO, "grpc-timeout", "soon"), false);
      assertTrue(client.await(() -> client.statusOf(1) != null || client.resetCode(1) != null,
          WAIT));

      assertNull(client.resetCode(1));
      Map<String, String> trailers = client.trailersOf(1);
      assertEquals("3", trailers.get("grpc-status"));
      assertTrue(trailers.get("grpc-message").contains("grpc-timeout"), trailers.toString());
      assertEquals(ServerFixture.BUNDLED.version(), trailers.get("protogate-contract-version"));
    }
  }

  @Test
  void unsupportedEncoding_unimplementedWithAcceptEncoding() throws Exception {
    try (ServerFixture fixture = serve(ServerLimits.defaults());
        RawHttp2 client = new RawHttp2(fixture.server.port())) {
      client.headers(1, grpcHeaders(HELLO, "grpc-encoding", "snappy"), false);
      assertTrue(client.await(() -> client.statusOf(1) != null, WAIT));

      Map<String, String> trailers = client.trailersOf(1);
      assertEquals("12", trailers.get("grpc-status"));
      assertTrue(trailers.get("grpc-accept-encoding").contains("gzip"), trailers.toString());
      assertEquals(ServerFixture.BUNDLED.version(), trailers.get("protogate-contract-version"));
    }
  }

  @Test
  void unfinishedMessages_overTheConnectionsShare_refused_honestClientServed() throws Exception {
    try (ServerFixture fixture = serve(ServerLimits.builder()
            .maxPendingBytesPerConnection(1 << 20).maxPendingBytes(8 << 20).build());
        RawHttp2 attacker = new RawHttp2(fixture.server.port())) {
      byte[] part = new byte[400 * 1024];
      for (int stream = 1; stream <= 7; stream += 2) {
        attacker.headers(stream, grpcHeaders(HELLO), false);
        attacker.data(stream, messagePrefix(3 << 20), false, WAIT);
        attacker.data(stream, part, false, Duration.ofSeconds(2));
      }
      assertTrue(attacker.await(() -> attacker.statusOf(5) != null, WAIT), "nothing refused");

      assertEquals("8", attacker.statusOf(5));
      assertTrue(attacker.trailersOf(5).get("grpc-message").contains("per connection"));
      assertNull(attacker.statusOf(1));
      assertEquals("xiao gangengineer this is gprc test service",
          Fields.getString(fixture.unary(HELLO, HELLO_REQUEST), "result"));
    }
  }

  @Test
  void unfinishedMessages_overTheServersBudget_refused() throws Exception {
    try (ServerFixture fixture = serve(ServerLimits.builder()
            .maxPendingBytesPerConnection(4 << 20).maxPendingBytes(1 << 20).build());
        RawHttp2 first = new RawHttp2(fixture.server.port());
        RawHttp2 second = new RawHttp2(fixture.server.port())) {
      byte[] part = new byte[600 * 1024];
      for (RawHttp2 attacker : new RawHttp2[] {first, second}) {
        attacker.headers(1, grpcHeaders(HELLO), false);
        attacker.data(1, messagePrefix(3 << 20), false, WAIT);
        attacker.data(1, part, false, Duration.ofSeconds(2));
      }
      // Whichever connection's bytes the server read last went over the budget.
      assertTrue(second.await(() -> first.statusOf(1) != null || second.statusOf(1) != null,
          WAIT), "nothing refused");
      // (Both may be: a refused stream frees its bytes only once its connection closes it.)
      RawHttp2 refused = first.statusOf(1) != null ? first : second;

      assertEquals("8", refused.statusOf(1));
      assertTrue(refused.trailersOf(1).get("grpc-message").contains("--max-pending-bytes"));
      assertTrue(fixture.server.pendingRequestBytes() <= 1 << 20);
    }
  }

  /**
   * The abuse the hardening review measured, scaled down: connections that each interleave
   * unfinished messages on many streams. The bytes counted stay within the budget either way;
   * what this pins down is the memory really held (JDK direct buffers, where Netty's read
   * buffers live), which slices of large read buffers used to multiply far past it.
   */
  @Test
  void unfinishedMessagesInterleaved_directMemoryHeldNearTheBudget() throws Exception {
    int connections = 3;
    int perConnection = 1 << 20;
    BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)
        .stream().filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
    try (ServerFixture fixture = serve(ServerLimits.builder()
        .maxPendingBytesPerConnection(perConnection).maxPendingBytes(64 << 20).build())) {
      long before = direct.getMemoryUsed();
      AtomicLong peak = new AtomicLong(before);
      List<Thread> attackers = new ArrayList<>();
      List<RawHttp2> opened = new ArrayList<>();
      for (int c = 0; c < connections; c++) {
        RawHttp2 attacker = new RawHttp2(fixture.server.port());
        opened.add(attacker);
        attackers.add(new Thread(() -> interleave(attacker, 50, 1 << 20)));
      }
      attackers.forEach(Thread::start);
      while (attackers.stream().anyMatch(Thread::isAlive)) {
        peak.accumulateAndGet(direct.getMemoryUsed(), Math::max);
        Thread.sleep(5);
      }
      long held = peak.get() - before;
      try {
        assertEquals("xiao gangengineer this is gprc test service",
            Fields.getString(fixture.unary(HELLO, HELLO_REQUEST), "result"));
        assertTrue(held <= 8L * connections * perConnection, "direct memory grew by " + held
            + " bytes while " + connections + " connections were allowed " + perConnection
            + " bytes of unfinished requests each");
      } finally {
        for (RawHttp2 attacker : opened) {
          attacker.close();
        }
      }
    }
  }

  /** Sends 16 KiB at a time to each stream in turn, never finishing a message. */
  private static void interleave(RawHttp2 attacker, int streams, int bytesPerStream) {
    byte[] chunk = new byte[16 * 1024];
    try {
      List<Integer> open = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        int stream = 2 * i + 1;
        attacker.headers(stream, grpcHeaders(HELLO), false);
        attacker.data(stream, messagePrefix(4 << 20), false, WAIT);
        open.add(stream);
      }
      for (int sent = 0; sent < bytesPerStream && !open.isEmpty(); sent += chunk.length) {
        for (Integer stream : List.copyOf(open)) {
          if (!attacker.data(stream, chunk, false, Duration.ofMillis(200))) {
            open.remove(stream);
          }
        }
      }
    } catch (IOException | InterruptedException e) {
      // The server cut the connection off: also a bounded outcome.
    }
  }
}
