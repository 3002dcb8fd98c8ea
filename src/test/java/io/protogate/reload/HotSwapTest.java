package io.protogate.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DynamicMessage;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.protogate.client.DynamicCalls;
import io.protogate.client.ReflectionClient;
import io.protogate.descriptor.DescriptorSource;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.json.JsonCodec;
import io.protogate.server.ProtogateServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Swaps the contract of a running server many times, through real file changes, while clients
 * call it without pause: no call may fail, and reflection must match the files after each swap.
 */
class HotSwapTest {
  private static final int CLIENTS = 4;
  private static final int ROUNDS = 3;

  private final LinkedBlockingQueue<String> rejections = new LinkedBlockingQueue<>();

  @Test
  void swapsUnderLoad_loseNoCall_andReflectionFollowsEveryFile(@TempDir Path dir)
      throws Exception {
    FileDescriptorSet base = FileDescriptorSet.parseFrom(
        Files.readAllBytes(Path.of("descriptors/hello.desc")));
    FileDescriptorSet newField = withExtraField(base);
    FileDescriptorSet newMethod = withSecondMethod(newField);
    Path hello = dir.resolve("hello.desc");
    Files.write(hello, base.toByteArray());

    Schema initial = SchemaLoader.load(List.of(dir));
    ProtogateServer server = ProtogateServer.builder(initial)
        .port(0)
        .demoHandlers(BuiltinHandlers.demo())
        .build()
        .start();
    Reloader reloader = new Reloader(List.of(dir), server, false, new Reloader.Listener() {
      @Override
      public void swapped(Schema schema) {}

      @Override
      public void rejected(String problem) {
        rejections.add(problem);
      }
    });
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ok = new AtomicLong();
    Map<String, Long> failures = new ConcurrentHashMap<>();
    List<Thread> clients = new ArrayList<>();
    var method = initial.findMethod("GrpcService/hello").orElseThrow();
    DynamicMessage request = JsonCodec.of(initial).parse("{\"data\": \"load\"}",
        method.getInputType());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int i = 0; i < CLIENTS; i++) {
      Thread client = new Thread(() -> {
        while (!stop.get() && System.nanoTime() < deadline) {
          try {
            DynamicCalls.unary(channel, method, request, Duration.ofSeconds(10));
            ok.incrementAndGet();
          } catch (StatusRuntimeException e) {
            failures.merge(e.getStatus().toString(), 1L, Long::sum);
          }
        }
      });
      client.start();
      clients.add(client);
    }
    try (DescriptorWatcher watcher = DescriptorWatcher.start(reloader, Duration.ofMillis(100),
        Duration.ofSeconds(2))) {
      for (int round = 0; round < ROUNDS; round++) {
        swapTo(hello, newField, server, channel, 3, false);
        swapTo(hello, newMethod, server, channel, 3, true);
        assertEquals(Status.Code.UNIMPLEMENTED, callSecondMethod(channel, server).getCode(),
            "a new method without a handler answers UNIMPLEMENTED");

        String before = server.schema().version();
        Files.write(dir.resolve("broken.desc"), new byte[] {1, 2, 3, 4, 5});
        assertTrue(rejectionNaming("broken.desc"), "a broken set is rejected");
        Files.delete(dir.resolve("broken.desc"));
        assertEquals(before, server.schema().version(), "the last good set keeps serving");

        byte[] whole = newField.toByteArray();
        Files.write(hello, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertTrue(rejectionNaming("hello.desc"), "a half-written set is rejected");
        swapTo(hello, newField, server, channel, 3, false);
        swapTo(hello, base, server, channel, 2, false);
      }
      stop.set(true);
      for (Thread client : clients) {
        client.join(TimeUnit.SECONDS.toMillis(30));
      }

      assertEquals(Map.of(), failures, "calls failed during swaps");
      assertTrue(ok.get() > 0, "no call completed");
    } finally {
      stop.set(true);
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.close();
    }
  }

  @Test
  void watchedFile_replacedByAnEditor_isSwappedIn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("hello.desc");
    Files.copy(Path.of("descriptors/hello.desc"), file);
    FileDescriptorSet changed = withExtraField(FileDescriptorSet.parseFrom(Files.readAllBytes(file)));
    String expected = SchemaLoader.fromSources(
        List.of(new DescriptorSource("expected", changed.toByteArray()))).version();
    try (ProtogateServer server = ProtogateServer.builder(SchemaLoader.load(List.of(file)))
            .port(0).handlers(Handlers.builder().build()).build().start();
        DescriptorWatcher watcher = DescriptorWatcher.start(
            new Reloader(List.of(file), server, false), Duration.ofMillis(100),
            Duration.ofSeconds(2))) {
      // Editors write a new file and rename it over the old one.
      Path temporary = Files.write(dir.resolve("hello.desc.tmp"), changed.toByteArray());
      Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);

      assertTrue(eventually(() -> server.schema().version().equals(expected)),
          "the watched file's new contents were not swapped in");
    }
  }

  /** Writes {@code set}, waits for the server to serve it, then checks reflection and headers. */
  private void swapTo(Path file, FileDescriptorSet set, ProtogateServer server,
      ManagedChannel channel, int requestFields, boolean secondMethod) throws Exception {
    String expected = SchemaLoader.fromSources(
        List.of(new DescriptorSource("expected", set.toByteArray()))).version();
    Files.write(file, set.toByteArray());
    assertTrue(eventually(() -> server.schema().version().equals(expected)),
        "not swapped to " + expected + "; rejections: " + rejections);

    FileDescriptorProto served = reflectFile(channel, "HelloRequest");
    DescriptorProto helloRequest = served.getMessageTypeList().stream()
        .filter(m -> m.getName().equals("HelloRequest")).findFirst().orElseThrow();
    assertEquals(requestFields, helloRequest.getFieldCount(), "reflection shows the new fields");
    assertEquals(secondMethod ? 2 : 1, served.getService(0).getMethodCount(),
        "reflection shows exactly the methods of the file");
    assertEquals(expected, versionHeader(channel, server), "the version header names the swap");
  }

  private static Status callSecondMethod(ManagedChannel channel, ProtogateServer server) {
    var method = server.schema().findMethod("GrpcService/hello2").orElseThrow();
    try {
      DynamicCalls.unary(channel, method, DynamicMessage.getDefaultInstance(
          method.getInputType()), Duration.ofSeconds(10));
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  private static String versionHeader(ManagedChannel channel, ProtogateServer server) {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var method = server.schema().findMethod("GrpcService/hello").orElseThrow();
    DynamicCalls.unary(
        ClientInterceptors.intercept(channel,
            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)),
        method, DynamicMessage.getDefaultInstance(method.getInputType()), Duration.ofSeconds(10));
    return headers.get().get(
        Metadata.Key.of("protogate-contract-version", Metadata.ASCII_STRING_MARSHALLER));
  }

  private boolean rejectionNaming(String file) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String problem;
    while ((problem = rejections.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS)) != null) {
      if (problem.contains(file)) {
        return true;
      }
    }
    return false;
  }

  static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  /** The file defining {@code symbol}, as a fresh reflection stream describes it now. */
  private static FileDescriptorProto reflectFile(ManagedChannel channel, String symbol) {
    return ReflectionClient.fetch(channel, Duration.ofSeconds(10), symbol).getFileList().stream()
        .filter(file -> file.getName().equals("hello.proto")).findFirst().orElseThrow();
  }

  static FileDescriptorSet withExtraField(FileDescriptorSet set) {
    FileDescriptorProto.Builder file = set.getFile(0).toBuilder();
    for (DescriptorProto.Builder message : file.getMessageTypeBuilderList()) {
      if (message.getName().equals("HelloRequest")) {
        message.addField(FieldDescriptorProto.newBuilder()
            .setName("extra").setJsonName("extra").setNumber(3)
            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setType(FieldDescriptorProto.Type.TYPE_STRING));
      }
    }
    return FileDescriptorSet.newBuilder().addFile(file).build();
  }

  static FileDescriptorSet withSecondMethod(FileDescriptorSet set) {
    FileDescriptorProto.Builder file = set.getFile(0).toBuilder();
    file.getServiceBuilder(0).addMethod(MethodDescriptorProto.newBuilder()
        .setName("hello2").setInputType(".HelloRequest").setOutputType(".HelloResponse"));
    return FileDescriptorSet.newBuilder().addFile(file).build();
  }
}
