package io.protogate.http;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import io.protogate.client.DynamicCalls;
import io.protogate.contract.ContractException;
import io.protogate.contract.Part;
import io.protogate.descriptor.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The HTTP routes of one contract: every {@code google.api.http} rule of every method (with its
 * {@code additional_bindings}), plus {@code POST /package.Service/Method} for every method, as
 * Envoy's {@code auto_mapping}. Compiled once per contract and swapped with it; a rule that does
 * not fit its method, or two methods claiming one method, template and verb, refuse the contract.
 * Immutable and safe to share.
 */
public final class HttpRoutes {
  /**
   * The routes as a part of the live contract: compiled at every swap, before publication, so
   * they change in the same step as the services, and a rule that does not compile refuses the
   * swap with the message of {@link #compile}.
   */
  public static final Part<HttpRoutes> PART = Part.derived("http-routes", (next, previous) -> {
    try {
      return compile(next.schema());
    } catch (IllegalArgumentException e) {
      throw new ContractException(e.getMessage(), e);
    }
  });

  private final Schema schema;
  private final PathMatcher<Route> matcher;
  private final int size;

  private HttpRoutes(Schema schema, PathMatcher<Route> matcher, int size) {
    this.schema = schema;
    this.matcher = matcher;
    this.size = size;
  }

  /**
   * Compiles the routes of {@code schema}; an {@link IllegalArgumentException} names the method,
   * the rule and what to change.
   */
  public static HttpRoutes compile(Schema schema) {
    PathMatcher<Route> matcher = new PathMatcher<>();
    List<Route> autoMapped = new ArrayList<>();
    int size = 0;
    for (MethodDescriptor method : schema.files().stream()
        .flatMap(f -> f.getServices().stream())
        .flatMap(s -> s.getMethods().stream())
        .toList()) {
      io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> call =
          DynamicCalls.methodDescriptor(method);
      if (method.getOptions().hasExtension(AnnotationsProto.http)) {
        HttpRule rule = method.getOptions().getExtension(AnnotationsProto.http);
        List<HttpRule> bindings = new ArrayList<>();
        bindings.add(rule);
        bindings.addAll(rule.getAdditionalBindingsList());
        for (HttpRule binding : bindings) {
          if (binding != rule && binding.getAdditionalBindingsCount() > 0) {
            throw invalid(method, binding, "additional_bindings cannot nest; list them all"
                + " on the method's rule");
          }
          add(matcher, compileBinding(method, call, binding));
          size++;
        }
      }
      PathTemplate auto = PathTemplate.parse("/" + Schema.fullMethodName(method));
      autoMapped.add(new Route(method, call, "POST", auto, List.of(), "*", null, null));
    }
    // An annotated rule that takes the auto-mapped path wins over the auto mapping.
    for (Route route : autoMapped) {
      if (matcher.add(route.httpMethod(), route.template(), route) == null) {
        size++;
      }
    }
    return new HttpRoutes(schema, matcher, size);
  }

  private static void add(PathMatcher<Route> matcher, Route route) {
    Route previous = matcher.add(route.httpMethod(), route.template(), route);
    if (previous != null) {
      throw new IllegalArgumentException("HTTP rule '" + route.describe() + "' of "
          + Schema.fullMethodName(route.method()) + " matches the same requests as '"
          + previous.describe() + "' of " + Schema.fullMethodName(previous.method())
          + "; give one of them another path, verb or HTTP method");
    }
  }

  private static Route compileBinding(MethodDescriptor method,
      io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> call, HttpRule rule) {
    String httpMethod;
    String path;
    switch (rule.getPatternCase()) {
      case GET -> {
        httpMethod = "GET";
        path = rule.getGet();
      }
      case PUT -> {
        httpMethod = "PUT";
        path = rule.getPut();
      }
      case POST -> {
        httpMethod = "POST";
        path = rule.getPost();
      }
      case DELETE -> {
        httpMethod = "DELETE";
        path = rule.getDelete();
      }
      case PATCH -> {
        httpMethod = "PATCH";
        path = rule.getPatch();
      }
      case CUSTOM -> {
        httpMethod = rule.getCustom().getKind();
        path = rule.getCustom().getPath();
        if (httpMethod.isEmpty()) {
          throw invalid(method, rule, "custom needs a kind (an HTTP method, or * for any)");
        }
      }
      default -> throw invalid(method, rule, "no path: set get, put, post, delete, patch or"
          + " custom");
    }
    PathTemplate template;
    try {
      template = PathTemplate.parse(path);
    } catch (IllegalArgumentException e) {
      throw invalid(method, rule, e.getMessage());
    }
    Descriptor input = method.getInputType();
    List<Route.BoundVariable> variables = new ArrayList<>();
    for (PathTemplate.Variable variable : template.variables()) {
      List<FieldDescriptor> fields = fieldPath(method, rule, input, variable.fieldPath());
      FieldDescriptor leaf = fields.get(fields.size() - 1);
      if (leaf.isRepeated() || leaf.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        throw invalid(method, rule, "path variable '" + variable.fieldPath() + "' must name a"
            + " singular scalar or enum field, not " + (leaf.isRepeated() ? "a repeated" : "a"
            + " message") + " field");
      }
      variables.add(new Route.BoundVariable(variable, List.copyOf(fields)));
    }
    String body = rule.getBody();
    FieldDescriptor bodyField = null;
    if (!body.isEmpty() && !body.equals("*")) {
      bodyField = input.findFieldByName(body);
      if (bodyField == null) {
        throw invalid(method, rule, "body '" + body + "' is not a field of "
            + input.getFullName() + " (a top-level field name, or \"*\")");
      }
    }
    FieldDescriptor responseBody = null;
    if (!rule.getResponseBody().isEmpty()) {
      responseBody = method.getOutputType().findFieldByName(rule.getResponseBody());
      if (responseBody == null) {
        throw invalid(method, rule, "response_body '" + rule.getResponseBody()
            + "' is not a field of " + method.getOutputType().getFullName());
      }
    }
    return new Route(method, call, httpMethod, template, List.copyOf(variables), body, bodyField,
        responseBody);
  }

  private static List<FieldDescriptor> fieldPath(MethodDescriptor method, HttpRule rule,
      Descriptor type, String dotted) {
    List<FieldDescriptor> fields = new ArrayList<>();
    for (String name : dotted.split("\\.")) {
      if (!fields.isEmpty()) {
        FieldDescriptor parent = fields.get(fields.size() - 1);
        if (parent.isRepeated() || parent.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
          throw invalid(method, rule, "'" + dotted + "': " + parent.getName()
              + " is not a singular message field, so it has no field " + name);
        }
        type = parent.getMessageType();
      }
      FieldDescriptor field = type.findFieldByName(name);
      if (field == null) {
        throw invalid(method, rule, "'" + dotted + "': " + type.getFullName()
            + " has no field " + name);
      }
      fields.add(field);
    }
    return fields;
  }

  private static IllegalArgumentException invalid(MethodDescriptor method, HttpRule rule,
      String problem) {
    return new IllegalArgumentException("the google.api.http rule of "
        + Schema.fullMethodName(method) + " in " + method.getFile().getName() + " ("
        + rule.getPatternCase().name().toLowerCase(Locale.ROOT) + ") is invalid: "
        + problem);
  }

  /** The schema these routes were compiled from. */
  public Schema schema() {
    return schema;
  }

  /**
   * The route for a request, or null; {@code allowed} receives the HTTP methods of routes whose
   * path matched when none of them takes {@code httpMethod}.
   */
  PathMatcher.Match<Route> match(String httpMethod, String rawPath, Set<String> allowed) {
    return matcher.match(httpMethod, rawPath, allowed);
  }

  @Override
  public String toString() {
    return "HttpRoutes[" + size + " routes over " + schema.version() + "]";
  }
}
