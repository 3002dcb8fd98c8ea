package io.protogate.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Asks a server for its contract through server reflection: every service it lists, and every
 * file those need, as one {@link FileDescriptorSet}. Tries {@code grpc.reflection.v1} first and
 * falls back to {@code v1alpha} for servers that only have the older one; the two share one wire
 * format, so the v1 messages serve both.
 */
public final class ReflectionClient {
  private static final MethodDescriptor<ServerReflectionRequest, ServerReflectionResponse> V1 =
      ServerReflectionGrpc.getServerReflectionInfoMethod();
  private static final MethodDescriptor<ServerReflectionRequest, ServerReflectionResponse>
      V1ALPHA = V1.toBuilder()
          .setFullMethodName("grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
          .build();

  private ReflectionClient() {}

  /** The server's services and the files that define them; fails if it has no reflection. */
  public static FileDescriptorSet fetch(Channel channel, Duration timeout) {
    return fetch(channel, timeout, null);
  }

  /**
   * The full names of the server's services, as it lists them but for a leading dot (which some
   * servers, Node's {@code @grpc/reflection} among them, put before names in no package). No
   * file is fetched, so a file the server describes badly cannot get in the way.
   */
  public static List<String> listServices(Channel channel, Duration timeout) {
    return withFallback(channel, timeout, Session::listServices).stream()
        .map(ReflectionClient::withoutLeadingDot)
        .toList();
  }

  /**
   * The file that defines {@code symbol} (a service, method or message) and its imports, or, if
   * the server does not know the symbol or it is null, everything. Asking for one symbol keeps a
   * one-shot call to two round trips on a server with many services.
   */
  public static FileDescriptorSet fetch(Channel channel, Duration timeout, String symbol) {
    return withFallback(channel, timeout, session -> session.fetch(symbol));
  }

  private static String withoutLeadingDot(String name) {
    return name.startsWith(".") ? name.substring(1) : name;
  }

  private static <T> T withFallback(Channel channel, Duration timeout, Function<Session, T> ask) {
    try {
      return ask.apply(new Session(channel, V1, timeout));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw e;
      }
    }
    try {
      return ask.apply(new Session(channel, V1ALPHA, timeout));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        throw Status.UNIMPLEMENTED
            .withDescription("the server does not support reflection (v1 or v1alpha); pass its"
                + " contract with --protoset FILE.desc")
            .asRuntimeException();
      }
      throw e;
    }
  }

  /** One reflection stream, asked one question at a time. */
  private static final class Session {
    private final LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private final StreamObserver<ServerReflectionRequest> requests;
    private final long deadlineNanos;

    Session(Channel channel,
        MethodDescriptor<ServerReflectionRequest, ServerReflectionResponse> method,
        Duration timeout) {
      this.deadlineNanos = System.nanoTime() + timeout.toNanos();
      this.requests = ClientCalls.asyncBidiStreamingCall(
          channel.newCall(method,
              CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)),
          new StreamObserver<>() {
            @Override
            public void onNext(ServerReflectionResponse value) {
              answers.add(value);
            }

            @Override
            public void onError(Throwable t) {
              answers.add(t);
            }

            @Override
            public void onCompleted() {
              answers.add(Status.INTERNAL.withDescription("reflection stream ended early")
                  .asRuntimeException());
            }
          });
    }

    List<String> listServices() {
      try {
        return listed();
      } finally {
        requests.onCompleted();
      }
    }

    FileDescriptorSet fetch(String symbol) {
      try {
        Map<String, FileDescriptorProto> files = new LinkedHashMap<>();
        if (symbol == null || !addFileContaining(withoutLeadingDot(symbol), files)) {
          for (String service : listed()) {
            addFileContaining(service, files);
          }
        }
        addMissingImports(files);
        ImpliedImports.declare(files, name -> addFileContaining(name, files));
        return FileDescriptorSet.newBuilder().addAllFile(files.values()).build();
      } finally {
        requests.onCompleted();
      }
    }

    private List<String> listed() {
      List<String> services = new ArrayList<>();
      for (ServiceResponse service :
          ask(ServerReflectionRequest.newBuilder().setListServices("").build())
              .getListServicesResponse().getServiceList()) {
        services.add(service.getName());
      }
      return services;
    }

    /**
     * Adds the file defining {@code symbol} and what the server sends with it; false if the server
     * does not know the symbol under its name or, as servers that list names in no package with a
     * leading dot also index them, under {@code .symbol}.
     */
    private boolean addFileContaining(String symbol, Map<String, FileDescriptorProto> files) {
      for (String name : symbol.startsWith(".") ? List.of(symbol) : List.of(symbol, "." + symbol)) {
        try {
          add(ask(ServerReflectionRequest.newBuilder().setFileContainingSymbol(name).build()),
              files);
          return true;
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
            throw e;
          }
        }
      }
      return false;
    }

    private void addMissingImports(Map<String, FileDescriptorProto> files) {
      // Servers may answer with a file but not all it imports: ask for the missing ones.
      Deque<String> missing = new ArrayDeque<>();
      files.values().forEach(f -> missing.addAll(f.getDependencyList()));
      while (!missing.isEmpty()) {
        String name = missing.pop();
        if (!files.containsKey(name)) {
          for (FileDescriptorProto file : add(ask(ServerReflectionRequest.newBuilder()
              .setFileByFilename(name).build()), files)) {
            missing.addAll(file.getDependencyList());
          }
        }
      }
    }

    private ServerReflectionResponse ask(ServerReflectionRequest request) {
      requests.onNext(request);
      Object answer;
      try {
        answer = answers.poll(Math.max(0, deadlineNanos - System.nanoTime()),
            TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
      }
      if (answer == null) {
        throw Status.DEADLINE_EXCEEDED.withDescription("no reflection answer in time")
            .asRuntimeException();
      }
      if (answer instanceof Throwable t) {
        throw Status.fromThrowable(t).asRuntimeException();
      }
      ServerReflectionResponse response = (ServerReflectionResponse) answer;
      if (response.hasErrorResponse()) {
        throw Status.fromCodeValue(response.getErrorResponse().getErrorCode())
            .withDescription("reflection: " + response.getErrorResponse().getErrorMessage())
            .asRuntimeException();
      }
      return response;
    }

    private static List<FileDescriptorProto> add(
        ServerReflectionResponse response, Map<String, FileDescriptorProto> files) {
      List<FileDescriptorProto> added = new ArrayList<>();
      for (ByteString bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
        try {
          FileDescriptorProto file = FileDescriptorProto.parseFrom(bytes);
          if (files.putIfAbsent(file.getName(), file) == null) {
            added.add(file);
          }
        } catch (InvalidProtocolBufferException e) {
          throw Status.INTERNAL.withDescription(
              "reflection answered a file that does not parse: " + e.getMessage())
              .asRuntimeException();
        }
      }
      return added;
    }
  }
}
