package io.protogate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.AnnotationsProto;
import com.google.api.CustomHttpPattern;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.ExtensionRegistry;
import io.protogate.contract.ContractException;
import io.protogate.descriptor.DescriptorSource;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Compiling rules: what each kind of bad rule says, and that it refuses the contract. */
class HttpRoutesTest {
  /** library.proto with the rule of {@code method} changed by {@code change}. */
  static Schema withRule(String method, UnaryOperator<HttpRule> change) throws Exception {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    registry.add(AnnotationsProto.http);
    FileDescriptorSet.Builder set = FileDescriptorSet.parseFrom(
        Files.readAllBytes(LibraryServer.libraryDesc()), registry).toBuilder();
    for (FileDescriptorProto.Builder file : set.getFileBuilderList()) {
      if (!file.getName().equals("library.proto")) {
        continue;
      }
      for (MethodDescriptorProto.Builder m : file.getServiceBuilder(0).getMethodBuilderList()) {
        if (m.getName().equals(method)) {
          HttpRule rule = change.apply(m.getOptions().getExtension(AnnotationsProto.http));
          m.getOptionsBuilder().setExtension(AnnotationsProto.http, rule);
        }
      }
    }
    return SchemaLoader.fromSources(
        List.of(new DescriptorSource("changed.desc", set.build().toByteArray())));
  }

  private static String refusal(String method, UnaryOperator<HttpRule> change) throws Exception {
    Schema schema = withRule(method, change);
    return assertThrows(IllegalArgumentException.class, () -> HttpRoutes.compile(schema))
        .getMessage();
  }

  @Test
  void sameTemplateAndVerb_refusedNamingBothMethods() throws Exception {
    String message = refusal("Plain", rule -> HttpRule.newBuilder()
        .setGet("/v1/{title=shelves/*/books/*}").build());
    assertTrue(message.contains("protogate.test.library.Library/Plain"), message);
    assertTrue(message.contains("protogate.test.library.Library/GetBook"), message);
    assertTrue(message.contains("GET /v1/{name=shelves/*/books/*}"), message);
  }

  @Test
  void sameTemplateWithAnotherVerbOrMethod_isFine() throws Exception {
    HttpRoutes.compile(withRule("Plain", rule -> HttpRule.newBuilder()
        .setGet("/v1/{title=shelves/*/books/*}:plain")
        .addAdditionalBindings(HttpRule.newBuilder().setPost("/v1/{title=shelves/*/books/*}"))
        .build()));
  }

  @Test
  void badRules_sayWhatToChange() throws Exception {
    assertTrue(refusal("Plain", r -> HttpRule.newBuilder().setGet("/v1/{nmae}").build())
        .contains("Book has no field nmae"));
    assertTrue(refusal("Plain", r -> HttpRule.newBuilder().setGet("/v1/{tags}").build())
        .contains("singular scalar or enum field, not a repeated field"));
    assertTrue(refusal("Plain", r -> HttpRule.newBuilder().setPost("/v1/x").setBody("bdy")
        .build()).contains("body 'bdy' is not a field"));
    assertTrue(refusal("Plain", r -> HttpRule.newBuilder().setGet("/v1/x")
        .setResponseBody("ttl").build()).contains("response_body 'ttl' is not a field"));
    assertTrue(refusal("Plain", r -> HttpRule.newBuilder().setGet("v1/x").build())
        .contains("must start with '/'"));
    assertTrue(refusal("Plain", r -> HttpRule.newBuilder().setGet("/v1/**/x").build())
        .contains("'**' must be the last segment"));
    assertTrue(refusal("Plain", r -> HttpRule.newBuilder().setGet("/v1/{name={title}}").build())
        .contains("cannot be nested"));
    assertTrue(refusal("Plain", r -> HttpRule.newBuilder()
        .setCustom(CustomHttpPattern.newBuilder().setPath("/v1/x")).build())
        .contains("custom needs a kind"));
    assertTrue(refusal("Plain", r -> HttpRule.newBuilder().setGet("/v1/x")
        .addAdditionalBindings(HttpRule.newBuilder().setGet("/v1/y")
            .addAdditionalBindings(HttpRule.newBuilder().setGet("/v1/z")))
        .build()).contains("cannot nest"));
  }

  @Test
  void badRule_refusesTheSwap_andTheOldRoutesStay() throws Exception {
    try (LibraryServer library = new LibraryServer()) {
      Schema bad = withRule("Plain", rule -> HttpRule.newBuilder().setGet("/v1/books/{name}")
          .build());
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> library.server.swap(bad));
      assertTrue(refused.getCause() instanceof ContractException, refused.toString());
      assertTrue(refused.getMessage().contains("Library/GetBook"), refused.getMessage());
      assertEquals(200, library.get("/v1/books/x").statusCode());
      assertEquals(LibraryServer.schema().version(), library.server.schema().version());
    }
  }

  @Test
  void matcher_prefersLiteralThenOneThenRest() {
    PathMatcher<String> matcher = new PathMatcher<>();
    matcher.add("GET", PathTemplate.parse("/a/b"), "literal");
    matcher.add("GET", PathTemplate.parse("/a/*"), "one");
    matcher.add("GET", PathTemplate.parse("/a/**"), "rest");
    matcher.add("POST", PathTemplate.parse("/a/b/c"), "post");
    Set<String> allowed = new TreeSet<>();
    assertEquals("literal", matcher.match("GET", "/a/b", allowed).route());
    assertEquals("one", matcher.match("GET", "/a/x", allowed).route());
    assertEquals("rest", matcher.match("GET", "/a/b/c", allowed).route());
    assertEquals("rest", matcher.match("GET", "/a", allowed).route());
    assertNull(matcher.match("DELETE", "/a/b/c", allowed));
    assertEquals(Set.of("GET", "POST"), allowed);
    assertNotNull(matcher.match("POST", "/a/b/c/", new TreeSet<>()));
  }
}
