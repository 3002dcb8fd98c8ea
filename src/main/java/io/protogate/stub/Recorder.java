package io.protogate.stub;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.protogate.descriptor.Schema;
import io.protogate.json.JsonCodec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Records calls forwarded to upstreams as stub files ({@code serve --record DIR}), so that
 * serving the directory with {@code --stubs} answers the same calls without the upstream. Each
 * distinct request of a method is one file, {@code Service-method-HASH.json}, named after the
 * method and a hash of the request (and of the request headers asked for), holding the last answer
 * the upstream gave it, in GripMock's format: {@code input.equals} (client streaming: {@code
 * inputs}, one per message), {@code output.data} or {@code output.stream}, {@code output.error},
 * {@code code} and {@code details}, and the response headers that are not secrets.
 *
 * <p>Calls pay one copy of each message; parsing, printing and writing happen on one background
 * thread, through a temporary file renamed into place, so a watcher never reads half a file. A
 * call that cannot be recorded (too large, cancelled, a failure to reach the upstream, a file that
 * cannot be written) is still answered as usual, and costs one log line. Thread-safe.
 */
public final class Recorder implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(Recorder.class.getName());

  /** A call carrying more than this, requests and responses together, is not recorded. */
  static final int MAX_CALL_BYTES = 4 * 1024 * 1024;

  /** Calls waiting to be written at most; beyond, calls are not recorded. */
  private static final int MAX_WAITING = 1000;

  /** What keeping a message costs beyond its bytes, counted so empty messages are not free. */
  private static final int MESSAGE_OVERHEAD = 64;

  /** Headers about the connection or the gateway itself, never worth replaying. */
  private static final Set<String> TRANSPORT_HEADERS = Set.of("content-type", "content-length",
      "content-encoding", "accept-encoding", "transfer-encoding", "te", "user-agent", "date",
      "server", "connection", "keep-alive", "host", "protogate-contract-version");

  /** Names that carry credentials: left out of recordings unless named by {@code headers}. */
  private static final Pattern SECRET = Pattern.compile(
      "(proxy-)?authorization|(set-)?cookie2?|.*(token|secret|key|passw|credential|session|auth"
          + "|signature|jwt|bearer|csrf|xsrf).*");

  private static final Pattern HEADER_NAME = Pattern.compile("[a-z0-9._-]+");
  private static final Metadata.Key<byte[]> DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);
  private static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  private final Path directory;
  private final Set<String> headers;
  private final ThreadPoolExecutor writer;
  private final AtomicLong dropped = new AtomicLong();
  /**
   * Bytes of messages kept by calls in flight and calls waiting to be written, all together;
   * beyond {@link #budget}, calls are not recorded, so recording never takes the memory that
   * serving needs.
   */
  private final AtomicLong held = new AtomicLong();
  private final long budget = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8);
  private final AtomicLong overBudget = new AtomicLong();
  /** The printers of the contract last derived; swaps are rare, so one is kept. */
  private volatile Printers printers;

  private Recorder(Path directory, Set<String> headers) {
    this.directory = directory;
    this.headers = headers;
    this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(MAX_WAITING), runnable -> {
          Thread thread = new Thread(runnable, "protogate-recorder");
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * A recorder writing to {@code directory} (created if missing). {@code headers} names headers
   * to record whatever they look like: request headers, which then go into the stub's {@code
   * headers.equals} and so must match on replay, and response headers that would otherwise be
   * left out as secrets. A name that cannot be a recorded header throws {@link
   * IllegalArgumentException}; a directory that cannot be written, {@link StubException}.
   */
  public static Recorder to(Path directory, Collection<String> headers) throws StubException {
    Set<String> names = new TreeSet<>();
    for (String header : headers) {
      String name = header.strip().toLowerCase(Locale.ROOT);
      if (!HEADER_NAME.matcher(name).matches() || name.endsWith(Metadata.BINARY_HEADER_SUFFIX)
          || name.startsWith("grpc-")) {
        throw new IllegalArgumentException("header \"" + header + "\" cannot be recorded: give"
            + " a header name (letters, digits, - . _), neither binary (-bin) nor reserved"
            + " (grpc-)");
      }
      names.add(name);
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new StubException(directory + ": cannot create the directory to record stubs to: "
          + e.getMessage());
    }
    if (!Files.isWritable(directory)) {
      throw new StubException(directory + ": cannot write stub files there");
    }
    return new Recorder(directory, Set.copyOf(names));
  }

  /**
   * {@code next}, the handler forwarding {@code method} upstream, with each of its calls recorded
   * once it ends; messages are read as {@code schema} describes them.
   */
  public ServerCallHandler<InputStream, InputStream> recording(Schema schema,
      MethodDescriptor method, ServerCallHandler<InputStream, InputStream> next) {
    Printers printers = this.printers;
    if (printers == null || printers.schema() != schema) {
      // Made once per contract, not once per method: the detail types cover the whole schema.
      // Requests with every field listed, defaults too: input.equals then matches the request
      // recorded and not every request that also sets a field it left at its default.
      printers = new Printers(schema, JsonCodec.of(schema, true, true).compact(),
          JsonCodec.of(schema, false, true).compact(), JsonFormat.printer().usingTypeRegistry(StubValidation.detailTypes(schema))
              .preservingProtoFieldNames().omittingInsignificantWhitespace());
      this.printers = printers;
    }
    Target target = new Target(schema, method, printers.requests(), printers.responses(),
        printers.details());
    return (call, requestHeaders) -> {
      Capture capture = new Capture(call, target, chosen(requestHeaders));
      ServerCall.Listener<InputStream> listener = next.startCall(capture, requestHeaders);
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
        @Override
        public void onMessage(InputStream message) {
          super.onMessage(capture.keep(message, true));
        }

        @Override
        public void onCancel() {
          capture.abandon(null);
          super.onCancel();
        }
      };
    };
  }

  /** Returns once every call that ended before has been written (or failed to be). */
  public void flush() throws InterruptedException {
    while (true) {
      try {
        Future<?> marker = writer.submit(() -> { });
        marker.get();
        return;
      } catch (RejectedExecutionException e) {
        if (writer.isShutdown()) {
          return;
        }
        Thread.sleep(10);
      } catch (ExecutionException e) {
        throw new AssertionError("an empty task failed", e);
      }
    }
  }

  /** Writes the calls still waiting (for up to 10 s), then stops the writing thread. */
  @Override
  public void close() throws InterruptedException {
    writer.shutdown();
    if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
      logger.warning("recording: " + writer.shutdownNow().size() + " calls were not written to "
          + directory + " in time");
    }
  }

  /** The request headers asked for, as matchers see them (several values joined by "; "). */
  private Map<String, String> chosen(Metadata metadata) {
    Map<String, String> out = new TreeMap<>();
    for (String name : headers) {
      Iterable<String> values = metadata.getAll(
          Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
      if (values != null) {
        out.put(name, String.join("; ", values));
      }
    }
    return out;
  }

  /** The response headers worth replaying: not transport, not reserved, not secrets. */
  private Map<String, String> kept(Metadata metadata) {
    Map<String, String> out = new TreeMap<>();
    for (String key : metadata.keys()) {
      String name = key.toLowerCase(Locale.ROOT);
      if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX) || name.startsWith("grpc-")
          || name.startsWith(":") || TRANSPORT_HEADERS.contains(name)
          || (SECRET.matcher(name).matches() && !headers.contains(name))) {
        continue;
      }
      Iterable<String> values =
          metadata.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
      if (values != null) {
        out.put(name, String.join(", ", values));
      }
    }
    return out;
  }

  /** Whether a call's last word came from the upstream and says something about the request. */
  private static boolean answeredByUpstream(Status status) {
    // A cause marks a failure on the gateway's side (the upstream cannot be reached); running out
    // of time or being cancelled is about the caller, not about the request.
    return status.getCause() == null && status.getCode() != Status.Code.CANCELLED
        && status.getCode() != Status.Code.DEADLINE_EXCEEDED;
  }

  /** How to print the messages and error details of one schema. */
  private record Printers(Schema schema, JsonCodec requests, JsonCodec responses,
      JsonFormat.Printer details) {}

  /** What recording a method needs: its descriptor and how to print its messages. */
  private record Target(Schema schema, MethodDescriptor method, JsonCodec requests,
      JsonCodec responses, JsonFormat.Printer details) {}

  /** One call as it went: bytes both ways, the headers kept, how it ended. */
  private record Call(Target target, Map<String, String> requestHeaders, List<byte[]> requests,
      Map<String, String> responseHeaders, List<byte[]> responses, Status.Code code,
      String error, byte[] details, long held) {}

  /** A forwarded call, keeping a copy of what passes until it ends. */
  private final class Capture
      extends ForwardingServerCall.SimpleForwardingServerCall<InputStream, InputStream> {
    private final Target target;
    private final Map<String, String> requestHeaders;
    // Guarded by this: requests arrive on the server's threads, responses on the client's.
    private final List<byte[]> requests = new ArrayList<>();
    private final List<byte[]> responses = new ArrayList<>();
    private Map<String, String> responseHeaders = Map.of();
    /** What the messages kept cost, counted in {@link #held} until written or abandoned. */
    private long bytes;
    private boolean done;

    Capture(ServerCall<InputStream, InputStream> call, Target target,
        Map<String, String> requestHeaders) {
      super(call);
      this.target = target;
      this.requestHeaders = requestHeaders;
    }

    @Override
    public void sendHeaders(Metadata metadata) {
      Map<String, String> kept = kept(metadata);
      synchronized (this) {
        responseHeaders = kept;
      }
      super.sendHeaders(metadata);
    }

    @Override
    public void sendMessage(InputStream message) {
      super.sendMessage(keep(message, false));
    }

    @Override
    public void close(Status status, Metadata trailers) {
      // Queued before the caller can see the end of the call: whoever waits for the files
      // written (flush, a graceful stop) after a call has ended finds this one among them.
      try {
        if (!answeredByUpstream(status)) {
          abandon(null);
        }
        finish(status, status.isOk() ? null : trailers.get(DETAILS));
      } finally {
        super.close(status, trailers);
      }
    }

    /** A copy of {@code message} kept, and the message to pass on, unchanged. */
    InputStream keep(InputStream message, boolean request) {
      synchronized (this) {
        if (done) {
          return message;
        }
      }
      byte[] data;
      try {
        data = message.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      long cost = data.length + MESSAGE_OVERHEAD;
      synchronized (this) {
        if (done) {
          return new ByteArrayInputStream(data);
        }
        if (bytes + cost > MAX_CALL_BYTES) {
          abandon("it carries more than " + MAX_CALL_BYTES + " bytes");
        } else if (held.addAndGet(cost) > budget) {
          held.addAndGet(-cost);
          overBudget();
          abandon(null);
        } else {
          bytes += cost;
          (request ? requests : responses).add(data);
        }
      }
      return new ByteArrayInputStream(data);
    }

    /** Records nothing of this call; says why when {@code why} is not null. */
    synchronized void abandon(String why) {
      if (!done && why != null) {
        logger.info("not recorded: a call of " + Schema.fullMethodName(target.method()) + ": "
            + why);
      }
      done = true;
      requests.clear();
      responses.clear();
      held.addAndGet(-bytes);
      bytes = 0;
    }

    private void finish(Status status, byte[] details) {
      Call call;
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
        call = new Call(target, requestHeaders, List.copyOf(requests), responseHeaders,
            List.copyOf(responses), status.getCode(), status.getDescription(), details, bytes);
        bytes = 0;
      }
      try {
        writer.execute(() -> {
          try {
            write(call);
          } finally {
            held.addAndGet(-call.held());
          }
        });
      } catch (RejectedExecutionException e) {
        held.addAndGet(-call.held());
        if (!writer.isShutdown() && dropped.getAndIncrement() % MAX_WAITING == 0) {
          logger.warning("recording: " + MAX_WAITING + " calls are waiting to be written to "
              + directory + "; not recording more until they are (" + dropped.get()
              + " calls left out so far)");
        }
      }
    }
  }

  private void overBudget() {
    if (overBudget.getAndIncrement() % MAX_WAITING == 0) {
      logger.warning("recording: the calls in flight and waiting to be written to " + directory
          + " hold " + held.get() + " bytes, near the budget of " + budget + " (64 MiB or an"
          + " eighth of the heap); calls are not recorded until those are written ("
          + overBudget.get() + " left out so far)");
    }
  }

  private void write(Call call) {
    String method = Schema.fullMethodName(call.target().method());
    try {
      Stubbed stubbed = stub(call);
      Path file = directory.resolve(stubbed.name());
      // The stub must be one --stubs accepts for this contract, or it is not worth writing;
      // and for the newest one, if the contract was swapped while the call ran.
      List<Stub> stub =
          List.of(Stub.fromTree(stubbed.tree(), file.toString(), Stub.idFor(file.toString())));
      StubSet.of(call.target().schema(), stub);
      Schema newest = printers.schema();
      if (newest != call.target().schema()) {
        try {
          StubSet.of(newest, stub);
        } catch (StubException e) {
          throw new StubException("the contract was swapped while it ran, and the new one"
              + " does not fit it: " + e.getMessage());
        }
      }
      byte[] text = (GSON.toJson(Trees.toGson(stubbed.tree())) + "\n")
          .getBytes(StandardCharsets.UTF_8);
      if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), text)) {
        return;
      }
      Path temporary = Files.createTempFile(directory, "." + stubbed.name(), ".tmp");
      try {
        readableByAll(temporary);
        Files.write(temporary, text);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temporary);
      }
    } catch (StubException e) {
      logger.info("not recorded: a call of " + method + ": " + e.getMessage());
    } catch (IOException | RuntimeException e) {
      logger.warning("cannot record a call of " + method + " to " + directory + ": " + e);
    }
  }

  /**
   * A temporary file is created readable by its owner alone; a recording is for serving, maybe
   * by another user (a container's), so it gets the permissions of an ordinary file.
   */
  private static void readableByAll(Path file) throws IOException {
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
  }

  /** A call as a stub, and the name of its file. */
  private record Stubbed(String name, Map<String, Object> tree) {}

  private Stubbed stub(Call call) throws StubException {
    MethodDescriptor method = call.target().method();
    List<Object> requests =
        trees(call.target().requests(), method.getInputType(), call.requests());
    List<Object> responses =
        trees(call.target().responses(), method.getOutputType(), call.responses());
    // What the call is matched on: its file is named after it.
    Map<String, Object> match = new LinkedHashMap<>();
    if (!call.requestHeaders().isEmpty()) {
      match.put("headers", Map.of("equals", call.requestHeaders()));
    }
    if (method.isClientStreaming()) {
      if (requests.isEmpty()) {
        // A stub with no inputs would answer every call of the method, not just this one.
        throw new StubException("the call sent no message, and a stub cannot match only the"
            + " calls that send none");
      }
      match.put("inputs", requests.stream().map(r -> Map.of("equals", r)).toList());
    } else if (requests.size() == 1) {
      match.put("input", Map.of("equals", requests.get(0)));
    } else {
      throw new StubException("the call sent " + requests.size() + " requests; a "
          + Schema.methodType(method) + " call sends one");
    }
    Map<String, Object> output = new LinkedHashMap<>();
    if (!call.responseHeaders().isEmpty()) {
      output.put("headers", call.responseHeaders());
    }
    if (method.isServerStreaming()) {
      if (method.isClientStreaming() && responses.size() != requests.size()) {
        throw new StubException("bidirectional calls are recorded when they answer each message"
            + " with one message (a stub answers message i with stream[i]); this one answered "
            + requests.size() + " messages with " + responses.size());
      }
      output.put("stream", responses);
    } else if (!responses.isEmpty()) {
      output.put("data", responses.get(0));
    } else if (call.code() == Status.Code.OK) {
      throw new StubException("the upstream ended it OK without a response");
    }
    if (call.code() != Status.Code.OK) {
      if (call.error() != null && !call.error().isEmpty()) {
        output.put("error", call.error());
      }
      output.put("code", call.code().value());
      List<Object> details = details(call);
      if (!details.isEmpty()) {
        output.put("details", details);
      }
    }
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put("service", method.getService().getFullName());
    tree.put("method", method.getName());
    tree.putAll(match);
    tree.put("output", output);
    String name = method.getService().getFullName() + "-" + method.getName() + "-"
        + hash(Schema.fullMethodName(method) + "\n" + Trees.toJson(match)) + ".json";
    return new Stubbed(name, tree);
  }

  private static List<Object> trees(JsonCodec codec, Descriptor type, List<byte[]> messages)
      throws StubException {
    List<Object> out = new ArrayList<>();
    for (byte[] bytes : messages) {
      try {
        out.add(Trees.parse(codec.print(DynamicMessage.parseFrom(type, bytes))));
      } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
        throw new StubException("a message is not a valid " + type.getFullName() + ": "
            + e.getMessage());
      }
    }
    return out;
  }

  /** The error details as stubs write them ({@code type} and fields); none if unreadable. */
  private static List<Object> details(Call call) {
    if (call.details() == null) {
      return List.of();
    }
    List<Object> out = new ArrayList<>();
    try {
      for (Any detail : com.google.rpc.Status.parseFrom(call.details()).getDetailsList()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> fields =
            (Map<String, Object>) Trees.parse(call.target().details().print(detail));
        Map<String, Object> written = new LinkedHashMap<>();
        written.put("type", fields.remove("@type"));
        written.putAll(fields);
        out.add(written);
      }
    } catch (InvalidProtocolBufferException e) {
      logger.info("recording " + Schema.fullMethodName(call.target().method()) + " without its"
          + " error details: " + e.getMessage());
      return List.of();
    }
    return out;
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }
}
