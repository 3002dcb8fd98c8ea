package io.protogate.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
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
