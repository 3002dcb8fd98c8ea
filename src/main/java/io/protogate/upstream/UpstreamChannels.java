package io.protogate.upstream;

import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * One {@link ManagedChannel} per {@link Upstream}, shared by every route to it and kept across
 * contract swaps for as long as the upstream is unchanged. {@link #retainOnly} shuts down the
 * channels of upstreams no longer routed to, gracefully: calls in flight on them finish first.
 * Thread-safe.
 */
public final class UpstreamChannels implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(UpstreamChannels.class.getName());

  // Guarded by this.
  private final Map<Upstream, ManagedChannel> channels = new HashMap<>();
  private boolean closed;

  /** The channel to {@code upstream}, opened now if it has none (it connects on first use). */
  public synchronized ManagedChannel channel(Upstream upstream) {
    if (closed) {
      throw new IllegalStateException("upstream channels are closed");
    }
    return channels.computeIfAbsent(upstream, u -> u.connection().open());
  }

  /**
   * Shuts down the channel of every upstream not in {@code keep}, after its calls in flight
   * finish. Called once a contract is published, so a refused swap never loses a channel.
   */
  public void retainOnly(Set<Upstream> keep) {
    List<ManagedChannel> removed = new ArrayList<>();
    synchronized (this) {
      channels.entrySet().removeIf(entry -> {
        if (keep.contains(entry.getKey())) {
          return false;
        }
        logger.info("upstream " + entry.getKey() + " is no longer routed to: closing its channel"
            + " once its calls in flight finish");
        removed.add(entry.getValue());
        return true;
      });
    }
    removed.forEach(ManagedChannel::shutdown);
  }

  /** Closes every channel at once: called when the server has stopped, with no call left. */
  @Override
  public void close() {
    List<ManagedChannel> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(channels.values());
      channels.clear();
    }
    all.forEach(ManagedChannel::shutdownNow);
  }
}
