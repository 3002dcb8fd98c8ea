package io.protogate.stub;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.TextFormat;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.protogate.client.DynamicCalls;
import io.protogate.descriptor.DescriptorSource;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.json.JsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** The stub tests' contract (src/test/resources/stub/contract.textproto) and helpers on it. */
final class TestContract {
  static final Schema SCHEMA = load();
  static final JsonCodec JSON = JsonCodec.of(SCHEMA);

  private TestContract() {}

  private static Schema load() {
    try (InputStream in = TestContract.class.getResourceAsStream("/stub/contract.textproto")) {
      FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
      TextFormat.merge(new String(in.readAllBytes(), StandardCharsets.UTF_8), set);
      return SchemaLoader.fromSources(
          List.of(new DescriptorSource("contract.textproto", set.build().toByteArray())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static StubSet stubs(String yaml) throws StubException {
    return StubSet.of(SCHEMA, StubFiles.parse("test.yaml", yaml));
  }

  static DynamicMessage request(String fullMethod, String json) {
    return JSON.parse(json, SCHEMA.findMethod(fullMethod).orElseThrow().getInputType());
  }

  /** "#n" for the n-th stub (from 1) answering a unary request, or the miss explanation. */
  static String answer(StubSet stubs, String fullMethod, String json, Map<String, String> headers) {
    Metadata metadata = new Metadata();
    headers.forEach(
        (k, v) -> metadata.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
    StubSet.Selection selection = stubs.select(fullMethod, StubSet.headers(metadata),
        List.of(stubs.tree(request(fullMethod, json))), false);
    return selection.stub() != null
        ? selection.stub().where().substring(selection.stub().where().indexOf('#'))
        : selection.miss();
  }

  static String answer(StubSet stubs, String fullMethod, String json) {
    return answer(stubs, fullMethod, json, Map.of());
  }

  /** A message as one line of JSON without spaces, for comparing in assertions. */
  static String compact(DynamicMessage message) {
    return JSON.print(message).replaceAll("\\s+", "");
  }

  /**
   * Runs a call of any streaming shape over {@code channel}, sending {@code requests}; returns
   * the responses, {@link #compact}; a failed call throws its {@code StatusRuntimeException}.
   */
  static List<String> stream(Channel channel, String method, String... requests)
      throws Exception {
    List<String> answers = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    MethodDescriptor descriptor = SCHEMA.findMethod(method).orElseThrow();
    var call = channel.newCall(DynamicCalls.methodDescriptor(descriptor),
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
    StreamObserver<DynamicMessage> responses = new StreamObserver<>() {
      @Override
      public void onNext(DynamicMessage value) {
        answers.add(compact(value));
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    };
    if (descriptor.isClientStreaming()) {
      StreamObserver<DynamicMessage> out = descriptor.isServerStreaming()
          ? ClientCalls.asyncBidiStreamingCall(call, responses)
          : ClientCalls.asyncClientStreamingCall(call, responses);
      for (String request : requests) {
        out.onNext(request(method, request));
      }
      out.onCompleted();
    } else {
      ClientCalls.asyncServerStreamingCall(call, request(method, requests[0]), responses);
    }
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
    return List.copyOf(answers);
  }
}
