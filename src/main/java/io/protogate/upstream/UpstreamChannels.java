package io.protogate.upstream;

import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * One {@link ManagedChannel} per {@link Upstream}, shared by every route to it and kept across
 * contract swaps for as long as the upstream is unchanged. {@link #retainOnly} shuts down the
 * channels of upstreams no longer routed to, gracefully: calls in flight on them finish first.
 * Calls forwarded go through a per-upstream interceptor (metrics, say). Thread-safe.
 */
public final class UpstreamChannels implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(UpstreamChannels.class.getName());

  /**
   * How long a channel no longer routed to stays open before its graceful shutdown: a call whose
   * method was looked up just before the swap still starts on the old route, and a channel shut
   * down already would refuse it.
   */
  private static final long RETIRE_SECONDS = 5;

  // Guarded by this.
  private final Map<Upstream, ManagedChannel> channels = new HashMap<>();
  private final Set<ManagedChannel> retiring = new HashSet<>();
  private boolean closed;
  private final Function<String, ClientInterceptor> calls;

  /** Channels whose forwarded calls go through no interceptor. */
  public UpstreamChannels() {
    this(name -> null);
  }

  /**
   * Channels whose forwarded calls go through {@code calls.apply(name)} for the upstream named
   * {@code name} (its target), when that is not null.
   */
  public UpstreamChannels(Function<String, ClientInterceptor> calls) {
    this.calls = calls;
  }

  /** The channel to {@code upstream}, opened now if it has none (it connects on first use). */
  public synchronized ManagedChannel channel(Upstream upstream) {
    if (closed) {
      throw new IllegalStateException("upstream channels are closed");
    }
    return channels.computeIfAbsent(upstream, u -> u.connection().open());
  }

  /** Where the calls forwarded to {@code upstream} go: its channel, through its interceptor. */
  Channel calls(Upstream upstream) {
    ManagedChannel channel = channel(upstream);
    ClientInterceptor interceptor = calls.apply(upstream.toString());
    return interceptor == null ? channel : ClientInterceptors.intercept(channel, interceptor);
  }

  /**
   * Shuts down the channel of every upstream not in {@code keep}, a few seconds later and then
   * gracefully: calls in flight on it finish first. Called once a contract is published, so a
   * refused swap never loses a channel.
   */
  public synchronized void retainOnly(Set<Upstream> keep) {
    channels.entrySet().removeIf(entry -> {
      if (keep.contains(entry.getKey())) {
        return false;
      }
      logger.info("upstream " + entry.getKey() + " is no longer routed to: closing its channel"
          + " once its calls in flight finish");
      ManagedChannel channel = entry.getValue();
      retiring.add(channel);
      CompletableFuture.delayedExecutor(RETIRE_SECONDS, TimeUnit.SECONDS).execute(() -> {
        synchronized (this) {
          retiring.remove(channel);
        }
        channel.shutdown();
      });
      return true;
    });
  }

  /** Closes every channel at once: called when the server has stopped, with no call left. */
  @Override
  public void close() {
    List<ManagedChannel> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(channels.values());
      all.addAll(retiring);
      channels.clear();
      retiring.clear();
    }
    all.forEach(ManagedChannel::shutdownNow);
  }
}
