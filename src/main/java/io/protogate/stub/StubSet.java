package io.protogate.stub;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Metadata;
import io.protogate.descriptor.Schema;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The stubs of one contract, checked against its schema and grouped by method, with GripMock's
 * choice of the stub that answers a call: among the stubs whose headers and input match, the most
 * specific, then the highest score (match rank plus 10 x priority), then the one declaring more
 * fields, then the first declared. Immutable and shared by every call.
 */
public final class StubSet {
  private final Schema schema;
  private final List<Stub> stubs;
  private final Map<String, List<Stub>> byMethod;
  private final Map<String, Map<String, Any>> details;
  private final JsonFormat.Printer printer;
  private final JsonFormat.Parser parser;
  /** Responses without templates, built once: by identity of their tree in the stub's output. */
  private final Map<Object, DynamicMessage> prebuilt = new java.util.IdentityHashMap<>();

  private StubSet(Schema schema, List<Stub> stubs, Map<String, Map<String, Any>> details)
      throws StubException {
    this.schema = schema;
    this.stubs = List.copyOf(stubs);
    Map<String, List<Stub>> byMethod = new LinkedHashMap<>();
    for (Stub stub : stubs) {
      byMethod.computeIfAbsent(stub.fullMethod(), k -> new ArrayList<>()).add(stub);
    }
    byMethod.replaceAll((k, v) -> List.copyOf(v));
    this.byMethod = Map.copyOf(byMethod);
    this.details = Map.copyOf(details);
    this.printer = JsonFormat.printer().usingTypeRegistry(schema.typeRegistry())
        .preservingProtoFieldNames().alwaysPrintFieldsWithNoPresence()
        .omittingInsignificantWhitespace();
    this.parser = JsonFormat.parser().usingTypeRegistry(schema.typeRegistry());
    for (Stub stub : this.stubs) {
      Descriptor type = schema.findMethod(stub.fullMethod()).orElseThrow().getOutputType();
      List<Map<String, Object>> trees = new ArrayList<>();
      if (stub.output().data() != null) {
        trees.add(stub.output().data());
      }
      if (stub.output().stream() != null) {
        trees.addAll(stub.output().stream());
      }
      for (Map<String, Object> tree : trees) {
        if (!Trees.toJson(tree).contains("{{")) {
          try {
            prebuilt.put(tree, message(type, tree));
          } catch (IllegalArgumentException e) {
            throw new StubException(stub.where() + ": " + e.getMessage());
          }
        }
      }
    }
  }

  /** No stubs. */
  public static StubSet empty(Schema schema) {
    try {
      return new StubSet(schema, List.of(), Map.of());
    } catch (StubException e) {
      throw new AssertionError("no stubs cannot be invalid", e);
    }
  }

  /**
   * The stubs checked against {@code schema}; every problem of every stub is reported at once,
   * one line each, and nothing is accepted unless all are valid. Stubs with one id: the later
   * replaces the earlier, as GripMock's upsert does.
   */
  public static StubSet of(Schema schema, List<Stub> stubs) throws StubException {
    StubValidation validation = new StubValidation(schema);
    Map<String, Stub> byId = new LinkedHashMap<>();
    Map<String, Map<String, Any>> details = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Stub stub : stubs) {
      try {
        Stub checked = validation.check(stub);
        byId.put(checked.id(), checked);
        Map<String, Any> packed = new LinkedHashMap<>();
        for (int i = 0; i < checked.output().details().size(); i++) {
          packed.put(String.valueOf(i), validation.detail(checked.output().details().get(i),
              checked.where()));
        }
        details.put(checked.id(), packed);
      } catch (StubException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new StubException(String.join("\n", problems));
    }
    return new StubSet(schema, new ArrayList<>(byId.values()), details);
  }

  public Schema schema() {
    return schema;
  }

  public List<Stub> stubs() {
    return stubs;
  }

  /** True if some stub answers {@code fullMethodName}. */
  public boolean answers(String fullMethodName) {
    return byMethod.containsKey(fullMethodName);
  }

  public List<Stub> forMethod(String fullMethodName) {
    return byMethod.getOrDefault(fullMethodName, List.of());
  }

  Optional<Stub> byId(String id) {
    return stubs.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  List<Any> details(Stub stub) {
    return List.copyOf(details.getOrDefault(stub.id(), Map.of()).values());
  }

  /** The request as a tree with proto field names and every field, defaults included. */
  Map<String, Object> tree(MessageOrBuilder message) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> tree = (Map<String, Object>) Trees.parse(printer.print(message));
      return tree;
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print a " + message.getDescriptorForType()
          .getFullName() + ": " + e.getMessage(), e);
    }
  }

  /** Request headers as matchers see them: lower-case names, several values joined by "; ". */
  static Map<String, Object> headers(Metadata metadata) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String key : metadata.keys()) {
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        continue;
      }
      Iterable<String> values =
          metadata.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
      if (values != null) {
        out.put(key.toLowerCase(Locale.ROOT), String.join("; ", values));
      }
    }
    return out;
  }

  /** The response of a stub's tree that holds no template, built when the stubs were checked. */
  DynamicMessage prebuilt(Map<String, Object> tree) {
    return prebuilt.get(tree);
  }

  /** A response message built from a stub's (rendered) tree. */
  DynamicMessage message(Descriptor type, Object tree) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    try {
      parser.merge(Trees.toJson(tree), builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new IllegalArgumentException("the response is not a valid " + type.getFullName()
          + ": " + e.getMessage(), e);
    }
    return builder.build();
  }

  /**
   * True if some stub answers this one request to {@code fullMethod}: with partial mocking, the
   * calls no stub matches go to the method's upstream route instead.
   */
  public boolean matches(String fullMethod, Metadata headers, DynamicMessage request) {
    return select(fullMethod, headers(headers), List.of(tree(request)), false).stub() != null;
  }

  /** The outcome of looking for a stub: the one that answers, or why none does. */
  record Selection(Stub stub, String miss) {}

  /**
   * The stub answering {@code requests} (all received so far; one for unary and server streaming)
   * to {@code fullMethod}. With {@code prefix}, stubs with {@code inputs} match when their first
   * matchers match the messages so far (bidirectional streaming, answered message by message).
   */
  Selection select(String fullMethod, Map<String, Object> headers,
      List<Map<String, Object>> requests, boolean prefix) {
    Stub best = null;
    Candidate bestCandidate = null;
    Stub closest = null;
    List<String> closestProblems = null;
    for (Stub stub : forMethod(fullMethod)) {
      List<String> problems = problems(stub, headers, requests, prefix);
      if (problems.isEmpty()) {
        Candidate candidate = candidate(stub, headers, requests);
        if (bestCandidate == null || candidate.compareTo(bestCandidate) < 0) {
          best = stub;
          bestCandidate = candidate;
        }
      } else if (closestProblems == null || problems.size() < closestProblems.size()) {
        closest = stub;
        closestProblems = problems;
      }
    }
    if (best != null) {
      return new Selection(best, null);
    }
    String miss = "no stub of " + fullMethod + " matches this request"
        + (closest == null ? "" : "; the closest is " + closest.where() + " (id " + closest.id()
            + "): " + String.join("; ", closestProblems));
    return new Selection(null, miss);
  }

  private List<String> problems(Stub stub, Map<String, Object> headers,
      List<Map<String, Object>> requests, boolean prefix) {
    List<String> problems = new ArrayList<>();
    if (!stub.headers().isEmpty() && headers.isEmpty()) {
      problems.add("headers: the stub wants headers, the call sent none");
    } else {
      problems.addAll(stub.headers().mismatches(headers, "headers"));
    }
    if (stub.inputs() != null) {
      List<Matcher> inputs = stub.inputs();
      if (inputs.size() == 1) {
        for (int i = 0; i < requests.size(); i++) {
          problems.addAll(inputs.get(0).mismatches(requests.get(i), "inputs[0] (message " + i
              + ")"));
        }
      } else if (prefix ? requests.size() > inputs.size() : requests.size() != inputs.size()) {
        problems.add("inputs: the stub expects " + inputs.size() + " messages, the call sent "
            + requests.size());
      } else {
        for (int i = 0; i < requests.size(); i++) {
          problems.addAll(inputs.get(i).mismatches(requests.get(i), "inputs[" + i + "]"));
        }
      }
    } else if (requests.isEmpty()) {
      if (!stub.input().isEmpty()) {
        problems.add("input: the call sent no message");
      }
    } else if (requests.size() == 1 || prefix) {
      problems.addAll(stub.input().mismatches(requests.get(requests.size() - 1), "input"));
    } else {
      // GripMock: a single input against a stream of messages matches if any message does.
      List<String> first = null;
      for (int i = requests.size() - 1; i >= 0; i--) {
        List<String> failures = stub.input().mismatches(requests.get(i), "input");
        if (failures.isEmpty()) {
          return problems;
        }
        first = first == null ? failures : first;
      }
      problems.addAll(first);
    }
    return problems;
  }

  private record Candidate(int specificity, double score, int fieldCount, int order)
      implements Comparable<Candidate> {
    @Override
    public int compareTo(Candidate other) {
      return Comparator.comparingInt((Candidate c) -> -c.specificity)
          .thenComparingDouble(c -> -c.score)
          .thenComparingInt(c -> -c.fieldCount)
          .thenComparingInt(c -> c.order)
          .compare(this, other);
    }
  }

  private Candidate candidate(
      Stub stub, Map<String, Object> headers, List<Map<String, Object>> requests) {
    int specificity = 0;
    double rank = stub.headers().isEmpty() ? 0 : stub.headers().rank(headers);
    int fieldCount = stub.headers().fieldCount();
    if (stub.inputs() != null) {
      for (int i = 0; i < Math.min(stub.inputs().size(), requests.size()); i++) {
        specificity += stub.inputs().get(i).specificity(requests.get(i));
        rank += stub.inputs().get(i).rank(requests.get(i));
      }
      fieldCount += stub.inputs().stream().mapToInt(Matcher::fieldCount).sum();
    } else if (!requests.isEmpty()) {
      Map<String, Object> last = requests.get(requests.size() - 1);
      specificity = stub.input().specificity(last);
      rank += stub.input().rank(last);
      fieldCount += stub.input().fieldCount();
    }
    return new Candidate(specificity, rank + 10.0 * stub.priority(), fieldCount,
        stubs.indexOf(stub));
  }
}
