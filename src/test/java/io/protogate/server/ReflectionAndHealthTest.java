package io.protogate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.DescriptorSource;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReflectionAndHealthTest {
  private ServerFixture fixture;

  @BeforeEach
  void start() {
    fixture = ServerFixture.bundled();
  }

  @AfterEach
  void stop() throws InterruptedException {
    fixture.close();
  }

  @Test
  void reflectionV1_listsEveryDynamicService() throws Exception {
    ServerReflectionResponse response =
        reflectV1(ServerReflectionRequest.newBuilder().setListServices("").build());

    Set<String> services = response.getListServicesResponse().getServiceList().stream()
        .map(ServiceResponse::getName).collect(Collectors.toSet());
    assertTrue(services.containsAll(Set.of("GrpcService", "protogate.demo.StreamingDemo",
        "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection")), services.toString());
  }

  @Test
  void reflectionV1_fileContainingSymbol_forServiceMethodAndMessage() throws Exception {
    for (String symbol : List.of("GrpcService", "GrpcService.hello", "HelloRequest", "Skill")) {
      List<FileDescriptorProto> files = files(reflectV1(
          ServerReflectionRequest.newBuilder().setFileContainingSymbol(symbol).build()));

      assertEquals("hello.proto", files.get(0).getName(), symbol);
    }
  }

  @Test
  void reflectionV1_fileContainingSymbol_includesImports() throws Exception {
    List<FileDescriptorProto> files = files(reflectV1(ServerReflectionRequest.newBuilder()
        .setFileContainingSymbol("protogate.demo.StreamingDemo.Countdown").build()));

    Set<String> names = files.stream().map(FileDescriptorProto::getName)
        .collect(Collectors.toSet());
    assertEquals(Set.of("demo.proto", "google/protobuf/timestamp.proto"), names);
  }

  @Test
  void reflectionV1_fileByFilename() throws Exception {
    List<FileDescriptorProto> files = files(reflectV1(
        ServerReflectionRequest.newBuilder().setFileByFilename("demo.proto").build()));

    assertEquals("StreamingDemo", files.get(0).getService(0).getName());
    assertEquals(3, files.get(0).getService(0).getMethodCount());
  }

  @Test
  void reflectionV1_unknownSymbol_notFoundAndStreamStaysUsable() throws Exception {
    ServerReflectionResponse response = reflectV1(
        ServerReflectionRequest.newBuilder().setFileContainingSymbol("no.Such").build());

    assertEquals(Status.Code.NOT_FOUND.value(), response.getErrorResponse().getErrorCode());
  }

  @Test
  void reflectionV1alpha_listsAndDescribesDynamicServices() throws Exception {
    var stub = io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(fixture.channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS);
    LinkedBlockingQueue<io.grpc.reflection.v1alpha.ServerReflectionResponse> responses =
        new LinkedBlockingQueue<>();
    var requests = stub.serverReflectionInfo(new QueueObserver<>(responses));
    requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
        .setListServices("").build());
    requests.onNext(io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
        .setFileContainingSymbol("GrpcService.hello").build());
    var list = responses.poll(10, TimeUnit.SECONDS);
    var file = responses.poll(10, TimeUnit.SECONDS);
    requests.onCompleted();

    Set<String> services = list.getListServicesResponse().getServiceList().stream()
        .map(io.grpc.reflection.v1alpha.ServiceResponse::getName).collect(Collectors.toSet());
    assertTrue(services.containsAll(Set.of("GrpcService", "protogate.demo.StreamingDemo")),
        services.toString());
    assertEquals("hello.proto", FileDescriptorProto.parseFrom(
        file.getFileDescriptorResponse().getFileDescriptorProto(0)).getName());
  }

  @Test
  void health_servingForTheServerAndEachService() {
    var health = HealthGrpc.newBlockingStub(fixture.channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    for (String service : List.of("", "GrpcService", "protogate.demo.StreamingDemo")) {
      HealthCheckResponse response =
          health.check(HealthCheckRequest.newBuilder().setService(service).build());

      assertEquals(ServingStatus.SERVING, response.getStatus(), service);
    }
  }

  @Test
  void health_turnsNotServingWhenTheServerStops() throws Exception {
    LinkedBlockingQueue<HealthCheckResponse> statuses = new LinkedBlockingQueue<>();
    HealthGrpc.newStub(fixture.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .watch(HealthCheckRequest.newBuilder().setService("").build(),
            new QueueObserver<>(statuses));
    assertEquals(ServingStatus.SERVING, statuses.poll(10, TimeUnit.SECONDS).getStatus());

    fixture.server.close();

    assertEquals(ServingStatus.NOT_SERVING, statuses.poll(10, TimeUnit.SECONDS).getStatus());
  }

  @Test
  void swap_removedServiceLeavesHealthAndReflection() throws Exception {
    Schema helloOnly = SchemaLoader.fromSources(BundledDescriptors.sources().subList(0, 1));
    var health = HealthGrpc.newBlockingStub(fixture.channel).withDeadlineAfter(10, TimeUnit.SECONDS);

    fixture.server.swap(helloOnly);

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> health.check(
        HealthCheckRequest.newBuilder().setService("protogate.demo.StreamingDemo").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode(), "health: service unknown");
    Set<String> services = reflectV1(ServerReflectionRequest.newBuilder().setListServices("")
        .build()).getListServicesResponse().getServiceList().stream()
        .map(ServiceResponse::getName).collect(Collectors.toSet());
    assertTrue(services.contains("GrpcService") && !services.contains(
        "protogate.demo.StreamingDemo"), services.toString());
    assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
        .setService("GrpcService").build()).getStatus());
  }

  @Test
  void swap_toAContractAHandlerDoesNotFit_isRefusedAndChangesNothing() {
    Schema current = fixture.server.schema();
    // The bundled Countdown handler is server-streaming: a contract declaring it unary must not
    // be served with it.
    Schema misfit = SchemaLoader.fromSources(List.of(new DescriptorSource("misfit",
        com.google.protobuf.DescriptorProtos.FileDescriptorSet.newBuilder()
            .addFile(unaryCountdown()).build().toByteArray())));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> fixture.server.swap(misfit));

    assertTrue(e.getMessage().contains("protogate.demo.StreamingDemo/Countdown"), e.getMessage());
    assertSame(current, fixture.server.schema());
  }

  private static FileDescriptorProto unaryCountdown() {
    FileDescriptorProto demo = ServerFixture.BUNDLED.findService("protogate.demo.StreamingDemo")
        .orElseThrow().getFile().toProto();
    FileDescriptorProto.Builder builder = demo.toBuilder();
    builder.getServiceBuilder(0).getMethodBuilder(0).setServerStreaming(false);
    return builder.build();
  }

  private ServerReflectionResponse reflectV1(ServerReflectionRequest request)
      throws InterruptedException {
    LinkedBlockingQueue<ServerReflectionResponse> responses = new LinkedBlockingQueue<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(fixture.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverReflectionInfo(new QueueObserver<>(responses));
    requests.onNext(request);
    ServerReflectionResponse response = responses.poll(10, TimeUnit.SECONDS);
    requests.onCompleted();
    assertTrue(response != null, "no reflection response within 10 s");
    return response;
  }

  private static List<FileDescriptorProto> files(ServerReflectionResponse response)
      throws InvalidProtocolBufferException {
    List<FileDescriptorProto> files = new ArrayList<>();
    for (var bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
      files.add(FileDescriptorProto.parseFrom(bytes));
    }
    assertTrue(!files.isEmpty(), "no files in " + response);
    return files;
  }

  private record QueueObserver<T>(LinkedBlockingQueue<T> queue) implements StreamObserver<T> {
    @Override
    public void onNext(T value) {
      queue.add(value);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
