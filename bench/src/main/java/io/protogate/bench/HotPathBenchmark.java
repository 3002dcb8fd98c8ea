package io.protogate.bench;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Context;
import io.grpc.Metadata;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.CallContext;
import io.protogate.handler.Handlers;
import io.protogate.handler.UnaryHandler;
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
 * generated message: parsing and serializing the hello request, JSON to message and back, and
 * the whole of a server's message work for one hello call (parse the request, answer it, write
 * the response) through the built-in handler and through the generated classes.
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
  private static final MethodHandle PARSE_GENERATED = find(type("Hello$HelloRequest"),
      "parseFrom", MethodType.methodType(type("Hello$HelloRequest"), byte[].class), true);
  private static final MethodHandle NEW_GENERATED_BUILDER = find(type("Hello$HelloRequest"),
      "newBuilder", MethodType.methodType(type("Hello$HelloRequest$Builder")), true);
  private final Message generated = parseGeneratedUnchecked(bytes);

  private static final MethodHandle REQUEST_DATA = getter("Hello$HelloRequest", "getData",
      String.class);
  private static final MethodHandle REQUEST_SKILL = getter("Hello$HelloRequest", "getSkill",
      type("Hello$Skill"));
  private static final MethodHandle SKILL_NAME = getter("Hello$Skill", "getName", String.class);
  private static final MethodHandle NEW_RESPONSE = find(type("Hello$HelloResponse"), "newBuilder",
      MethodType.methodType(type("Hello$HelloResponse$Builder")), true);
  private static final MethodHandle SET_RESULT = find(type("Hello$HelloResponse$Builder"),
      "setResult", MethodType.methodType(type("Hello$HelloResponse$Builder"), String.class), false);
  private static final MethodHandle PUT_MAP_RESULT = find(type("Hello$HelloResponse$Builder"),
      "putMapResult",
      MethodType.methodType(type("Hello$HelloResponse$Builder"), String.class, int.class), false);
  private final com.google.protobuf.Descriptors.MethodDescriptor helloMethod =
      schema.findMethod("GrpcService/hello").orElseThrow();
  private final UnaryHandler helloHandler = (UnaryHandler) Handlers
      .discovered(HotPathBenchmark.class.getClassLoader()).find("GrpcService/hello").orElseThrow();
  private final CallContext call = new CallContext(helloMethod, new Metadata(), Context.ROOT);

  private static Class<?> type(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MethodHandle getter(String owner, String name, Class<?> returns) {
    return find(type(owner), name, MethodType.methodType(returns), false);
  }

  private static MethodHandle find(Class<?> owner, String name, MethodType type, boolean isStatic) {
    try {
      return isStatic
          ? MethodHandles.publicLookup().findStatic(owner, name, type)
          : MethodHandles.publicLookup().findVirtual(owner, name, type);
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
  public byte[] answerGenerated() throws Throwable {
    Object request = PARSE_GENERATED.invoke(bytes);
    String result = (String) REQUEST_DATA.invoke(request)
        + (String) SKILL_NAME.invoke(REQUEST_SKILL.invoke(request)) + " this is gprc test service";
    Object builder = PUT_MAP_RESULT.invoke(SET_RESULT.invoke(NEW_RESPONSE.invoke(), result), "12",
        1232);
    return ((Message.Builder) builder).build().toByteArray();
  }

  @Benchmark
  public byte[] answerDynamic() throws Exception {
    return helloHandler.handle(DynamicMessage.parseFrom(requestType, bytes), call).toByteArray();
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
