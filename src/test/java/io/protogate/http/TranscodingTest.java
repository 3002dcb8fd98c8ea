package io.protogate.http;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Status;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every kind of google.api.http rule, query forms, streaming and answers, over real HTTP/1.1. */
class TranscodingTest {
  private static LibraryServer library;

  @BeforeAll
  static void start() throws Exception {
    library = new LibraryServer();
  }

  @AfterAll
  static void stop() throws Exception {
    library.close();
  }

  private static JsonObject json(HttpResponse<String> response) {
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  private static void assertJson(int status, String expected, HttpResponse<String> response) {
    assertAll(
        () -> assertEquals(status, response.statusCode(), response.body()),
        () -> assertEquals(JsonParser.parseString(expected), JsonParser.parseString(
            response.body()), response.body()));
  }

  @Test
  void get_bindsMultiSegmentVariable() throws Exception {
    HttpResponse<String> response = library.get("/v1/shelves/1/books/2");
    assertEquals(200, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("content-type").get());
    assertEquals("shelves/1/books/2", json(response).get("name").getAsString());
  }

  @Test
  void additionalBinding_bindsSingleSegmentVariable() throws Exception {
    assertEquals("abc", json(library.get("/v1/books/abc")).get("name").getAsString());
  }

  @Test
  void get_variableThenLiteral_restFromQuery() throws Exception {
    assertJson(200, "{\"books\":[{\"name\":\"shelves/7/books?size=3&token=x y+z\"}]}",
        library.get("/v1/shelves/7/books?pageSize=3&page_token=x+y%2Bz"));
  }

  @Test
  void post_bodyField_withPathVariableAndQuery() throws Exception {
    assertJson(200, "{\"name\":\"shelves/7/books/b1\",\"title\":\"Dune\",\"tags\":[\"sf\"]}",
        library.post("/v1/shelves/7/books?bookId=b1", "{\"title\":\"Dune\",\"tags\":[\"sf\"]}"));
  }

  @Test
  void patch_pathVariableInsideBodyField_winsOverBody() throws Exception {
    assertJson(200, "{\"name\":\"shelves/1/books/2\",\"title\":\"New\","
            + "\"author\":\"mask:[title, author]\"}",
        library.send("PATCH", "/v1/shelves/1/books/2?updateMask=title,author",
            "{\"name\":\"shelves/9/books/9\",\"title\":\"New\"}"));
  }

  @Test
  void put_bodyStar_takesEveryOtherField() throws Exception {
    assertJson(200, "{\"name\":\"shelves/1/books/2\",\"title\":\"X\",\"tags\":[\"a\",\"b\"]}",
        library.send("PUT", "/v1/shelves/1/books/2", "{\"title\":\"X\",\"tags\":[\"a\",\"b\"]}"));
  }

  @Test
  void put_bodyStar_refusesQueryParameters() throws Exception {
    HttpResponse<String> response =
        library.send("PUT", "/v1/shelves/1/books/2?title=X", "{}");
    assertEquals(400, response.statusCode());
    assertTrue(response.body().contains("'title'"), response.body());
  }

  @Test
  void delete_noBody_answersEmptyObject() throws Exception {
    assertJson(200, "{}", library.send("DELETE", "/v1/shelves/1/books/2", null));
  }

  @Test
  void customVerb_afterMultiSegmentVariable() throws Exception {
    assertJson(200, "{\"name\":\"shelves/1/books/2\"}",
        library.post("/v1/shelves/1/books/2:cancel", "{}"));
  }

  @Test
  void doubleStar_capturesTheRestOfThePath() throws Exception {
    assertJson(200, "{\"path\":\"a/b/c.txt\"}", library.get("/v1/files/a/b/c.txt"));
    assertJson(200, "{}", library.get("/v1/files"));
  }

  @Test
  void responseBody_isTheFieldAlone() throws Exception {
    HttpResponse<String> response = library.get("/v1/shelves/1/books/2/title");
    assertEquals(200, response.statusCode());
    assertEquals("\"Title of shelves/1/books/2\"", response.body().trim());
  }

  @Test
  void customHttpMethod() throws Exception {
    assertJson(200, "{\"text\":\"x\"}", library.send("SEARCH", "/v1/books?text=x", null));
  }

  @Test
  void autoMapping_postsToEveryMethodByFullName() throws Exception {
    assertJson(200, "{\"title\":\"p\"}",
        library.post("/protogate.test.library.Library/Plain", "{\"title\":\"p\"}"));
    assertJson(200, "{\"name\":\"n\"}",
        library.post("/protogate.test.library.Library/ReplaceBook", "{\"name\":\"n\"}"));
  }

  @Test
  void query_everyForm() throws Exception {
    String query = String.join("&",
        "text=a+b%2Bc", "number=-5", "flag=true", "ratio=1.5", "data=aGk", "color=GREEN",
        "tags=x", "tags=y", "numbers=1", "numbers=2", "colors=1", "colors=GREEN",
        "nested.label=L", "nested.count=9", "at=2024-01-02T03:04:05Z", "timeout=1.5s",
        "mask=a.b,c", "limit=7", "label=lbl", "snakeCaseName=s", "big=18446744073709551615");
    assertJson(200, "{\"text\":\"a b+c\",\"number\":-5,\"flag\":true,\"ratio\":1.5,"
            + "\"data\":\"aGk=\",\"color\":\"GREEN\",\"tags\":[\"x\",\"y\"],\"numbers\":[1,2],"
            + "\"colors\":[\"RED\",\"GREEN\"],\"nested\":{\"label\":\"L\",\"count\":\"9\"},"
            + "\"at\":\"2024-01-02T03:04:05Z\",\"timeout\":\"1.500s\",\"mask\":\"a.b,c\","
            + "\"limit\":7,\"label\":\"lbl\",\"snakeCaseName\":\"s\","
            + "\"big\":\"18446744073709551615\"}",
        library.get("/v1/echo?" + query));
  }

  @Test
  void query_protoFieldNamesWork() throws Exception {
    assertJson(200, "{\"snakeCaseName\":\"s\"}", library.get("/v1/echo?snake_case_name=s"));
  }

  @Test
  void query_badValue_is400NamingTheField() throws Exception {
    HttpResponse<String> response = library.get("/v1/echo?number=many");
    assertEquals(400, response.statusCode());
    assertTrue(response.body().contains("number"), response.body());
  }

  @Test
  void unknownQueryParameter_is400NamingIt() throws Exception {
    HttpResponse<String> response = library.get("/v1/echo?txet=a");
    assertEquals(400, response.statusCode());
    JsonObject status = json(response);
    assertEquals(3, status.get("code").getAsInt());
    assertTrue(status.get("message").getAsString().contains("'txet'"), response.body());
  }

  @Test
  void unknownJsonField_is400NamingIt() throws Exception {
    HttpResponse<String> response =
        library.post("/protogate.test.library.Library/Plain", "{\"titel\":\"p\"}");
    assertEquals(400, response.statusCode());
    assertTrue(response.body().contains("titel"), response.body());
    assertTrue(response.body().contains("did you mean"), response.body());
  }

  @Test
  void unknownFields_ignoredWhenConfigured() throws Exception {
    try (LibraryServer lenient = new LibraryServer(
        HttpJsonOptions.builder().ignoreUnknownFields(true).build(), HttpPort.builder())) {
      assertJson(200, "{\"text\":\"a\"}", lenient.get("/v1/echo?text=a&txet=b"));
      assertJson(200, "{\"title\":\"p\"}", lenient.post(
          "/protogate.test.library.Library/Plain", "{\"title\":\"p\",\"titel\":1}"));
    }
  }

  @Test
  void bodyOverTheLimit_is413() throws Exception {
    try (LibraryServer small = new LibraryServer(
        HttpJsonOptions.builder().maxRequestBytes(64).build(), HttpPort.builder())) {
      HttpResponse<String> response = small.post("/protogate.test.library.Library/Plain",
          "{\"title\":\"" + "x".repeat(100) + "\"}");
      assertEquals(413, response.statusCode(), response.body());
      assertTrue(response.body().contains("larger than 64 bytes"), response.body());
    }
  }

  @Test
  void malformedJson_is400() throws Exception {
    HttpResponse<String> response = library.post("/protogate.test.library.Library/Plain", "{");
    assertEquals(400, response.statusCode());
    assertEquals(3, json(response).get("code").getAsInt());
  }

  @Test
  void serverStreaming_isNewlineDelimitedResults() throws Exception {
    HttpResponse<String> response = library.get("/v1/shelves/s:watch?pageSize=3");
    assertEquals(200, response.statusCode());
    assertEquals("application/x-ndjson", response.headers().firstValue("content-type").get());
    assertEquals(List.of(
        "{\"result\":{\"name\":\"shelves/s/books/1\"}}",
        "{\"result\":{\"name\":\"shelves/s/books/2\"}}",
        "{\"result\":{\"name\":\"shelves/s/books/3\"}}"), response.body().lines().toList());
  }

  @Test
  void serverStreaming_failureIsTheLastLine() throws Exception {
    List<String> lines = library.get("/v1/shelves/s:watch?pageSize=-2").body().lines().toList();
    assertEquals(3, lines.size(), lines.toString());
    JsonObject error = JsonParser.parseString(lines.get(2)).getAsJsonObject()
        .getAsJsonObject("error");
    assertEquals(5, error.get("code").getAsInt());
    assertEquals("shelf burnt", error.get("message").getAsString());
  }

  @Test
  void serverStreaming_asServerSentEvents() throws Exception {
    HttpResponse<String> response =
        library.get("/v1/shelves/s:watch?pageSize=-1", "Accept", "text/event-stream");
    assertEquals("text/event-stream", response.headers().firstValue("content-type").get());
    assertEquals("data: {\"name\":\"shelves/s/books/1\"}\n\n"
        + "event: error\ndata: {\"code\":5,\"message\":\"shelf burnt\"}\n\n", response.body());
  }

  @Test
  void clientStreaming_readsNewlineDelimitedRequests() throws Exception {
    assertJson(200, "{\"books\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
        library.post("/v1/books:upload", "{\"name\":\"a\"}\n{\"name\":\"b\"}\n"));
  }

  @Test
  void clientStreaming_badRequestNamesWhichOne() throws Exception {
    HttpResponse<String> response =
        library.post("/v1/books:upload", "{\"name\":\"a\"}\n{\"nmae\":\"b\"}\n");
    assertEquals(400, response.statusCode());
    assertTrue(response.body().contains("request 2"), response.body());
  }

  @Test
  void bidiStreaming_answersEachRequest() throws Exception {
    HttpResponse<String> response =
        library.post("/v1/books:chat", "{\"title\":\"a\"}\n{\"title\":\"b\"}");
    assertEquals(List.of("{\"result\":{\"title\":\"A\"}}", "{\"result\":{\"title\":\"B\"}}"),
        response.body().lines().toList());
  }

  @Test
  void everyStatusCode_mapsToItsHttpStatus() throws Exception {
    int[] expected = {200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503,
        500, 401};
    List<String> wrong = new ArrayList<>();
    for (int code = 1; code <= 16; code++) {
      HttpResponse<String> response = library.get("/v1/fail/" + code + "?message=m" + code);
      JsonObject status = json(response);
      if (response.statusCode() != expected[code] || status.get("code").getAsInt() != code
          || !status.get("message").getAsString().equals("m" + code)) {
        wrong.add(Status.fromCodeValue(code).getCode() + " -> " + response.statusCode() + " "
            + response.body());
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void errorDetails_keepTheirType() throws Exception {
    JsonObject status = json(library.get("/v1/fail/9?message=none+left"));
    JsonObject detail = status.getAsJsonArray("details").get(0).getAsJsonObject();
    assertEquals("type.googleapis.com/google.rpc.ErrorInfo", detail.get("@type").getAsString());
    assertEquals("OUT_OF_STOCK", detail.get("reason").getAsString());
  }

  @Test
  void noRoute_is404NamingThePath() throws Exception {
    HttpResponse<String> response = library.get("/v2/nothing/here");
    assertEquals(404, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("content-type").get());
    assertTrue(json(response).get("message").getAsString().contains("GET /v2/nothing/here"));
  }

  @Test
  void otherMethodOnKnownPath_is405WithAllow() throws Exception {
    HttpResponse<String> response = library.post("/v1/shelves/1/books/2", "{}");
    assertEquals(405, response.statusCode());
    assertEquals("DELETE, GET, PATCH, PUT", response.headers().firstValue("allow").get());
  }

  @Test
  void headers_allowListAndGrpcMetadataBecomeMetadata() throws Exception {
    HttpResponse<String> response = library.get("/v1/books/x", "X-Request-Id", "r1",
        "Grpc-Metadata-X-Library", "lib", "X-Library", "not forwarded");
    assertEquals("r1|lib", json(response).get("author").getAsString());
    assertEquals("null|null", json(library.get("/v1/books/x", "X-Library", "plain"))
        .get("author").getAsString());
  }

  @Test
  void responseHeadersAndTrailers_becomeHttpHeaders() throws Exception {
    HttpResponse<String> response = library.get("/v1/books/x");
    assertEquals("header", response.headers().firstValue("grpc-metadata-x-library").get());
    assertEquals("trailer", response.headers().firstValue("grpc-trailer-x-library").get());
    assertEquals(library.server.schema().version(),
        response.headers().firstValue("grpc-metadata-protogate-contract-version").get());
    assertFalse(response.headers().firstValue("grpc-trailer-grpc-status").isPresent());
  }

  @Test
  void deadline_fromGrpcTimeoutOrRequestTimeout() throws Exception {
    HttpResponse<String> grpc = library.get("/v1/fail/-1", "grpc-timeout", "200m");
    assertEquals(504, grpc.statusCode(), grpc.body());
    assertEquals(4, json(grpc).get("code").getAsInt());
    HttpResponse<String> seconds = library.get("/v1/fail/-1", "X-Request-Timeout", "0.2");
    assertEquals(504, seconds.statusCode(), seconds.body());
  }

  @Test
  void badTimeout_is400() throws Exception {
    HttpResponse<String> response = library.get("/v1/books/x", "grpc-timeout", "soon");
    assertEquals(400, response.statusCode());
    assertTrue(response.body().contains("grpc-timeout"), response.body());
  }
}
