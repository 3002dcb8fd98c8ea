package io.protogate.cli;

import static io.protogate.cli.ClientCommandsTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.protogate.cli.ClientCommandsTest.Result;
import io.protogate.contract.Contract;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Handlers;
import io.protogate.handler.builtin.BuiltinHandlers;
import io.protogate.server.ProtogateServer;
import io.protogate.upstream.Route;
import io.protogate.upstream.Routes;
import io.protogate.upstream.UpstreamRouting;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and mutual TLS end to end: {@code protogate call} against Protogate servers on loopback
 * Netty, with a CA, a server certificate and a client certificate made by openssl for this class.
 */
class TlsTest {
  private static final String OPENSSL = "/usr/bin/openssl";
  private static final String METHOD = "GrpcService/hello";
  private static final String HELLO =
      "{\"data\": \"xiao gang\", \"skill\": {\"name\": \"engineer\"}}";
  private static final String HELLO_RESULT = "\"result\": \"xiao gangengineer this is gprc test"
      + " service\"";

  @TempDir static Path dir;

  private static File caCert;
  private static File serverCert;
  private static File serverKey;
  private static File clientCert;
  private static File clientKey;
  private static File strangerCert;
  private static File strangerKey;
  private static ProtogateServer tlsServer;
  private static ProtogateServer mtlsServer;
  private static String tlsAddress;
  private static String mtlsAddress;

  @BeforeAll
  static void makeCertificatesAndStartServers() throws Exception {
    makeCertificates();
    Schema schema = SchemaLoader.fromSources(BundledDescriptors.sources());
    Handlers demo = BuiltinHandlers.demo();
    tlsServer = ProtogateServer.builder(schema)
        .port(0)
        .demoHandlers(demo)
        .tls(serverCert, serverKey)
        .build()
        .start();
    tlsAddress = "127.0.0.1:" + tlsServer.port();
    mtlsServer = ProtogateServer.builder(schema)
        .port(0)
        .demoHandlers(demo)
        .tls(serverCert, serverKey)
        .requireClientCertificates(caCert)
        .build()
        .start();
    mtlsAddress = "127.0.0.1:" + mtlsServer.port();
  }

  @AfterAll
  static void stopServers() throws InterruptedException {
    try {
      if (tlsServer != null) {
        tlsServer.close();
      }
    } finally {
      if (mtlsServer != null) {
        mtlsServer.close();
      }
    }
  }

  // --- TLS: the server has a certificate, the client need not have one.

  @Test
  void breakingAgainstServer_readsTheContractOverMutualTls() {
    Result result = run("breaking", "descriptors", "--against-server", mtlsAddress,
        "--cacert", caCert.getPath(), "--cert", clientCert.getPath(), "--key",
        clientKey.getPath());

    assertEquals(0, result.exit(), result.err());
    assertEquals("no breaking changes (WIRE_JSON) against " + mtlsAddress + "\n", result.err());
  }

  @Test
  void breakingAgainstServer_withoutClientCertificate_failsInOneLine() {
    Result result = run("breaking", "descriptors", "--against-server", mtlsAddress,
        "--cacert", caCert.getPath());

    assertEquals(1, result.exit(), result.err());
    assertOneLineError(result, mtlsAddress, "--cert and --key");
  }

  @Test
  void callSucceeds_withCaCert() {
    Result result = run("call", "--cacert", caCert.getPath(), tlsAddress, METHOD, "-d", HELLO);

    assertEquals(0, result.exit(), result.err());
    assertTrue(result.out().contains(HELLO_RESULT), result.out());
  }

  @Test
  void callFailsInOneLine_withoutCaCert() {
    // The system's trusted roots do not include this class's CA.
    Result result = run("call", tlsAddress, METHOD, "-d", HELLO);

    assertEquals(1, result.exit(), result.err());
    assertOneLineError(result, tlsAddress, "unable to find valid certification path");
  }

  @Test
  void callSucceeds_withInsecure() {
    Result result = run("call", "--insecure", tlsAddress, METHOD, "-d", HELLO);

    assertEquals(0, result.exit(), result.err());
    assertTrue(result.out().contains(HELLO_RESULT), result.out());
  }

  @Test
  void callFailsInOneLine_withPlaintextAgainstTls() {
    Result result = run("call", "--plaintext", tlsAddress, METHOD, "-d", HELLO);

    // The server drops the connection: the client only learns "Network closed for unknown reason".
    assertEquals(1, result.exit(), result.err());
    assertOneLineError(result, tlsAddress, "UNAVAILABLE");
    assertTrue(result.err().contains("if it serves TLS, drop --plaintext"), result.err());
    assertFalse(result.err().contains("that the server is running"), result.err());
  }

  @Test
  void callSucceeds_withAuthorityTheCertificateNames() {
    Result result = run("call", "--cacert", caCert.getPath(), "--authority", "localhost",
        tlsAddress, METHOD, "-d", HELLO);

    assertEquals(0, result.exit(), result.err());
    assertTrue(result.out().contains(HELLO_RESULT), result.out());
  }

  @Test
  void callFailsInOneLine_withAuthorityTheCertificateDoesNotName() {
    Result result = run("call", "--cacert", caCert.getPath(), "--authority", "wrong.example",
        tlsAddress, METHOD, "-d", HELLO);

    assertEquals(1, result.exit(), result.err());
    assertOneLineError(result, tlsAddress, "wrong.example");
  }

  // --- Mutual TLS: the server also requires a client certificate signed by the CA.

  @Test
  void mtlsCallSucceeds_withClientCertificate() {
    Result result = run("call", "--cacert", caCert.getPath(), "--cert", clientCert.getPath(),
        "--key", clientKey.getPath(), mtlsAddress, METHOD, "-d", HELLO);

    assertEquals(0, result.exit(), result.err());
    assertTrue(result.out().contains(HELLO_RESULT), result.out());
  }

  @Test
  void mtlsCallFailsInOneLine_withoutClientCertificate() {
    Result result = run("call", "--cacert", caCert.getPath(), mtlsAddress, METHOD, "-d", HELLO);

    // 1, not 64 + 14: under TLS 1.3 the client's handshake completes before the server checks for
    // a client certificate; the server then answers with a certificate_required alert, so the
    // first call (here, reflection) ends UNAVAILABLE without the server ever answering a call.
    assertEquals(1, result.exit(), result.err());
    assertOneLineError(result, mtlsAddress, "CERTIFICATE_REQUIRED");
  }

  @Test
  void mtlsCallFailsInOneLine_withoutClientCertificateAndWithProtoset() throws Exception {
    Path protoset = dir.resolve("bundled.protoset");
    Result pin = run("list", "--insecure", "--protoset-out", protoset.toString(), tlsAddress);
    assertEquals(0, pin.exit(), pin.err());

    Result result = run("call", "--cacert", caCert.getPath(), "--protoset", protoset.toString(),
        mtlsAddress, METHOD, "-d", HELLO);

    // Without reflection the method call itself meets the alert: still 1, as nothing was answered.
    assertEquals(1, result.exit(), result.err());
    assertOneLineError(result, mtlsAddress, "CERTIFICATE_REQUIRED");
  }

  @Test
  void mtlsCallFailsInOneLine_withClientCertificateOfAnotherCa_blamingTheCertificate() {
    Result result = run("call", "--cacert", caCert.getPath(), "--cert", strangerCert.getPath(),
        "--key", strangerKey.getPath(), mtlsAddress, METHOD, "-d", HELLO);

    assertEquals(1, result.exit(), result.err());
    assertOneLineError(result, mtlsAddress, "UNAVAILABLE");
    assertTrue(result.err().contains("did not take the client certificate " + strangerCert),
        result.err());
    assertFalse(result.err().contains("pass --cert and --key"), result.err());
  }

  @Test
  void callWithAKeyOfAnotherCertificate_saysSoBeforeConnecting() {
    Result result = run("call", "--cacert", caCert.getPath(), "--cert", clientCert.getPath(),
        "--key", strangerKey.getPath(), mtlsAddress, METHOD, "-d", HELLO);

    assertEquals(1, result.exit(), result.err());
    assertEquals("protogate: --cert/--key: TLS key " + strangerKey + " does not belong to"
        + " certificate " + clientCert + " (the certificate holds another public key): give the"
        + " key the certificate was made for", result.err().strip());
  }

  @Test
  void usageError_withCertButNoKey() {
    Result result = run("call", "--cacert", caCert.getPath(), "--cert", clientCert.getPath(),
        mtlsAddress, METHOD, "-d", HELLO);

    assertEquals(2, result.exit(), result.err());
    assertEquals("protogate: --cert and --key go together", result.err().strip());
  }

  // --- serve: only the flag checks that fail before the server would start and block.

  @Test
  void serveUsageError_withTlsKeyButNoTlsCert() {
    Result result = run("serve", "--port", "0", "--tls-key", serverKey.getPath());

    assertEquals(2, result.exit(), result.err());
    assertEquals("protogate: --tls-cert and --tls-key go together", result.err().strip());
  }

  @Test
  void serveUsageError_withTlsClientCaButNoTlsCert() {
    Result result = run("serve", "--port", "0", "--tls-client-ca", caCert.getPath());

    assertEquals(2, result.exit(), result.err());
    assertEquals("protogate: --tls-client-ca needs --tls-cert and --tls-key",
        result.err().strip());
  }

  // --- Upstreams over TLS: the gateway is the client, the servers above its upstreams.

  @Test
  void upstreamOverTls_withItsCa_andMutualTls_withAClientCertificate() throws Exception {
    String tls = "*=" + tlsAddress + ";ca=" + caCert;
    String mtls = "*=" + mtlsAddress + ";ca=" + caCert + ";cert=" + clientCert + ";key="
        + clientKey;
    for (String route : List.of(tls, mtls)) {
      try (ProtogateServer gateway = gateway(route)) {
        Result result = run("call", "--plaintext", "127.0.0.1:" + gateway.port(), METHOD, "-d",
            HELLO);

        assertEquals(0, result.exit(), route + ": " + result.err());
        assertTrue(result.out().contains(HELLO_RESULT), result.out());
      }
    }
  }

  @Test
  void upstreamOverTls_notTrusted_isUnavailableNamingTheUpstream() throws Exception {
    // The system's trusted roots do not include this class's CA.
    try (ProtogateServer gateway = gateway("*=" + tlsAddress + ";tls")) {
      Result result = run("call", "--plaintext", "127.0.0.1:" + gateway.port(), METHOD, "-d",
          HELLO);

      assertEquals(64 + 14, result.exit(), result.err());
      assertTrue(result.err().contains("UNAVAILABLE: upstream " + tlsAddress + " for GrpcService"
          + " failed the TLS handshake"), result.err());
    }
  }

  private static ProtogateServer gateway(String route) {
    return ProtogateServer.builder(
            Contract.of(SchemaLoader.fromSources(BundledDescriptors.sources()))
                .with(UpstreamRouting.ROUTES, Routes.of(List.of(Route.parse(route)))))
        .port(0)
        .build()
        .start();
  }

  // --- serve: the key is checked against the certificate before the server listens.

  @Test
  void serve_keyOfAnotherCertificate_refusedBeforeServing_inOneLineNamingBothFiles()
      throws Exception {
    Process process = new ProcessBuilder(ServeCommandTest.javaCommand("serve", "--port", "0",
        "--tls-cert", serverCert.getPath(), "--tls-key", clientKey.getPath()))
        .start();
    try {
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the server started with a wrong key");
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(1, process.exitValue(), err);
      assertFalse((out + err).contains("serving"), out + err);
      assertEquals("protogate: TLS key " + clientKey + " does not belong to certificate "
          + serverCert + " (the certificate holds another public key): give the key the"
          + " certificate was made for", err.strip());
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void serve_pkcs1RsaKey_servesTls() throws Exception {
    File pkcs1 = dir.resolve("server-pkcs1.key").toFile();
    openssl("rsa", "-in", serverKey.getPath(), "-traditional", "-out", pkcs1.getPath());
    assertTrue(Files.readString(pkcs1.toPath()).startsWith("-----BEGIN RSA PRIVATE KEY-----"));

    try (ProtogateServer server = ProtogateServer.builder(
            SchemaLoader.fromSources(BundledDescriptors.sources()))
        .port(0)
        .demoHandlers(BuiltinHandlers.demo())
        .tls(serverCert, pkcs1)
        .build()
        .start()) {
      Result result = run("call", "--cacert", caCert.getPath(), "127.0.0.1:" + server.port(),
          METHOD, "-d", HELLO);

      assertEquals(0, result.exit(), result.err());
      assertTrue(result.out().contains(HELLO_RESULT), result.out());
    }
  }

  @Test
  void serve_sec1EcKey_refusedNamingTheFileAndTheOpensslCommand() throws Exception {
    File ec = dir.resolve("server-ec.key").toFile();
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ec.getPath());

    Result result = run("serve", "--port", "0", "--tls-cert", serverCert.getPath(),
        "--tls-key", ec.getPath());

    assertEquals(1, result.exit(), result.err());
    assertEquals("protogate: TLS key " + ec + " holds a 'EC PRIVATE KEY', which Protogate cannot"
        + " read: convert it with: openssl pkcs8 -topk8 -nocrypt -in " + ec + " -out " + ec
        + ".pk8, and give " + ec + ".pk8", result.err().strip());
  }

  @Test
  void serve_encryptedKey_refusedNamingTheFileAndTheOpensslCommand() throws Exception {
    File encrypted = dir.resolve("server-encrypted.key").toFile();
    openssl("pkcs8", "-topk8", "-in", serverKey.getPath(), "-out", encrypted.getPath(),
        "-passout", "pass:secret");

    Result result = run("serve", "--port", "0", "--tls-cert", serverCert.getPath(),
        "--tls-key", encrypted.getPath());

    assertEquals(1, result.exit(), result.err());
    assertEquals("protogate: TLS key " + encrypted + " is encrypted, and Protogate reads only"
        + " unencrypted keys: convert it with: openssl pkcs8 -topk8 -nocrypt -in " + encrypted
        + " -out " + encrypted + ".pk8, and give " + encrypted + ".pk8", result.err().strip());
  }

  // --- Helpers.

  /**
   * One line on standard error, no stack trace, naming the address and containing {@code why}
   * (ignoring case): the words of the JDK or of BoringSSL, which the user sees as they are.
   */
  private static void assertOneLineError(Result result, String address, String why) {
    String error = result.err().strip();
    assertTrue(error.startsWith("protogate: cannot reach " + address + ": "), result.err());
    assertFalse(error.contains("\n") || error.contains("\tat "), result.err());
    assertTrue(error.toLowerCase(Locale.ROOT).contains(why.toLowerCase(Locale.ROOT)),
        result.err());
    assertEquals("", result.out());
  }

  /** A CA, and a server and a client certificate it signed; PEM, keys unencrypted PKCS#8. */
  private static void makeCertificates() throws IOException, InterruptedException {
    if (!Files.isExecutable(Path.of(OPENSSL))) {
      fail(OPENSSL + " not found: this test makes its certificates with openssl, which the"
          + " machine image and CI provide; install it (apt-get install openssl)");
    }
    // A configuration of our own, so the system's openssl.cnf does not matter.
    Path config = Files.writeString(dir.resolve("openssl.cnf"), String.join("\n",
        "[req]",
        "distinguished_name = dn",
        "prompt = no",
        "[dn]",
        "CN = unused",
        "[ca]",
        "basicConstraints = critical, CA:TRUE",
        "keyUsage = critical, keyCertSign, cRLSign",
        "subjectKeyIdentifier = hash",
        "[server]",
        "basicConstraints = CA:FALSE",
        "keyUsage = critical, digitalSignature, keyEncipherment",
        "extendedKeyUsage = serverAuth",
        "subjectAltName = DNS:localhost, IP:127.0.0.1",
        "[client]",
        "basicConstraints = CA:FALSE",
        "keyUsage = critical, digitalSignature, keyEncipherment",
        "extendedKeyUsage = clientAuth",
        ""));
    caCert = dir.resolve("ca.pem").toFile();
    File caKey = dir.resolve("ca.key").toFile();
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-config", config.toString(),
        "-extensions", "ca", "-subj", "/CN=Protogate Test CA", "-days", "2",
        "-keyout", caKey.getPath(), "-out", caCert.getPath());
    serverCert = dir.resolve("server.pem").toFile();
    serverKey = dir.resolve("server.key").toFile();
    signed("server", "/CN=localhost", serverCert, serverKey, caKey, config);
    clientCert = dir.resolve("client.pem").toFile();
    clientKey = dir.resolve("client.key").toFile();
    signed("client", "/CN=protogate-test-client", clientCert, clientKey, caKey, config);
    // A client certificate from a CA the server does not trust.
    File strangerCa = dir.resolve("stranger-ca.pem").toFile();
    File strangerCaKey = dir.resolve("stranger-ca.key").toFile();
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-config", config.toString(),
        "-extensions", "ca", "-subj", "/CN=Stranger CA", "-days", "2",
        "-keyout", strangerCaKey.getPath(), "-out", strangerCa.getPath());
    strangerCert = dir.resolve("stranger.pem").toFile();
    strangerKey = dir.resolve("stranger.key").toFile();
    signed("client", "/CN=stranger", strangerCert, strangerKey, strangerCaKey, strangerCa,
        config);
    for (File key : List.of(caKey, serverKey, clientKey)) {
      String pem = Files.readString(key.toPath(), StandardCharsets.US_ASCII);
      assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"), key + " is not PKCS#8 PEM");
    }
  }

  private static void signed(String extensions, String subject, File cert, File key, File caKey,
      Path config) throws IOException, InterruptedException {
    signed(extensions, subject, cert, key, caKey, caCert, config);
  }

  private static void signed(String extensions, String subject, File cert, File key, File caKey,
      File ca, Path config) throws IOException, InterruptedException {
    Path request = dir.resolve(extensions + ".csr");
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-config", config.toString(),
        "-subj", subject, "-keyout", key.getPath(), "-out", request.toString());
    openssl("x509", "-req", "-in", request.toString(), "-CA", ca.getPath(),
        "-CAkey", caKey.getPath(), "-set_serial", "0x" + Long.toHexString(System.nanoTime()),
        "-days", "2", "-extfile", config.toString(), "-extensions", extensions,
        "-out", cert.getPath());
  }

  private static void openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(OPENSSL);
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    if (exit != 0) {
      fail(String.join(" ", command) + " exited " + exit + ":\n" + output);
    }
  }
}
