package io.protogate.bench;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.json.JsonCodec;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The per-call work of a descriptor-driven server and client, next to the same work on the
 * generated message: parsing and serializing the hello request, JSON to message and back.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotPathBenchmark {
  private static final String JSON = "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"engineer\"}}";

  private final Schema schema = SchemaLoader.fromSources(BundledDescriptors.sources());
  private final com.google.protobuf.Descriptors.Descriptor requestType =
      schema.findMessage("HelloRequest").orElseThrow();
  private final JsonCodec codec = JsonCodec.of(schema);
  private final DynamicMessage dynamic = codec.parse(JSON, requestType);
  private final byte[] bytes = dynamic.toByteArray();
  // hello.proto has no package, so its generated classes are in the default package, which a
  // named package cannot import: reach them through method handles, which the JIT inlines.
  private static final MethodHandle PARSE_GENERATED = generated("parseFrom",
      MethodType.methodType(generatedClass(), byte[].class));
  private static final MethodHandle NEW_GENERATED_BUILDER = generated("newBuilder",
      MethodType.methodType(builderClass()));
  private final Message generated = parseGeneratedUnchecked(bytes);

  private static Class<?> generatedClass() {
    try {
      return Class.forName("Hello$HelloRequest");
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Class<?> builderClass() {
    try {
      return Class.forName("Hello$HelloRequest$Builder");
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MethodHandle generated(String name, MethodType type) {
    try {
      return MethodHandles.publicLookup().findStatic(generatedClass(), name, type);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Message parseGeneratedUnchecked(byte[] bytes) {
    try {
      return (Message) PARSE_GENERATED.invoke(bytes);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  @Benchmark
  public Object parseGenerated() throws Throwable {
    return PARSE_GENERATED.invoke(bytes);
  }

  @Benchmark
  public Object parseDynamic() throws Exception {
    return DynamicMessage.parseFrom(requestType, bytes);
  }

  @Benchmark
  public byte[] serializeGenerated() {
    return generated.toByteArray();
  }

  @Benchmark
  public byte[] serializeDynamic() {
    return dynamic.toByteArray();
  }

  @Benchmark
  public Object jsonToGenerated() throws Throwable {
    Message.Builder builder = (Message.Builder) NEW_GENERATED_BUILDER.invoke();
    JsonFormat.parser().merge(JSON, builder);
    return builder.build();
  }

  @Benchmark
  public Object jsonToDynamic() {
    return codec.parse(JSON, requestType);
  }

  @Benchmark
  public String dynamicToJson() {
    return codec.print(dynamic);
  }
}
