package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.protogate.interop.PythonGrpc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --stubs} as a real process, serving the README's example stubs
 * (descriptors/stubs), called by Python's grpcio: an independent client sees the stubs' answers,
 * headers, errors with details, and both streaming directions; the stub API on the HTTP port
 * then lists the stubs and the calls.
 */
class ServeStubsTest {
  private static final Pattern PORT = Pattern.compile("on 127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern HTTP_PORT =
      Pattern.compile("gRPC-Web on 127\\.0\\.0\\.1:(\\d+)");

  @Test
  void exampleStubs_answerThePythonClient() throws Exception {
    PythonGrpc.assumeAvailable();
    Process server = new ProcessBuilder(ServeCommandTest.javaCommand("serve", "--port", "0",
        "--http-port", "0", "--stubs", "descriptors/stubs")).redirectErrorStream(true).start();
    try {
      BufferedReader output = new BufferedReader(
          new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = output.readLine()) != null && !line.contains("serving ")) {
        // Skip anything logged before the start-up line.
      }
      assertTrue(line != null && line.contains("4 stubs from descriptors/stubs"), line);
      Matcher port = PORT.matcher(line);
      assertTrue(port.find(), line);
      Process client = new ProcessBuilder(PythonGrpc.PYTHON, "src/test/python/stub_client.py",
          "--port", port.group(1), "--protos", "descriptors").redirectErrorStream(true).start();
      assertTrue(client.waitFor(120, TimeUnit.SECONDS), "the Python client did not finish");
      String report = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      for (String check : List.of("stub-hello", "stub-miss", "stub-error-details",
          "stub-countdown", "stub-sum")) {
        assertTrue(report.contains("ok " + check + "\n"), report);
      }
      assertEquals(0, client.exitValue(), report);

      // The stub API on the HTTP port saw what the Python client did.
      Matcher http = HTTP_PORT.matcher(line);
      assertTrue(http.find(), line);
      String api = "http://127.0.0.1:" + http.group(1) + "/protogate/";
      HttpClient httpClient = HttpClient.newHttpClient();
      String history = httpClient.send(HttpRequest.newBuilder(URI.create(api + "history")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      JsonArray calls = JsonParser.parseString(history).getAsJsonArray();
      assertEquals(5, calls.size(), history);
      assertEquals("NOT_FOUND", calls.get(1).getAsJsonObject().get("code").getAsString());
      String stubs = httpClient.send(HttpRequest.newBuilder(URI.create(api + "stubs")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertEquals(4, JsonParser.parseString(stubs).getAsJsonArray().size(), stubs);

      // And the HTTP/JSON door is answered by the same stubs.
      String answer = httpClient.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + http.group(1) + "/GrpcService/hello"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"curl\"}}")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(answer.contains("\"xiao gang, answered by a stub for curl\""), answer);

      // So are Connect (JSON) and gRPC-Web (binary frames) callers.
      URI hello = URI.create("http://127.0.0.1:" + http.group(1) + "/GrpcService/hello");
      String connect = httpClient.send(HttpRequest.newBuilder(hello)
          .header("Content-Type", "application/json").header("Connect-Protocol-Version", "1")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"connect\"}}")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(connect.contains("\"xiao gang, answered by a stub for connect\""), connect);
      // HelloRequest{data: "xiao gang", skill: {name: "web"}} in a gRPC-Web data frame.
      byte[] message = "\n\txiao gang\u0012\u0005\n\u0003web".getBytes(StandardCharsets.UTF_8);
      byte[] frame = new byte[5 + message.length];
      frame[4] = (byte) message.length;
      System.arraycopy(message, 0, frame, 5, message.length);
      HttpResponse<byte[]> web = httpClient.send(HttpRequest.newBuilder(hello)
          .header("Content-Type", "application/grpc-web+proto").header("X-Grpc-Web", "1")
          .POST(HttpRequest.BodyPublishers.ofByteArray(frame)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      String webBody = new String(web.body(), StandardCharsets.ISO_8859_1);
      assertTrue(webBody.contains("xiao gang, answered by a stub for web"), webBody);
      assertTrue(webBody.matches("(?s).*grpc-status: ?0\\r\\n.*"), webBody);
    } finally {
      server.destroy();
      assertTrue(server.waitFor(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void invalidStub_stopsTheServerWithOneLineNamingIt_exitOne(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("bad.yaml"), """
        service: GrpcService
        method: helo
        output: {data: {}}
        """);
    Process server = new ProcessBuilder(ServeCommandTest.javaCommand("serve", "--port", "0",
        "--stubs", dir.toString())).redirectErrorStream(true).start();
    assertTrue(server.waitFor(60, TimeUnit.SECONDS));
    String output = new String(server.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(1, server.exitValue(), output);
    assertTrue(output.contains("bad.yaml, stub #1: GrpcService has no method \"helo\"; did you"
        + " mean \"hello\"?"), output);
  }
}
