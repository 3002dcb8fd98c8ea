package io.protogate.cli;

import com.google.gson.JsonObject;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.TextFormat;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.protogate.client.DynamicCalls;
import io.protogate.descriptor.Schema;
import io.protogate.json.JsonCodec;
import io.protogate.json.JsonRequests;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code protogate call}: one call of any type, requests from JSON, responses printed as they
 * arrive. Exits 0 on OK, 64 + the status code on an error status (as grpcurl does), 1 when the
 * server could not be reached, 2 on a usage error.
 */
@Command(
    name = "call",
    mixinStandardHelpOptions = true,
    description = "Call a method with JSON requests and print the responses as JSON.")
final class CallCommand implements Callable<Integer> {
  static final int STATUS_EXIT_BASE = 64;

  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connectionOptions;
  @Mixin SchemaOptions schemaOptions;

  @Parameters(index = "0", paramLabel = "ADDRESS", description = "host:port of the server.")
  String address;

  @Parameters(index = "1", paramLabel = "METHOD", description = "Service/Method or"
      + " Service.Method, fully qualified (package.Service/Method).")
  String methodName;

  @Option(names = {"-d", "--data"}, paramLabel = "JSON", description = "The request as JSON, or"
      + " @ to read requests from standard input (objects concatenated or one per line)."
      + " Default: one empty request for unary and server-streaming methods.")
  String data;

  @Option(names = "--max-time", paramLabel = "SECONDS", description = "Deadline of the whole"
      + " call, reflection included.")
  Double maxTimeSeconds;

  @Option(names = "--emit-defaults", description = "Print fields that hold default values.")
  boolean emitDefaults;

  @Option(names = "--proto-names", description = "Print the .proto field names (map_result)"
      + " instead of JSON names (mapResult).")
  boolean protoNames;

  @Option(names = "--format", paramLabel = "json|text", description = "Output format"
      + " (default: ${DEFAULT-VALUE}).")
  Format format = Format.json;

  @Option(names = "--format-error", description = "Print an error status as a JSON object"
      + " ({\"code\": N, \"message\": ...}) on standard output.")
  boolean formatError;

  @Option(names = {"-v", "--verbose"}, description = "Print request and response headers and"
      + " trailers.")
  boolean verbose;

  enum Format { json, text }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration timeout = maxTimeSeconds == null
        ? Duration.ofSeconds(30) : ConnectionOptions.seconds(maxTimeSeconds);
    long deadlineNanos = System.nanoTime() + timeout.toNanos();
    ManagedChannel channel = connectionOptions.connection(address).open();
    try {
      Schema schema = schemaOptions.load(channel, connectionOptions, address, timeout, methodName);
      Descriptors.MethodDescriptor method = Symbols.method(schema, methodName);
      JsonCodec json = JsonCodec.of(schema, emitDefaults, protoNames);
      Iterator<DynamicMessage> requests = requests(method, json);
      if (verbose) {
        err.println("Calling " + Schema.fullMethodName(method) + " on " + address);
        connectionOptions.headers.forEach(h -> err.println("Request header: " + h));
        err.flush();
      }
      CallOptions options = CallOptions.DEFAULT;
      if (maxTimeSeconds != null) {
        options = options.withDeadlineAfter(deadlineNanos - System.nanoTime(),
            TimeUnit.NANOSECONDS);
      }
      DynamicCalls.Outcome outcome = DynamicCalls.run(channel, method, options, requests,
          new DynamicCalls.Listener() {
            @Override
            public void onHeaders(Metadata headers) {
              if (verbose) {
                printMetadata(err, "Response headers", headers);
              }
            }

            @Override
            public void onMessage(DynamicMessage response) {
              synchronized (out) {
                out.println(print(json, response));
                out.flush();
              }
            }
          });
      if (verbose) {
        printMetadata(err, "Response trailers", outcome.trailers());
      }
      return exitCode(outcome, out, err);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, e.getMessage());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private Iterator<DynamicMessage> requests(Descriptors.MethodDescriptor method, JsonCodec json) {
    Descriptors.Descriptor type = method.getInputType();
    Iterator<DynamicMessage> requests;
    if (data == null) {
      requests = List.<DynamicMessage>of().iterator();
    } else {
      Reader reader = data.equals("@")
          ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
          : new StringReader(data);
      requests = new JsonRequests(reader, json, type);
    }
    if (method.isClientStreaming()) {
      return requests;
    }
    DynamicMessage only = requests.hasNext()
        ? requests.next() : DynamicMessage.getDefaultInstance(type);
    if (requests.hasNext()) {
      throw new CliException(CliException.USAGE, Schema.fullMethodName(method)
          + " takes exactly one request, but more than one was given");
    }
    return List.of(only).iterator();
  }

  private String print(JsonCodec json, MessageOrBuilder message) {
    return format == Format.text
        ? TextFormat.printer().printToString(message) : json.print(message);
  }

  private int exitCode(DynamicCalls.Outcome outcome, PrintWriter out, PrintWriter err) {
    Status status = outcome.status();
    if (status.isOk()) {
      return 0;
    }
    if (!outcome.serverAnswered() && status.getCode() == Status.Code.UNAVAILABLE) {
      throw connectionOptions.failure(status, address, "the call");
    }
    if (formatError) {
      JsonObject error = new JsonObject();
      error.addProperty("code", status.getCode().value());
      error.addProperty("message", status.getDescription() == null ? "" : status.getDescription());
      out.println(error);
      out.flush();
    } else {
      err.println("ERROR:");
      err.println("  Code: " + status.getCode());
      err.println("  Message: " + (status.getDescription() == null ? "" : status.getDescription()));
      err.flush();
    }
    return STATUS_EXIT_BASE + status.getCode().value();
  }

  static void printMetadata(PrintWriter err, String title, Metadata metadata) {
    synchronized (err) {
      err.println(title + ":");
      for (String key : metadata.keys()) {
        if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          Iterable<byte[]> values =
              metadata.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER));
          values.forEach(v -> err.println("  " + key + ": "
              + Base64.getEncoder().encodeToString(v)));
        } else {
          metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))
              .forEach(v -> err.println("  " + key + ": " + v));
        }
      }
      err.flush();
    }
  }
}
