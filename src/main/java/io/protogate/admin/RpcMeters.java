package io.protogate.admin;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of one side of gRPC calls ({@code server}: calls Protogate answers, per door;
 * {@code client}: calls it makes, per upstream), named as go-grpc-prometheus names them so that
 * existing dashboards work: {@code grpc_<side>_started_total}, {@code grpc_<side>_handled_total}
 * (with {@code grpc_code}), {@code grpc_<side>_handling_seconds} (a histogram with the Prometheus
 * client's default buckets), {@code grpc_<side>_msg_received_total} and {@code _msg_sent_total};
 * plus {@code grpc_<side>_received_bytes_total}, {@code grpc_<side>_sent_bytes_total} and {@code
 * grpc_<side>_in_flight}, which go-grpc-prometheus lacks. Every meter carries {@code grpc_type},
 * {@code grpc_service}, {@code grpc_method} and one more label: {@code door} or {@code upstream}.
 * Meters are made once per method and label value and then found with two map lookups.
 */
final class RpcMeters {
  /** The Prometheus client's default buckets, as go-grpc-prometheus uses them. */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)
  };

  private final MeterRegistry registry;
  private final String prefix;
  private final String label;
  private final Map<String, Map<String, Method>> byLabel = new ConcurrentHashMap<>();

  /** The meters of {@code side} (server or client), told apart by {@code label}. */
  RpcMeters(MeterRegistry registry, String side, String label) {
    this.registry = registry;
    this.prefix = "grpc." + side + ".";
    this.label = label;
  }

  /** The meters of {@code method} for calls with {@code labelValue} (a door, an upstream). */
  Method method(String labelValue, MethodDescriptor<?, ?> method) {
    Map<String, Method> methods =
        byLabel.computeIfAbsent(labelValue, value -> new ConcurrentHashMap<>());
    Method meters = methods.get(method.getFullMethodName());
    return meters != null
        ? meters
        : methods.computeIfAbsent(
            method.getFullMethodName(), name -> new Method(labelValue, method));
  }

  /** The size of a message in bytes, when it is a stream that knows it (as gRPC's do). */
  static long size(Object message) {
    if (message instanceof InputStream stream) {
      try {
        return stream.available();
      } catch (IOException e) {
        return 0;
      }
    }
    if (message instanceof com.google.protobuf.MessageLite proto) {
      return proto.getSerializedSize();
    }
    return 0;
  }

  private static String type(MethodDescriptor.MethodType type) {
    return switch (type) {
      case UNARY -> "unary";
      case CLIENT_STREAMING -> "client_stream";
      case SERVER_STREAMING -> "server_stream";
      case BIDI_STREAMING -> "bidi_stream";
      default -> "unknown";
    };
  }

  /** The meters of one method with one label value. */
  final class Method {
    private final Tags tags;
    private final Counter started;
    private final Counter received;
    private final Counter sent;
    private final Counter receivedBytes;
    private final Counter sentBytes;
    private final Timer handling;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReferenceArray<Counter> handled =
        new AtomicReferenceArray<>(Status.Code.values().length);

    private Method(String labelValue, MethodDescriptor<?, ?> method) {
      String service = method.getServiceName() == null ? "" : method.getServiceName();
      tags = Tags.of(
          "grpc_type", type(method.getType()),
          "grpc_service", service,
          "grpc_method", method.getBareMethodName() == null ? "" : method.getBareMethodName(),
          label, labelValue);
      started = counter("started", null);
      received = counter("msg_received", null);
      sent = counter("msg_sent", null);
      receivedBytes = counter("received", BaseUnits.BYTES);
      sentBytes = counter("sent", BaseUnits.BYTES);
      handling = Timer.builder(prefix + "handling")
          .description("How long calls took, from their start to their status")
          .tags(tags)
          .serviceLevelObjectives(BUCKETS)
          .register(registry);
      Gauge.builder(prefix + "in_flight", inFlight, AtomicInteger::get)
          .description("Calls started and not yet finished")
          .tags(tags)
          .register(registry);
    }

    private Counter counter(String name, String unit) {
      return Counter.builder(prefix + name).baseUnit(unit).tags(tags).register(registry);
    }

    void started() {
      started.increment();
      inFlight.incrementAndGet();
    }

    void received(long bytes) {
      received.increment();
      receivedBytes.increment(bytes);
    }

    void sent(long bytes) {
      sent.increment();
      sentBytes.increment(bytes);
    }

    void finished(Status.Code code, long nanos) {
      inFlight.decrementAndGet();
      handling.record(nanos, TimeUnit.NANOSECONDS);
      Counter counter = handled.get(code.ordinal());
      if (counter == null) {
        counter = Counter.builder(prefix + "handled")
            .tags(tags)
            .tag("grpc_code", code.name())
            .register(registry);
        handled.set(code.ordinal(), counter);
      }
      counter.increment();
    }
  }
}
