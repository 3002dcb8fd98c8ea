package io.protogate.upstream;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Makes the gateway's health of each routed service follow its upstream: the upstream's own
 * {@code grpc.health.v1.Health/Watch} for that service, or, when the upstream has no health
 * service or does not know the service, whether its channel is connected ({@code READY} is
 * SERVING, a failed connection NOT_SERVING). A watch that breaks is opened again after a second.
 * {@link #follow} is called with each published contract's routing. Thread-safe.
 */
public final class UpstreamHealth implements AutoCloseable {
  /** Where statuses go: the gateway's health service. */
  public interface Sink {
    void set(String service, ServingStatus status);
  }

  private static final long RETRY_MILLIS = 1000;

  private final UpstreamChannels channels;
  private final Sink sink;
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
      runnable -> {
        Thread thread = new Thread(runnable, "protogate-upstream-health");
        thread.setDaemon(true);
        return thread;
      });
  // Guarded by this.
  private final Map<String, Watch> watches = new HashMap<>();
  private boolean closed;

  public UpstreamHealth(UpstreamChannels channels, Sink sink) {
    this.channels = channels;
    this.sink = sink;
  }

  /** Watches the services {@code routing} routes, and stops watching those it no longer does. */
  public synchronized void follow(UpstreamRouting routing) {
    if (closed) {
      return;
    }
    watches.entrySet().removeIf(entry -> {
      boolean keep = entry.getValue().upstream.equals(routing.services().get(entry.getKey()));
      if (!keep) {
        entry.getValue().stop();
      }
      return !keep;
    });
    routing.services().forEach((service, upstream) -> {
      if (!watches.containsKey(service)) {
        Watch watch = new Watch(service, upstream, channels.channel(upstream));
        watches.put(service, watch);
        watch.start();
      }
    });
  }

  @Override
  public synchronized void close() {
    closed = true;
    watches.values().forEach(Watch::stop);
    watches.clear();
    retries.shutdownNow();
  }

  /** The health of one routed service, from one upstream. */
  private final class Watch implements ClientResponseObserver<HealthCheckRequest,
      HealthCheckResponse> {
    final String service;
    final Upstream upstream;
    final ManagedChannel channel;
    private volatile boolean stopped;
    private volatile ClientCallStreamObserver<HealthCheckRequest> call;
    private volatile ServingStatus last;

    Watch(String service, Upstream upstream, ManagedChannel channel) {
      this.service = service;
      this.upstream = upstream;
      this.channel = channel;
    }

    void start() {
      if (stopped) {
        return;
      }
      if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
        channel.resetConnectBackoff();
      }
      HealthGrpc.newStub(channel)
          .watch(HealthCheckRequest.newBuilder().setService(service).build(), this);
    }

    void stop() {
      stopped = true;
      ClientCallStreamObserver<HealthCheckRequest> current = call;
      if (current != null) {
        current.cancel("no longer routed", null);
      }
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<HealthCheckRequest> requestStream) {
      call = requestStream;
    }

    @Override
    public void onNext(HealthCheckResponse response) {
      if (response.getStatus() == ServingStatus.SERVICE_UNKNOWN) {
        // The upstream does not report on this service: its reachability is all there is.
        call.cancel("the upstream does not report this service", null);
        followConnectivity();
        return;
      }
      report(response.getStatus());
    }

    @Override
    public void onError(Throwable t) {
      if (stopped) {
        return;
      }
      Status status = Status.fromThrowable(t);
      if (status.getCode() == Status.Code.UNIMPLEMENTED) {
        followConnectivity();
        return;
      }
      if (status.getCode() != Status.Code.CANCELLED) {
        report(ServingStatus.NOT_SERVING);
        retry(this::start);
      }
    }

    @Override
    public void onCompleted() {
      retry(this::start);
    }

    private void followConnectivity() {
      if (stopped) {
        return;
      }
      ConnectivityState state = channel.getState(true);
      switch (state) {
        case READY -> report(ServingStatus.SERVING);
        case TRANSIENT_FAILURE -> {
          report(ServingStatus.NOT_SERVING);
          // Without a call waiting, grpc-java would retry only after its growing backoff.
          retry(() -> {
            if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
              channel.resetConnectBackoff();
            }
          });
        }
        case SHUTDOWN -> {
          return;
        }
        default -> { }
      }
      channel.notifyWhenStateChanged(state, this::followConnectivity);
    }

    private void report(ServingStatus status) {
      if (!stopped && !Objects.equals(last, status)) {
        last = status;
        sink.set(service, status);
      }
    }

    private void retry(Runnable step) {
      if (stopped) {
        return;
      }
      try {
        retries.schedule(step, RETRY_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // Closed meanwhile: nothing to watch any more.
      }
    }
  }
}
