package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.server.ProtogateServer;
import org.junit.jupiter.api.Test;

/** The README's promise that {@code call -v} shows which contract answered. */
class CallVerboseVersionTest {
  @Test
  void callVerbose_showsTheContractVersion_onSuccessAndOnFailure() throws Exception {
    Schema bundled = SchemaLoader.fromSources(BundledDescriptors.sources());
    ProtogateServer server = ProtogateServer.builder(bundled).port(0)
        .demoHandlers(BuiltinHandlers.demo()).build().start();
    try {
      String address = "127.0.0.1:" + server.port();
      ClientCommandsTest.Result ok = ClientCommandsTest.run("call", "--plaintext", "-v", address,
          "GrpcService/hello", "-d", "{\"data\": \"x\"}");
      ClientCommandsTest.Result failed = ClientCommandsTest.run("call", "--plaintext", "-v",
          address, "GrpcService/hello", "-d", "{\"data\": \"x\"}", "-H", "grpc-timeout: soon");

      assertEquals(0, ok.exit(), ok.err());
      assertTrue(ok.err().contains("protogate-contract-version: " + bundled.version()), ok.err());
      assertTrue(failed.err().contains("protogate-contract-version: " + bundled.version()),
          failed.err());
    } finally {
      server.close();
    }
  }
}
