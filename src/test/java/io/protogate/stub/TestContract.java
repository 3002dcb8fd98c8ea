package io.protogate.stub;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.TextFormat;
import io.grpc.Metadata;
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
}
