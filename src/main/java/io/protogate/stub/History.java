package io.protogate.stub;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The calls stubs answered or missed, newest last, for tests to inspect through the stub API:
 * method, requests and headers as the matchers saw them, the stub that answered (null on a miss),
 * and the status. Bounded: beyond {@code capacity} calls the oldest are dropped. Thread-safe.
 */
public final class History {
  /** One call. {@code stubId} is null when no stub matched. */
  public record Call(
      Instant at,
      String method,
      List<Map<String, Object>> requests,
      Map<String, Object> headers,
      String stubId,
      String code,
      String error) {}

  private final int capacity;
  private final Deque<Call> calls = new ArrayDeque<>(); // guarded by this

  public History(int capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
    }
    this.capacity = capacity;
  }

  synchronized void add(Call call) {
    if (calls.size() == capacity) {
      calls.removeFirst();
    }
    calls.addLast(call);
  }

  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  public synchronized void clear() {
    calls.clear();
  }
}
