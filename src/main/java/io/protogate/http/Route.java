package io.protogate.http;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import java.util.List;

/**
 * One HTTP binding of a method, checked against its types: the template's variables resolved to
 * request fields, the body ({@code ""} none, {@code "*"} all, or one top-level field) and the
 * response field that is the whole HTTP body, if any.
 */
record Route(
    MethodDescriptor method,
    io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> call,
    String httpMethod,
    PathTemplate template,
    List<BoundVariable> variables,
    String body,
    FieldDescriptor bodyField,
    FieldDescriptor responseBody) {

  /** A template variable and the request fields its dotted path leads through. */
  record BoundVariable(PathTemplate.Variable variable, List<FieldDescriptor> path) {}

  String describe() {
    return httpMethod + " " + template.text();
  }
}
