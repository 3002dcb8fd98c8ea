package io.protogate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP port as curl sees it: HTTP/1.1, h2c by prior knowledge, h2 by ALPN over TLS, CORS
 * preflights when configured and none by default, streaming read line by line.
 */
class HttpPortTest {
  private static final Path CURL = Path.of("/usr/bin/curl");
  private static final Path OPENSSL = Path.of("/usr/bin/openssl");

  @BeforeAll
  static void needCurl() {
    boolean present = Files.isExecutable(CURL) && Files.isExecutable(OPENSSL);
    if (!present && "1".equals(System.getenv("PROTOGATE_REQUIRE_INTEROP"))) {
      fail("PROTOGATE_REQUIRE_INTEROP=1 but curl or openssl is missing: apt-get install curl"
          + " openssl");
    }
    assumeTrue(present, "curl and openssl are needed");
  }

  record Result(int exit, String out, String err) {}

  static Result run(Path tool, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(tool.toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    process.getOutputStream().close();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(command + " did not end within 20 s");
    }
    return new Result(process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  static Result curl(String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("-sS", "--max-time", "10"));
    all.addAll(List.of(args));
    Result result = run(CURL, all.toArray(String[]::new));
    assertEquals(0, result.exit(), result.err());
    return result;
  }

  @Test
  void curl_http1AndH2c() throws Exception {
    try (LibraryServer library = new LibraryServer()) {
      String url = "http://127.0.0.1:" + library.http.port() + "/v1/books/x";
      Result h1 = curl("-w", "\n%{http_version}", url);
      assertTrue(h1.out().endsWith("\n1.1"), h1.out());
      assertTrue(h1.out().contains("\"name\":\"x\""), h1.out());
      Result h2c = curl("--http2-prior-knowledge", "-w", "\n%{http_version}", url);
      assertTrue(h2c.out().endsWith("\n2"), h2c.out());
      Result upgrade = curl("--http2", "-w", "\n%{http_version}", url);
      assertTrue(upgrade.out().contains("\"name\":\"x\""), upgrade.out());
    }
  }

  @Test
  void curl_streamsNdjsonAndPostsJson() throws Exception {
    try (LibraryServer library = new LibraryServer()) {
      String base = "http://127.0.0.1:" + library.http.port();
      Result stream = curl("-N", base + "/v1/shelves/s:watch?pageSize=2");
      assertEquals(List.of("{\"result\":{\"name\":\"shelves/s/books/1\"}}",
          "{\"result\":{\"name\":\"shelves/s/books/2\"}}"), stream.out().lines().toList());
      Result post = curl("-d", "{\"title\":\"Dune\"}", base + "/v1/shelves/7/books?bookId=b1");
      assertTrue(post.out().contains("\"name\":\"shelves/7/books/b1\""), post.out());
      Result upload = curl("--data-binary", "{\"name\":\"a\"}\n{\"name\":\"b\"}\n",
          base + "/v1/books:upload");
      assertTrue(upload.out().contains("{\"name\":\"b\"}"), upload.out());
    }
  }

  /** A self-signed certificate for 127.0.0.1 and its PKCS#8 key: {@code name.pem}, -key.pem. */
  private static Path selfSigned(Path dir, String name) throws Exception {
    Path cert = dir.resolve(name + ".pem");
    Result made = run(OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
        dir.resolve(name + "-key.pem").toString(), "-out", cert.toString(), "-days", "1",
        "-subj", "/CN=" + name, "-addext", "subjectAltName=IP:127.0.0.1");
    assertEquals(0, made.exit(), made.err());
    return cert;
  }

  @Test
  void tls_readsTheKeysTheGrpcPortReads_pkcs1Accepted_anotherCertificatesKeyRefused(
      @TempDir Path dir) throws Exception {
    Path rsa = dir.resolve("rsa.pem");
    Result made = run(OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
        dir.resolve("rsa-key.pem").toString(), "-out", rsa.toString(), "-days", "1", "-subj",
        "/CN=rsa", "-addext", "subjectAltName=IP:127.0.0.1");
    assertEquals(0, made.exit(), made.err());
    Path pkcs1 = dir.resolve("rsa-pkcs1.pem");
    Result converted = run(OPENSSL, "rsa", "-in", dir.resolve("rsa-key.pem").toString(),
        "-traditional", "-out", pkcs1.toString());
    assertEquals(0, converted.exit(), converted.err());
    try (LibraryServer library = new LibraryServer(HttpJsonOptions.defaults(),
        HttpPort.builder().tls(rsa.toFile(), pkcs1.toFile()))) {
      Result h2 = curl("--cacert", rsa.toString(), "--http2", "-w", "\n%{http_version}",
          "https://127.0.0.1:" + library.http.port() + "/v1/books/x");
      assertTrue(h2.out().endsWith("\n2"), h2.out());
    }
    Path other = selfSigned(dir, "other");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HttpPort.builder().tls(other.toFile(), pkcs1.toFile()).handler(
            new org.eclipse.jetty.server.Handler.Abstract() {
              @Override
              public boolean handle(org.eclipse.jetty.server.Request request,
                  org.eclipse.jetty.server.Response response,
                  org.eclipse.jetty.util.Callback callback) {
                return false;
              }
            }).build());
    assertTrue(e.getMessage().contains(pkcs1.toString()), e.getMessage());
  }

  @Test
  void tls_negotiatesH2ByAlpn(@TempDir Path dir) throws Exception {
    Path cert = selfSigned(dir, "server");
    Path key = dir.resolve("server-key.pem");
    try (LibraryServer library = new LibraryServer(HttpJsonOptions.defaults(),
        HttpPort.builder().tls(cert.toFile(), key.toFile()))) {
      String url = "https://127.0.0.1:" + library.http.port() + "/v1/books/x";
      Result h2 = curl("--cacert", cert.toString(), "--http2", "-w", "\n%{http_version}", url);
      assertTrue(h2.out().endsWith("\n2"), h2.out());
      assertTrue(h2.out().contains("\"name\":\"x\""), h2.out());
      Result h1 = curl("--cacert", cert.toString(), "--http1.1", "-w", "\n%{http_version}",
          url);
      assertTrue(h1.out().endsWith("\n1.1"), h1.out());
    }
  }

  @Test
  void mutualTls_refusesCallersWithoutACertificate(@TempDir Path dir) throws Exception {
    Path cert = selfSigned(dir, "server");
    Path client = selfSigned(dir, "client");
    try (LibraryServer library = new LibraryServer(HttpJsonOptions.defaults(), HttpPort.builder()
        .tls(cert.toFile(), dir.resolve("server-key.pem").toFile())
        .requireClientCertificates(client.toFile()))) {
      String url = "https://127.0.0.1:" + library.http.port() + "/v1/books/x";
      Result with = curl("--cacert", cert.toString(), "--cert", client.toString(), "--key",
          dir.resolve("client-key.pem").toString(), url);
      assertTrue(with.out().contains("\"name\":\"x\""), with.out());
      Result without = run(CURL, "-sS", "--max-time", "10", "--cacert", cert.toString(), url);
      assertTrue(without.exit() != 0, without.out());
      assertFalse(without.out().contains("\"name\""), without.out());
    }
  }

  @Test
  void cors_offByDefault() throws Exception {
    try (LibraryServer library = new LibraryServer()) {
      Result answer = curl("-i", "-H", "Origin: https://app.example",
          "http://127.0.0.1:" + library.http.port() + "/v1/books/x");
      assertFalse(answer.out().toLowerCase().contains("access-control-allow-origin"),
          answer.out());
    }
  }

  @Test
  void cors_preflightAndAnswerWhenConfigured() throws Exception {
    try (LibraryServer library = new LibraryServer(HttpJsonOptions.defaults(), HttpPort.builder()
        .cors(Set.of("https://app\\.example"), Set.of("Content-Type", "X-Request-Id")))) {
      String url = "http://127.0.0.1:" + library.http.port() + "/v1/shelves/7/books";
      Result preflight = curl("-i", "-X", "OPTIONS", "-H", "Origin: https://app.example",
          "-H", "Access-Control-Request-Method: POST",
          "-H", "Access-Control-Request-Headers: content-type", url);
      String headers = preflight.out().toLowerCase();
      assertTrue(headers.contains("access-control-allow-origin: https://app.example"), headers);
      assertTrue(headers.contains("access-control-allow-methods:"), headers);
      Result other = curl("-i", "-X", "OPTIONS", "-H", "Origin: https://evil.example",
          "-H", "Access-Control-Request-Method: POST", url);
      assertFalse(other.out().toLowerCase().contains("access-control-allow-origin"),
          other.out());
      Result answer = curl("-i", "-H", "Origin: https://app.example", url + "?pageSize=1");
      assertTrue(answer.out().toLowerCase()
          .contains("access-control-allow-origin: https://app.example"), answer.out());
    }
  }
}
