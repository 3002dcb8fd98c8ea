package io.protogate.cli;

import com.google.gson.JsonObject;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.TextFormat;
import io.grpc.CallOptions;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.protogate.client.DynamicCalls;
import io.protogate.descriptor.Schema;
import io.protogate.json.JsonCodec;
import io.protogate.json.JsonRequests;
import java.io.PrintWriter;
import java.io.StringReader;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    versionProvider = Main.Version.class,
    description = "Call a method with JSON requests and print the responses as JSON.")
final class CallCommand implements Callable<Integer> {
  static final int STATUS_EXIT_BASE = 64;
  private static final Pattern UNKNOWN_ANY_TYPE =
      Pattern.compile("Cannot find type for url: (?:\\S*/)?(\\S+)");

  @Spec CommandSpec spec;
  @Mixin ConnectionOptions connectionOptions;
  @Mixin SchemaOptions schemaOptions;

  @Parameters(index = "0", paramLabel = "ADDRESS", description = "host:port of the server.")
  String address;

  @Parameters(index = "1", paramLabel = "METHOD", description = "Service/Method or"
      + " Service.Method, fully qualified (package.Service/Method).")
  String methodName;

  @Option(names = {"-d", "--data"}, paramLabel = "JSON", description = "The request as"
      + " JSON, or @ to read requests from standard input (UTF-8; objects concatenated or one per"
      + " line). Default: one empty request for unary and server-streaming methods.")
  String data;

  @Option(names = {"--max-time", "-max-time"}, paramLabel = "SECONDS", description = "Deadline of"
      + " the call, from when it starts (reading the contract is bounded by --connect-timeout).")
  Double maxTimeSeconds;

  @Option(names = {"--emit-defaults", "-emit-defaults"}, description = "Print fields that hold"
      + " default values.")
  boolean emitDefaults;

  @Option(names = "--proto-names", description = "Print the .proto field names (map_result)"
      + " instead of JSON names (mapResult).")
  boolean protoNames;

  @Option(names = {"--format", "-format"}, paramLabel = "json|text", description = "Output format"
      + " (default: ${DEFAULT-VALUE}).")
  Format format = Format.json;

  @Option(names = {"--format-error", "-format-error"}, description = "Print an error status as"
      + " a JSON object"
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
    if (maxTimeSeconds != null && !(maxTimeSeconds > 0)) {
      throw new CliException(CliException.USAGE, "--max-time " + maxTimeSeconds
          + ": must be more than 0 seconds");
    }
    ManagedChannel channel = connectionOptions.connection(address).open();
    try {
      Schema schema = schemaOptions.load(channel, connectionOptions, address, methodName);
      Descriptors.MethodDescriptor method = Symbols.method(schema, methodName);
      JsonCodec json = JsonCodec.of(schema, emitDefaults, protoNames);
      // The deadline starts with the call, as buf curl's --timeout does: JVM start-up and
      // reading the contract are not the call's time; reading its request is.
      Deadline deadline = maxTimeSeconds == null ? null : Deadline.after(
          ConnectionOptions.seconds(maxTimeSeconds).toNanos(), TimeUnit.NANOSECONDS);
      Iterator<DynamicMessage> requests = requests(method, json, deadline);
      if (verbose) {
        err.println("Calling " + Schema.fullMethodName(method) + " on " + address);
        connectionOptions.headers.forEach(h -> err.println("Request header: " + h));
        err.flush();
      }
      CallOptions options =
          deadline == null ? CallOptions.DEFAULT : CallOptions.DEFAULT.withDeadline(deadline);
      AtomicInteger received = new AtomicInteger();
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
              String printed = print(json, response, received.incrementAndGet(), schema);
              synchronized (out) {
                out.println(printed);
                out.flush();
              }
            }
          });
      if (verbose) {
        printMetadata(err, "Response trailers", outcome.trailers());
      }
      return exitCode(outcome, schema, out);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, e.getMessage());
    } catch (CliException e) {
      if (formatError && e.statusCode() != null) {
        JsonObject error = new JsonObject();
        error.addProperty("code", e.statusCode().value());
        error.addProperty("message", Main.oneLine(e.getMessage()));
        out.println(error);
        out.flush();
      }
      throw e;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private Iterator<DynamicMessage> requests(
      Descriptors.MethodDescriptor method, JsonCodec json, Deadline deadline)
      throws InterruptedException {
    if (deadline == null || method.isClientStreaming() || !"@".equals(data)) {
      return requests(method, json);
    }
    // One request read from standard input, which may stay open: a blocked read cannot be
    // interrupted, so it runs on a thread of its own and the deadline is kept here.
    FutureTask<Iterator<DynamicMessage>> read = new FutureTask<>(() -> requests(method, json));
    Thread reader = new Thread(read, "protogate-stdin");
    reader.setDaemon(true);
    reader.start();
    try {
      return read.get(deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new CliException(STATUS_EXIT_BASE + Status.Code.DEADLINE_EXCEEDED.value(),
          methodName + " failed: DEADLINE_EXCEEDED: --max-time " + maxTimeSeconds + " s passed"
              + " while its request was still being read from standard input (which was not"
              + " closed)", Status.Code.DEADLINE_EXCEEDED);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private Iterator<DynamicMessage> requests(Descriptors.MethodDescriptor method, JsonCodec json) {
    Descriptors.Descriptor type = method.getInputType();
    Iterator<DynamicMessage> requests;
    if (data == null) {
      requests = List.<DynamicMessage>of().iterator();
    } else {
      requests = data.equals("@")
          ? JsonRequests.fromUtf8(System.in, json, type)
          : new JsonRequests(new StringReader(data), json, type);
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

  /**
   * A response as text, or a failure saying which response could not be printed and why: the
   * usual cause is an {@code Any} holding a type the contract does not define.
   */
  private String print(JsonCodec json, MessageOrBuilder message, int number, Schema schema) {
    if (format == Format.text) {
      return TextFormat.printer().printToString(message);
    }
    try {
      return json.print(message);
    } catch (IllegalArgumentException e) {
      Matcher unknownType = UNKNOWN_ANY_TYPE.matcher(String.valueOf(e.getCause().getMessage()));
      String why = unknownType.find()
          ? "it holds an Any of type " + unknownType.group(1) + ", which the contract from "
              + String.join(", ", schema.sources()) + " does not define; print it with"
              + " --format text, or pass a --protoset that defines the type"
          : e.getCause().getMessage();
      throw new CliException(CliException.NOT_SENT, "response " + number + " (a "
          + message.getDescriptorForType().getFullName() + ") arrived but cannot be printed as"
          + " JSON: " + why);
    }
  }

  private int exitCode(DynamicCalls.Outcome outcome, Schema schema, PrintWriter out) {
    Status status = outcome.status();
    if (status.isOk()) {
      return 0;
    }
    if (!outcome.serverAnswered() && status.getCode() == Status.Code.UNAVAILABLE) {
      throw connectionOptions.failure(status, address, "the call");
    }
    StatusPrinter printer = new StatusPrinter(schema);
    if (formatError) {
      out.println(printer.json(status, outcome.trailers()));
      out.flush();
    }
    throw new CliException(STATUS_EXIT_BASE + status.getCode().value(),
        methodName + " failed: " + printer.line(status, outcome.trailers()));
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
