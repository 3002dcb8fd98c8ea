package io.protogate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cases users of Envoy's transcoder, grpc-httpjson-transcoding and Armeria reported, each
 * with the answer the google.api.http spec asks for. An expectation starting with '{' lists
 * fields the JSON answer must have with those values; otherwise it must appear in the error.
 */
class EdgeCasesTest {
  private static LibraryServer library;

  @BeforeAll
  static void start() throws Exception {
    library = new LibraryServer();
  }

  @AfterAll
  static void stop() throws Exception {
    library.close();
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        edge("single-segment variable fully decoded", "GET", "/v1/books/a%2Fb", null,
            200, "{\"name\":\"a/b\"}"),
        edge("multi-segment variable keeps %2F", "GET", "/v1/shelves/a%2Fb/books/c", null,
            200, "{\"name\":\"shelves/a%2Fb/books/c\"}"),
        edge("one decoding pass (httpjson #44)", "GET", "/v1/books/x%2523", null,
            200, "{\"name\":\"x%23\"}"),
        edge("UTF-8 in a path", "GET", "/v1/books/%E2%82%AC", null, 200, "{\"name\":\"€\"}"),
        edge("+ in a path is a +", "GET", "/v1/books/a+b", null, 200, "{\"name\":\"a+b\"}"),
        edge("+ in a query is a space (envoy #13965)", "GET", "/v1/echo?text=a+b", null,
            200, "{\"text\":\"a b\"}"),
        edge("%2B in a query is a +", "GET", "/v1/echo?text=a%2Bb", null,
            200, "{\"text\":\"a+b\"}"),
        edge("unregistered verb stays in the segment (envoy #13920)", "GET", "/v1/books/a:b",
            null, 200, "{\"name\":\"a:b\"}"),
        edge("only the last colon can start a verb", "GET", "/v1/books/b:c:d", null,
            200, "{\"name\":\"b:c:d\"}"),
        edge("registered verb on a path without it", "GET", "/v1/books/x:cancel", null,
            200, "{\"name\":\"x:cancel\"}"),
        edge("registered verb", "POST", "/v1/shelves/1/books/2:cancel", "{}",
            200, "{\"name\":\"shelves/1/books/2\"}"),
        edge("trailing slash ignored", "GET", "/v1/shelves/1/books/2/", null,
            200, "{\"name\":\"shelves/1/books/2\",\"author\":\"null|null\"}"),
        edge("repeated query values append (envoy #32143)", "GET", "/v1/echo?tags=a&tags=b",
            null, 200, "{\"tags\":[\"a\",\"b\"]}"),
        edge("duplicate value for a singular field", "GET", "/v1/echo?text=a&text=b", null,
            400, "'text' is given twice"),
        edge("unknown query parameter (envoy #9395)", "GET", "/v1/echo?nope=1", null,
            400, "unknown query parameter 'nope'"),
        edge("query parameter naming a message", "GET", "/v1/echo?nested=1", null,
            400, "set its scalar fields"),
        edge("json_name and proto name both work (armeria #5890)", "GET",
            "/v1/echo?snakeCaseName=a&nested.label=b", null,
            200, "{\"snakeCaseName\":\"a\",\"nested\":{\"label\":\"b\"}}"),
        edge("unmapped path is 404, not 415 (envoy #5010)", "POST", "/v2/unmapped", "{}",
            404, "no route for POST /v2/unmapped"),
        edge("unknown body field is refused (envoy #46623)", "POST",
            "/protogate.test.library.Library/Plain", "{\"title\":\"p\",\"zzz\":1}",
            400, "zzz"),
        edge("path variable inside the body field wins (armeria #4194)", "POST",
            "/v1/echo/LBL", "{\"label\":\"body\",\"count\":\"3\"}",
            200, "{\"nested\":{\"label\":\"LBL\",\"count\":\"3\"}}"),
        edge("unknown field beside a path variable is refused, not dropped (armeria #4194)",
            "POST", "/v1/echo/LBL", "{\"count\":\"3\",\"other\":{}}", 400, "other"),
        edge("enum by number and by name", "GET", "/v1/echo?color=2&colors=RED", null,
            200, "{\"color\":\"GREEN\",\"colors\":[\"RED\"]}"),
        edge("unknown enum name", "GET", "/v1/echo?color=BLUE", null,
            400, "query parameter 'color'"));
  }

  private static Arguments edge(String name, String method, String path, String body,
      int status, String expected) {
    return Arguments.of(name, method, path, body, status, expected);
  }

  @ParameterizedTest(name = "{0}: {1} {2}")
  @MethodSource("cases")
  void edgeCase_answersPerSpec(String name, String method, String path, String body,
      int status, String expected) throws Exception {
    HttpResponse<String> response = library.send(method, path, body);
    assertEquals(status, response.statusCode(), response.body());
    if (expected.startsWith("{")) {
      JsonObject answer = JsonParser.parseString(response.body()).getAsJsonObject();
      JsonParser.parseString(expected).getAsJsonObject().entrySet().forEach(field ->
          assertEquals(field.getValue(), answer.get(field.getKey()), response.body()));
    } else {
      assertTrue(response.body().contains(expected), response.body());
    }
  }
}
