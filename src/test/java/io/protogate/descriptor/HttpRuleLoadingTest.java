package io.protogate.descriptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.Descriptors.MethodDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loader keeps {@code google.api.http} rules as a known extension of the method options. */
class HttpRuleLoadingTest {
  static Path libraryDesc() {
    try {
      return Path.of(HttpRuleLoadingTest.class.getResource("/protogate/test/library.desc").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void httpRule_isReadableAfterLoading() {
    Schema schema = SchemaLoader.load(List.of(libraryDesc()));
    MethodDescriptor method = schema.findMethod("protogate.test.library.Library/GetBook").get();

    HttpRule rule = method.getOptions().getExtension(AnnotationsProto.http);

    assertEquals("/v1/{name=shelves/*/books/*}", rule.getGet());
    assertEquals("/v1/books/{name}", rule.getAdditionalBindings(0).getGet());
    assertTrue(method.getOptions().getUnknownFields().asMap().isEmpty());
  }
}
