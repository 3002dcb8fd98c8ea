package io.protogate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.HttpRule;
import io.protogate.descriptor.Schema;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Routes follow hot swaps in the same step as the services: while clients call a route present
 * in both contracts without pause, a route that only one contract has appears and disappears.
 */
class RouteSwapTest {
  private static final int CLIENTS = 3;
  private static final int SWAPS = 20;

  @Test
  void swapsUnderLoad_addAndRemoveRoutes_loseNoCall() throws Exception {
    Schema without = LibraryServer.schema();
    Schema with = HttpRoutesTest.withRule("Plain", rule -> HttpRule.newBuilder()
        .setGet("/v2/plain/{title}").build());
    try (LibraryServer library = new LibraryServer()) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong calls = new AtomicLong();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Thread client = new Thread(() -> {
          while (!stop.get()) {
            try {
              HttpResponse<String> response = library.get("/v1/shelves/1/books/2");
              if (response.statusCode() != 200) {
                failures.add(response.statusCode() + " " + response.body());
              }
              calls.incrementAndGet();
            } catch (Exception e) {
              failures.add(e.toString());
            }
          }
        });
        client.start();
        clients.add(client);
      }
      List<String> wrong = new ArrayList<>();
      try {
        for (int i = 0; i < SWAPS; i++) {
          boolean added = i % 2 == 0;
          library.server.swap(added ? with : without);
          HttpResponse<String> response = library.get("/v2/plain/t" + i);
          int expected = added ? 200 : 404;
          if (response.statusCode() != expected
              || added && !response.body().contains("\"t" + i + "\"")) {
            wrong.add("swap " + i + ": " + response.statusCode() + " " + response.body());
          }
        }
      } finally {
        stop.set(true);
        for (Thread client : clients) {
          client.join();
        }
      }
      assertEquals(List.of(), wrong);
      assertEquals(List.of(), List.copyOf(failures));
      assertTrue(calls.get() > 0);
    }
  }
}
