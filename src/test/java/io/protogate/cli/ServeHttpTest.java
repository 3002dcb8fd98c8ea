package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code serve --http-port}: the HTTP/JSON door from the command line, in a real process. */
class ServeHttpTest {
  private static final Pattern CURL =
      Pattern.compile("\\$ curl -d '(.*)' (http://127\\.0\\.0\\.1:\\d+/GrpcService/hello)");

  @Test
  void serve_httpPort_demoShowsCurlCall_andCurlGetsTheSameAnswer() throws Exception {
    Process process = new ProcessBuilder(
        ServeCommandTest.javaCommand("serve", "--port", "0", "--http-port", "0", "--demo"))
        .redirectErrorStream(true)
        .start();
    try {
      BufferedReader output = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = output.readLine()) != null && !line.startsWith("Serving until")
          && !line.startsWith("--demo:")) {
        lines.add(line);
      }
      String all = String.join("\n", lines);
      assertTrue(all.contains(", HTTP/JSON on 127.0.0.1:"), all);
      Matcher curl = CURL.matcher(all);
      assertTrue(curl.find(), all);
      String expected = "{\"result\":\"xiao gangengineer this is gprc test service\","
          + "\"mapResult\":{\"12\":1232}}";
      assertTrue(all.contains(expected), all);

      Process call = new ProcessBuilder("curl", "-sS", "--max-time", "10", "-d", curl.group(1),
          curl.group(2)).start();
      assertTrue(call.waitFor(20, TimeUnit.SECONDS));
      assertEquals(expected, new String(call.getInputStream().readAllBytes(),
          StandardCharsets.UTF_8).trim());

      process.destroy(); // SIGTERM
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "no exit within 30 s of SIGTERM");
      assertEquals(0, process.exitValue());
    } finally {
      process.destroyForcibly();
    }
  }
}
