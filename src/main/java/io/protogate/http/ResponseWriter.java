package io.protogate.http;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Writes a streamed HTTP response one buffer at a time, as Jetty requires, whatever thread hands
 * the buffers over: a buffer handed over while another is being written waits its turn. The last
 * buffer ends the response and completes the request's callback.
 */
public final class ResponseWriter {
  private record Pending(ByteBuffer buffer, boolean last, Runnable written) {}

  private final Response response;
  private final Callback done;
  private final Queue<Pending> queue = new ArrayDeque<>(); // guarded by this
  private boolean writing; // guarded by this
  private boolean failed; // guarded by this

  public ResponseWriter(Response response, Callback done) {
    this.response = response;
    this.done = done;
  }

  /** Writes {@code buffer}, then runs {@code written}. */
  public void write(ByteBuffer buffer, Runnable written) {
    enqueue(new Pending(buffer, false, written));
  }

  /** Writes {@code buffer} as the end of the response. */
  public void finish(ByteBuffer buffer) {
    enqueue(new Pending(buffer, true, () -> {}));
  }

  private void enqueue(Pending pending) {
    synchronized (this) {
      if (failed) {
        return;
      }
      queue.add(pending);
      if (writing) {
        return;
      }
      writing = true;
    }
    writeNext();
  }

  private void writeNext() {
    Pending next;
    synchronized (this) {
      next = queue.poll();
      if (next == null) {
        writing = false;
        return;
      }
    }
    response.write(next.last(), next.buffer(), new Callback() {
      @Override
      public void succeeded() {
        next.written().run();
        if (next.last()) {
          done.succeeded();
        }
        writeNext();
      }

      @Override
      public void failed(Throwable failure) {
        synchronized (ResponseWriter.this) {
          failed = true;
          queue.clear();
          writing = false;
        }
        done.failed(failure);
      }
    });
  }
}
