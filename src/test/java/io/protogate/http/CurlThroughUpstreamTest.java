package io.protogate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.protogate.contract.Contract;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.interop.PythonGrpc;
import io.protogate.interop.PythonServer;
import io.protogate.server.ProtogateServer;
import io.protogate.upstream.Route;
import io.protogate.upstream.Routes;
import io.protogate.upstream.UpstreamRouting;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The main gateway case of the HTTP/JSON door: curl calls Protogate, which routes the service to
 * the seed's Python grpcio server; the answer, its error statuses, the caller's metadata and the
 * upstream's trailers cross both hops.
 */
class CurlThroughUpstreamTest {
  @Test
  void curl_throughAnUpstreamRoute_getsThePythonServersAnswers() throws Exception {
    HttpPortTest.needCurl();
    PythonGrpc.assumeAvailable();
    Schema schema = SchemaLoader.fromSources(BundledDescriptors.sources());
    try (PythonServer python = PythonServer.start()) {
      Contract routed = Contract.of(schema).with(UpstreamRouting.ROUTES,
          Routes.of(List.of(Route.parse("GrpcService=" + python.address()))));
      try (ProtogateServer server = ProtogateServer.builder(routed).port(0)
              .demoHandlers(BuiltinHandlers.demo()).build().start();
          HttpPort http = HttpPort.builder().port(0)
              .handler(TranscodingHandler.of(server, HttpJsonOptions.builder().build()))
              .build().start()) {
        String url = "http://127.0.0.1:" + http.port() + "/GrpcService/hello";

        HttpPortTest.Result ok = HttpPortTest.curl("-i", "-H", "Grpc-Metadata-x-tenant: acme",
            "-d", "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"engineer\"}}", url);
        assertTrue(ok.out().startsWith("HTTP/1.1 200"), ok.out());
        assertTrue(ok.out().toLowerCase().contains("grpc-trailer-x-upstream-trailer: python"),
            ok.out());
        JsonObject answer = JsonParser.parseString(body(ok.out())).getAsJsonObject();
        assertEquals("acme:xiao gangengineer this is gprc test service",
            answer.get("result").getAsString());
        assertEquals(1232, answer.getAsJsonObject("mapResult").get("12").getAsInt());

        HttpPortTest.Result missing = HttpPortTest.curl("-i", "-d", "{\"data\": \"fail\"}", url);
        assertTrue(missing.out().startsWith("HTTP/1.1 404"), missing.out());
        JsonObject status = JsonParser.parseString(body(missing.out())).getAsJsonObject();
        assertEquals(5, status.get("code").getAsInt());
        assertEquals("no such thing", status.get("message").getAsString());
      }
    }
  }

  private static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }
}
