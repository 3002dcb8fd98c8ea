package io.protogate.admin;

import com.google.gson.stream.JsonWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One JSON line per finished call, written by a thread of its own that drains a bounded queue
 * every few milliseconds: a call only offers its entry, so a slow disk never slows a call; when
 * the queue is full the line is dropped and counted in {@code protogate_access_log_dropped_total}.
 */
final class AccessLog implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(AccessLog.class.getName());
  static final int CAPACITY = 8192;
  private static final long DRAIN_MILLIS = 20;

  /** What the log says of one call; formatted on the writer's thread, not the call's. */
  record Entry(
      long startMillis,
      String peer,
      String door,
      String method,
      String status,
      long durationNanos,
      long messagesIn,
      long bytesIn,
      long messagesOut,
      long bytesOut,
      String contract,
      String answeredBy) {}

  private final BlockingQueue<Entry> queue;
  private final Writer out;
  private final Counter dropped;
  private final Thread thread;
  private volatile boolean closed;

  AccessLog(Writer out, MeterRegistry registry, int capacity) {
    this.out = out;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.dropped = Counter.builder("protogate.access_log.dropped")
        .description("Access-log lines dropped because the writer fell behind")
        .register(registry);
    this.thread = new Thread(this::run, "protogate-access-log");
    thread.setDaemon(true);
    thread.start();
  }

  void offer(Entry entry) {
    if (!queue.offer(entry)) {
      dropped.increment();
    }
  }

  private void run() {
    List<Entry> batch = new ArrayList<>();
    try {
      boolean last = false;
      while (!last) {
        last = closed;
        queue.drainTo(batch);
        for (Entry entry : batch) {
          out.write(line(entry));
        }
        if (!batch.isEmpty()) {
          batch.clear();
          out.flush();
        }
        if (!last) {
          // Polling, not waiting on the queue: a waiting writer would make every call that
          // offers a line pay for waking it up.
          Thread.sleep(DRAIN_MILLIS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      logger.log(Level.WARNING, "cannot write the access log any more: " + e.getMessage(), e);
    }
  }

  static String line(Entry entry) throws IOException {
    StringWriter line = new StringWriter(256);
    try (JsonWriter json = new JsonWriter(line)) {
      json.beginObject()
          .name("time").value(Instant.ofEpochMilli(entry.startMillis()).toString())
          .name("peer").value(entry.peer())
          .name("door").value(entry.door())
          .name("method").value(entry.method())
          .name("status").value(entry.status())
          .name("duration_ms").value(entry.durationNanos() / 1_000_000.0)
          .name("messages_in").value(entry.messagesIn())
          .name("bytes_in").value(entry.bytesIn())
          .name("messages_out").value(entry.messagesOut())
          .name("bytes_out").value(entry.bytesOut())
          .name("contract").value(entry.contract())
          .name("answered_by").value(entry.answeredBy())
          .endObject();
    }
    return line.append('\n').toString();
  }

  /** Writes what is queued, then stops; closes the file unless it is standard output. */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.join(TimeUnit.SECONDS.toMillis(5));
    try {
      out.flush();
    } catch (IOException e) {
      logger.log(Level.FINE, "flushing the access log", e);
    }
  }
}
