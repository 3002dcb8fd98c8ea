package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.protogate.client.DynamicCalls;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.json.JsonCodec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code serve} processes behind Debian's nginx ({@code grpc_pass}), all serving one
 * descriptor directory laid out as Kubernetes mounts a ConfigMap ({@code ..data} symlink swapped
 * atomically). Under continuous calls through nginx: a contract swap reaches every replica, one
 * replica stopped with SIGTERM drains, then comes back and takes calls again, and no call fails.
 * Skipped without nginx, except under {@code PROTOGATE_REQUIRE_INTEROP=1} (CI), where it fails.
 */
class ReplicasBehindNginxTest {
  private static final Path NGINX = Path.of("/usr/sbin/nginx");
  private static final String HELLO = "GrpcService/hello";
  private static final int REPLICAS = 3;
  private static final int CLIENTS = 4;
  private static final Pattern SERVING = Pattern.compile("serving .* on 127\\.0\\.0\\.1:(\\d+)"
      + ".*admin port 127\\.0\\.0\\.1:(\\d+)");

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void threeReplicas_contractSwapAndDrain_underLoad_noFailedCall(@TempDir Path dir)
      throws Exception {
    assumeNginx();
    Path config = Files.createDirectory(dir.resolve("config"));
    configMap(config, "..v1", Path.of("descriptors/hello.desc"));
    List<Replica> replicas = new ArrayList<>();
    Process nginx = null;
    ManagedChannel channel = null;
    Load load = null;
    long start = System.nanoTime();
    try {
      for (int i = 0; i < REPLICAS; i++) {
        replicas.add(new Replica(dir.resolve("replica-" + i + ".log"), config));
      }
      for (Replica replica : replicas) {
        replica.start(0, 0);
      }
      for (Replica replica : replicas) {
        replica.awaitServing();
      }
      int port = freePort();
      nginx = startNginx(dir, port, replicas);
      channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      Load traffic = new Load(channel, SchemaLoader.load(List.of(config)));
      load = traffic;
      traffic.start();
      await("calls through nginx", () -> traffic.ok.get() >= 50);
      // Cold JVMs on a busy machine may miss a first call's deadline; what is under test starts
      // now, with every replica warm.
      long warmUpFailures = traffic.reset();
      long started = System.nanoTime();

      // A contract change as Kubernetes makes it: a new timestamped directory, ..data swapped.
      String before = SchemaLoader.load(List.of(config)).version();
      configMap(config, "..v2", Path.of("descriptors/hello.desc"),
          Path.of("descriptors/demo.desc"));
      String after = SchemaLoader.load(List.of(config)).version();
      assertNotEquals(before, after);
      for (Replica replica : replicas) {
        await("replica " + replica.log + " on version " + after,
            () -> replica.contractVersion().equals(after));
      }
      long swapped = System.nanoTime();
      long callsAtSwap = traffic.ok.get();
      await("calls after the swap", () -> traffic.ok.get() >= callsAtSwap + 50);

      Replica drained = replicas.get(1);
      await("calls on every replica", () -> replicas.stream().allMatch(r -> r.handled() > 0));
      long drainedBefore = drained.handled();
      drained.process.destroy(); // SIGTERM
      assertTrue(drained.process.waitFor(30, TimeUnit.SECONDS), "no exit after SIGTERM");
      assertEquals(0, drained.process.exitValue());
      long callsAtDrain = traffic.ok.get();
      await("calls while a replica is down", () -> traffic.ok.get() >= callsAtDrain + 50);
      long drainedAt = System.nanoTime();

      drained.start(drained.port, drained.adminPort);
      drained.awaitServing();
      await("the restarted replica taking calls", () -> drained.handled() > 0);
      long back = System.nanoTime();

      traffic.stop();
      String summary = "calls " + (traffic.ok.get() + traffic.failed.get()) + ", failed "
          + traffic.failed.get() + " (and " + warmUpFailures + " while warming up)"
          + ", contract swaps 1 (" + before + " -> " + after
          + ", seen by " + REPLICAS + " replicas), drains 1 (replica answered " + drainedBefore
          + " calls before SIGTERM; after restart it answered again); seconds: start "
          + seconds(start, started) + ", swap seen by all " + seconds(started, swapped)
          + ", drain " + seconds(swapped, drainedAt) + ", restart taking calls "
          + seconds(drainedAt, back);
      System.out.println("replicas behind nginx: " + summary);
      assertEquals(0, traffic.failed.get(), summary + "; first failures: " + traffic.failures);
    } finally {
      if (load != null) {
        load.stop();
      }
      if (channel != null) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      if (nginx != null) {
        nginx.destroy();
        nginx.waitFor(10, TimeUnit.SECONDS);
        nginx.destroyForcibly();
      }
      for (Replica replica : replicas) {
        replica.stop();
      }
    }
  }

  private static String seconds(long from, long to) {
    return String.format("%.1f", (to - from) / 1e9);
  }

  private static void assumeNginx() {
    if (Files.isExecutable(NGINX)) {
      return;
    }
    if ("1".equals(System.getenv("PROTOGATE_REQUIRE_INTEROP"))) {
      fail("PROTOGATE_REQUIRE_INTEROP=1 but " + NGINX + " is missing; install Debian's nginx");
    }
    Assumptions.abort(NGINX + " is missing; skipping the many-replica test");
  }

  /**
   * Publishes {@code sets} the way the kubelet updates a ConfigMap volume: a new directory, a
   * {@code ..data} symlink renamed over the old one in one step, and one symlink per key.
   */
  private static void configMap(Path config, String version, Path... sets) throws IOException {
    Path data = Files.createDirectory(config.resolve(version));
    for (Path set : sets) {
      Files.copy(set, data.resolve(set.getFileName()));
    }
    Path tmp = config.resolve("..data_tmp");
    Files.createSymbolicLink(tmp, Path.of(version));
    Files.move(tmp, config.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    for (Path set : sets) {
      Path key = config.resolve(set.getFileName());
      if (!Files.isSymbolicLink(key)) {
        Files.createSymbolicLink(key, Path.of("..data").resolve(set.getFileName()));
      }
    }
  }

  private static Process startNginx(Path dir, int port, List<Replica> replicas)
      throws Exception {
    Path prefix = Files.createDirectory(dir.resolve("nginx"));
    StringBuilder servers = new StringBuilder();
    for (Replica replica : replicas) {
      // A refused connection takes a replica out for a second, then nginx tries it again.
      servers.append("    server 127.0.0.1:").append(replica.port)
          .append(" max_fails=1 fail_timeout=1s;\n");
    }
    Path conf = prefix.resolve("nginx.conf");
    Files.writeString(conf, """
        daemon off;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 256; }
        http {
          access_log off;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          fastcgi_temp_path %1$s/fastcgi;
          uwsgi_temp_path %1$s/uwsgi;
          scgi_temp_path %1$s/scgi;
          upstream protogate {
        %2$s    keepalive 16;
          }
          server {
            listen 127.0.0.1:%3$d http2;
            location / {
              grpc_pass grpc://protogate;
              grpc_next_upstream error timeout;
            }
          }
        }
        """.formatted(prefix, servers, port));
    Process nginx = new ProcessBuilder(NGINX.toString(), "-p", prefix.toString(), "-c",
        conf.toString(), "-e", prefix.resolve("error.log").toString())
        .redirectErrorStream(true)
        .redirectOutput(prefix.resolve("out.log").toFile())
        .start();
    await("nginx listening on " + port, () -> {
      if (!nginx.isAlive()) {
        throw new AssertionError("nginx exited: " + read(prefix.resolve("out.log"))
            + read(prefix.resolve("error.log")));
      }
      try (Socket socket = new Socket("127.0.0.1", port)) {
        return true;
      } catch (IOException e) {
        return false;
      }
    });
    return nginx;
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return e.getMessage();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  /** One {@code serve} process, restartable on the same ports. */
  private final class Replica {
    final Path log;
    final Path config;
    Process process;
    int port;
    int adminPort;

    Replica(Path log, Path config) {
      this.log = log;
      this.config = config;
    }

    void start(int port, int adminPort) throws IOException {
      List<String> command = new ArrayList<>(ServeCommandTest.javaCommand("serve",
          "--port", String.valueOf(port), "--admin-port", String.valueOf(adminPort),
          "--descriptors", config.toString(), "--drain-delay", "1", "--shutdown-grace", "5"));
      // Small, quick-starting JVMs: three of them share the machine with the test.
      command.addAll(1, List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
      Files.deleteIfExists(log);
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
    }

    void awaitServing() throws InterruptedException {
      await("replica serving, see " + log, () -> {
        Matcher serving = SERVING.matcher(read(log));
        if (!serving.find()) {
          if (!process.isAlive()) {
            throw new AssertionError("replica exited: " + read(log));
          }
          return false;
        }
        port = Integer.parseInt(serving.group(1));
        adminPort = Integer.parseInt(serving.group(2));
        return true;
      });
    }

    String admin(String path) {
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
            + path)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString()).body();
      } catch (IOException e) {
        return "";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "";
      }
    }

    String contractVersion() {
      Matcher version = Pattern.compile("\"version\":\"([^\"]+)\"").matcher(admin("/contract"));
      return version.find() ? version.group(1) : "";
    }

    /** Calls of hello this replica answered OK, from its own metrics. */
    long handled() {
      Matcher handled = Pattern.compile("grpc_server_handled_total\\{door=\"grpc\","
          + "grpc_code=\"OK\",grpc_method=\"hello\"[^}]*} ([0-9.E]+)").matcher(admin("/metrics"));
      return handled.find() ? (long) Double.parseDouble(handled.group(1)) : 0;
    }

    void stop() throws InterruptedException {
      if (process != null && process.isAlive()) {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      }
    }
  }

  /** Clients calling hello through nginx without pause, counting what succeeds and fails. */
  private static final class Load {
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final ManagedChannel channel;
    private final Descriptors.MethodDescriptor method;
    private final DynamicMessage request;

    Load(ManagedChannel channel, Schema schema) {
      this.channel = channel;
      this.method = schema.findMethod(HELLO).orElseThrow();
      this.request = JsonCodec.of(schema).parse(ServeCommand.DEMO_REQUEST, method.getInputType());
    }

    void start() {
      for (int i = 0; i < CLIENTS; i++) {
        Thread thread = new Thread(this::run, "load-" + i);
        threads.add(thread);
        thread.start();
      }
    }

    private void run() {
      while (running.get()) {
        try {
          DynamicCalls.unary(channel, method, request, Duration.ofSeconds(10));
          ok.incrementAndGet();
        } catch (StatusRuntimeException e) {
          failed.incrementAndGet();
          if (failures.size() < 5) {
            failures.add(e.getStatus().toString());
          }
        }
      }
    }

    /** Starts counting afresh; returns the failures counted so far. */
    long reset() {
      failures.clear();
      ok.set(0);
      return failed.getAndSet(0);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread thread : threads) {
        thread.join(15_000);
      }
    }
  }
}
