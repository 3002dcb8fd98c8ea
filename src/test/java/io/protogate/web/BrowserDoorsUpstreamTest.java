package io.protogate.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.protogate.connect.ConnectHandler;
import io.protogate.contract.Contract;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.http.HttpPort;
import io.protogate.interop.NodeScripts;
import io.protogate.interop.PythonGrpc;
import io.protogate.interop.PythonServer;
import io.protogate.server.ProtogateServer;
import io.protogate.upstream.Route;
import io.protogate.upstream.Routes;
import io.protogate.upstream.UpstreamRouting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main browser case: an existing gRPC backend (the seed's Python grpcio server) routed through
 * Protogate, called by connect-node over Connect and gRPC-Web with no change to the backend.
 */
class BrowserDoorsUpstreamTest {
  @Test
  void upstreamRoute_answersBrowserProtocols_withTheBackendsAnswerMetadataAndErrors(
      @TempDir Path dir) throws Exception {
    NodeScripts.assumeAvailable("@connectrpc/connect-node");
    PythonGrpc.assumeAvailable();
    Schema schema = SchemaLoader.fromSources(BundledDescriptors.sources());
    FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
    for (FileDescriptor file : schema.files()) {
      set.addFile(file.toProto());
    }
    Path descriptors = Files.write(dir.resolve("all.desc"), set.build().toByteArray());
    try (PythonServer python = PythonServer.start()) {
      Contract routed = Contract.of(schema).with(UpstreamRouting.ROUTES,
          Routes.of(List.of(Route.parse("GrpcService=" + python.address()))));
      try (ProtogateServer server = ProtogateServer.builder(routed).port(0)
              .demoHandlers(BuiltinHandlers.demo()).build().start();
          HttpPort http = HttpPort.builder().port(0)
              .handler(new ConnectHandler(server.channel(), server::schema, 4 << 20))
              .handler(new GrpcWebHandler(server.channel(), server::schema, 4 << 20))
              .build().start()) {
        JsonArray plan = new JsonArray();
        for (String protocol : new String[] {"connect", "grpc-web"}) {
          for (boolean binary : new boolean[] {false, true}) {
            plan.add(call(protocol, binary, "{\"data\":\"xiao gang\",\"skill\":{\"name\":"
                + "\"engineer\"}}"));
            plan.add(call(protocol, binary, "{\"data\":\"fail\"}"));
          }
        }
        List<String> lines = NodeScripts.run("connect_client.mjs", plan.toString(),
            "http://127.0.0.1:" + http.port(), descriptors.toString());

        assertEquals(plan.size(), lines.size(), String.join("\n", lines));
        for (int i = 0; i < lines.size(); i += 2) {
          JsonObject ok = JsonParser.parseString(lines.get(i)).getAsJsonObject();
          assertNull(ok.get("error"), ok.toString());
          assertEquals("acme:xiao gangengineer this is gprc test service",
              ok.getAsJsonObject("response").get("result").getAsString(), ok.toString());
          assertEquals("python",
              ok.getAsJsonObject("trailers").get("x-upstream-trailer").getAsString(),
              ok.toString());
          JsonObject failed = JsonParser.parseString(lines.get(i + 1)).getAsJsonObject();
          assertEquals("NotFound", failed.getAsJsonObject("error").get("code").getAsString(),
              failed.toString());
          assertEquals("no such thing",
              failed.getAsJsonObject("error").get("message").getAsString());
        }
      }
    }
  }

  private static JsonObject call(String protocol, boolean binary, String request) {
    JsonObject call = new JsonObject();
    call.addProperty("protocol", protocol);
    call.addProperty("binary", binary);
    call.addProperty("service", "GrpcService");
    call.addProperty("method", "hello");
    call.add("request", JsonParser.parseString(request));
    JsonObject headers = new JsonObject();
    headers.addProperty("x-tenant", "acme");
    call.add("headers", headers);
    return call;
  }
}
