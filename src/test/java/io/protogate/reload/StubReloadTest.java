package io.protogate.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.protogate.client.DynamicCalls;
import io.protogate.contract.Contract;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Fields;
import io.protogate.json.JsonCodec;
import io.protogate.server.ProtogateServer;
import io.protogate.stub.StubFiles;
import io.protogate.stub.Stubs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stub file edited, by hand-like writes, while clients call without pause. */
class StubReloadTest {
  private static final Schema HELLO = SchemaLoader.fromSources(BundledDescriptors.sources());

  private static String stub(String answer) {
    return "service: GrpcService\nmethod: hello\noutput:\n  data:\n    result: \"" + answer
        + "\"\n";
  }

  @Test
  void stubFileEditedUnderLoad_losesNoCallAndServesTheNewAnswer(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("hello.yaml");
    Files.writeString(file, stub("v0"));
    ProtogateServer server = ProtogateServer.builder(Contract.of(HELLO)
            .with(Stubs.FILES, StubFiles.read(dir)))
        .port(0).shutdownGrace(Duration.ofSeconds(1)).build().start();
    LinkedBlockingQueue<String> reloads = new LinkedBlockingQueue<>();
    StubReloader reloader = new StubReloader(dir, server,
        (count, problem) -> reloads.add(problem == null ? "ok " + count : problem));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    Descriptors.MethodDescriptor hello = HELLO.findMethod("GrpcService/hello").orElseThrow();
    DynamicMessage request = JsonCodec.of(HELLO).parse("{\"data\": \"x\"}", hello.getInputType());
    // The first call connects and loads classes: on a busy machine that alone takes seconds.
    assertEquals("v0", Fields.getString(
        DynamicCalls.unary(channel, hello, request, Duration.ofSeconds(60)), "result"));
    AtomicBoolean running = new AtomicBoolean(true);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    List<Thread> clients = new java.util.ArrayList<>();
    try (DescriptorWatcher watcher =
        DescriptorWatcher.start(reloader, Duration.ofMillis(50), Duration.ofMillis(500))) {
      for (int i = 0; i < 3; i++) {
        Thread client = new Thread(() -> {
          while (running.get()) {
            try {
              seen.add(Fields.getString(
                  DynamicCalls.unary(channel, hello, request, Duration.ofSeconds(30)), "result"));
            } catch (RuntimeException e) {
              failures.add(e);
            }
          }
        });
        client.start();
        clients.add(client);
      }
      awaitServed(seen, "v0", reloads);
      for (int round = 1; round <= 3; round++) {
        // Written in two steps, as an editor might: the half-written file must not be served.
        String text = stub("v" + round);
        Files.writeString(file, text.substring(0, text.length() / 2));
        Thread.sleep(20);
        Files.writeString(file, text);
        awaitServed(seen, "v" + round, reloads);
      }
      // A broken file is refused and the last good stubs keep answering.
      reloads.clear();
      Files.writeString(file, stub("v4").replace("result", "reslt"));
      String problem = reloads.poll(10, TimeUnit.SECONDS);
      assertTrue(problem != null && problem.contains("did you mean \"result\"?"), problem);
      Thread.sleep(100);
    } finally {
      running.set(false);
      for (Thread client : clients) {
        client.join();
      }
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.close();
    }
    assertEquals(List.of(), failures);
    assertTrue(seen.containsAll(Set.of("v0", "v1", "v2", "v3")), seen.toString());
    assertTrue(!seen.contains("v4"));
  }

  private static void awaitServed(Set<String> seen, String expected, Object reloads)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!seen.contains(expected) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(seen.contains(expected), "never served " + expected + "; reloads " + reloads);
  }
}
