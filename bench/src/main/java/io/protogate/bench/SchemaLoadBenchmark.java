package io.protogate.bench;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.protogate.descriptor.DescriptorSource;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Handlers;
import io.protogate.server.ProtogateServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Loading a large contract: 100 files, each with 10 messages (10 fields, one referring to a
 * message of the previous file) and one service of 10 methods, so 1,000 messages and 100
 * services linked across files: what a swap costs before it can happen.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class SchemaLoadBenchmark {
  static final int FILES = 100;
  static final int MESSAGES_PER_FILE = 10;

  private final List<DescriptorSource> sources = List.of(
      new DescriptorSource("large.desc", largeSet().toByteArray()));
  private final byte[][] schemaBytes = {largeSet().toByteArray(), largeSet().toBuilder()
      .setFile(0, largeSet().getFile(0).toBuilder()
          .addMessageType(DescriptorProto.newBuilder().setName("Added")))
      .build().toByteArray()};

  static FileDescriptorSet largeSet() {
    FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
    for (int f = 0; f < FILES; f++) {
      FileDescriptorProto.Builder file = FileDescriptorProto.newBuilder()
          .setName("large/f" + f + ".proto").setPackage("large.f" + f).setSyntax("proto3");
      if (f > 0) {
        file.addDependency("large/f" + (f - 1) + ".proto");
      }
      ServiceDescriptorProto.Builder service = ServiceDescriptorProto.newBuilder()
          .setName("Service" + f);
      for (int m = 0; m < MESSAGES_PER_FILE; m++) {
        DescriptorProto.Builder message = DescriptorProto.newBuilder().setName("M" + m);
        for (int i = 1; i <= 9; i++) {
          message.addField(FieldDescriptorProto.newBuilder().setName("field" + i).setNumber(i)
              .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
              .setType(i % 2 == 0 ? FieldDescriptorProto.Type.TYPE_STRING
                  : FieldDescriptorProto.Type.TYPE_INT64));
        }
        message.addField(FieldDescriptorProto.newBuilder().setName("link").setNumber(10)
            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .setType(FieldDescriptorProto.Type.TYPE_MESSAGE)
            .setTypeName(f > 0 ? ".large.f" + (f - 1) + ".M" + m : ".large.f0.M0"));
        file.addMessageType(message);
        service.addMethod(MethodDescriptorProto.newBuilder().setName("Call" + m)
            .setInputType(".large.f" + f + ".M" + m).setOutputType(".large.f" + f + ".M0"));
      }
      set.addFile(file.addService(service));
    }
    return set.build();
  }

  private ProtogateServer server;
  private int next;

  /** A server on loopback serving the large set, to swap between two equal-sized versions. */
  @Setup
  public void start() {
    server = ProtogateServer.builder(SchemaLoader.fromSources(sources)).port(0).handlers(Handlers.builder().build())
        .build().start();
  }

  @TearDown
  public void stop() throws InterruptedException {
    server.close();
  }

  @Benchmark
  public Schema load() {
    return SchemaLoader.fromSources(sources);
  }

  /** Loading the new set and swapping it in, as a reload does. */
  @Benchmark
  public Schema loadAndSwap() {
    next = 1 - next;
    Schema schema = SchemaLoader.fromSources(List.of(new DescriptorSource("swap",
        schemaBytes[next])));
    server.swap(schema);
    return schema;
  }
}
