package io.protogate.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Fields;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Routes and contracts swapped while callers keep calling: no call may fail. */
class SwapUnderLoadTest {
  private static final Schema HELLO_ONLY = SchemaLoader.fromSources(
      BundledDescriptors.sources().stream().filter(s -> s.name().contains("hello")).toList());

  @Test
  void routeChangesAndContractSwaps_underContinuousLoad_failNoCall() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try (TestUpstream a = TestUpstream.start("a");
        TestUpstream b = TestUpstream.start("b");
        Gateway gateway = Gateway.routing("GrpcService=" + a.address())) {
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger ok = new AtomicInteger();
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      for (int i = 0; i < 4; i++) {
        callers.submit(() -> {
          while (running.get()) {
            try {
              gateway.hello("x");
              ok.incrementAndGet();
            } catch (RuntimeException | Error e) {
              failures.add(e);
            }
          }
        });
      }
      // A call in flight on a when the route moves finishes there.
      Future<DynamicMessage> inFlight = CompletableFuture.supplyAsync(() -> gateway.hello("pause"));
      awaitProgress(ok);

      for (int i = 0; i < 12; i++) {
        TestUpstream next = i % 2 == 0 ? b : a;
        if (i % 3 == 2) {
          // Schema and routes in one step.
          Schema schema = i % 2 == 0 ? HELLO_ONLY : TestUpstream.BUNDLED;
          Routes routes = Routes.of(List.of(Route.parse("GrpcService=" + next.address())));
          gateway.server.contract().update(current ->
              current.withSchema(schema).with(UpstreamRouting.ROUTES, routes));
        } else {
          gateway.route("GrpcService=" + next.address());
        }
        awaitProgress(ok);
      }
      running.set(false);
      callers.shutdown();
      assertTrue(callers.awaitTermination(20, TimeUnit.SECONDS));

      assertEquals(List.of(), List.copyOf(failures));
      assertEquals("a:pause", Fields.getString(inFlight.get(10, TimeUnit.SECONDS), "result"));
      assertTrue(a.calls.get() >= 24 && b.calls.get() >= 24,
          "a answered " + a.calls.get() + " calls, b " + b.calls.get() + ", of " + ok.get());
    } finally {
      callers.shutdownNow();
    }
  }

  /** Lets calls flow after a swap: waits for four more successful calls (the machine may be slow). */
  private static void awaitProgress(AtomicInteger ok) throws InterruptedException {
    int target = ok.get() + 4;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (ok.get() < target && System.nanoTime() < until) {
      Thread.sleep(5);
    }
  }
}
