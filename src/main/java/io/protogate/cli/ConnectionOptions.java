package io.protogate.cli;

import io.grpc.Status;
import io.protogate.client.Connection;
import io.protogate.server.ServerKeyPair;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags that say how to reach a server, shared by the client commands: grpcurl's names, with
 * two dashes or, as grpcurl spells them, one.
 */
final class ConnectionOptions {
  @Option(names = {"--plaintext", "-plaintext"}, description = "Use plain-text HTTP/2 (no TLS).")
  boolean plaintext;

  @Option(names = {"--insecure", "-insecure"}, description = "Use TLS but do not verify the"
      + " server certificate.")
  boolean insecure;

  @Option(names = {"--cacert", "-cacert"}, paramLabel = "FILE", description = "CA certificate"
      + " (PEM) to verify"
      + " the server with, instead of the system's trusted roots.")
  File caCert;

  @Option(names = {"--cert", "-cert"}, paramLabel = "FILE", description = "Client certificate"
      + " (PEM) for"
      + " mutual TLS; needs --key.")
  File cert;

  @Option(names = {"--key", "-key"}, paramLabel = "FILE", description = "Private key (PEM) of"
      + " --cert.")
  File key;

  @Option(names = {"--authority", "-authority"}, description = ":authority to send (and the name"
      + " TLS verifies).")
  String authority;

  @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "A header to"
      + " send; repeatable. Names ending in -bin take base64 values.")
  List<String> headers = new ArrayList<>();

  @Option(names = {"--connect-timeout", "-connect-timeout"}, paramLabel = "SECONDS",
      description = "How long connecting and reading the contract through reflection may take"
          + " (default: ${DEFAULT-VALUE}).")
  double connectTimeoutSeconds = 10;

  @Option(names = {"--max-msg-sz", "-max-msg-sz"}, paramLabel = "BYTES", description = "Largest"
      + " response accepted"
      + " (default: ${DEFAULT-VALUE}).")
  int maxMessageSize = 4 * 1024 * 1024;

  Connection connection(String address) {
    // Named by flag here: the builder would name its own setters.
    if (!(connectTimeoutSeconds > 0)) {
      throw new CliException(CliException.USAGE,
          "--connect-timeout " + connectTimeoutSeconds + ": must be more than 0 seconds");
    }
    if (maxMessageSize <= 0) {
      throw new CliException(CliException.USAGE,
          "--max-msg-sz " + maxMessageSize + ": must be 1 or more bytes");
    }
    try {
      Connection.Builder builder = Connection.builder(address)
          .plaintext(plaintext)
          .insecure(insecure)
          .caCert(caCert)
          .authority(authority)
          .connectTimeout(seconds(connectTimeoutSeconds))
          .maxInboundMessageSize(maxMessageSize);
      if (cert != null || key != null) {
        builder.clientCertificate(cert, key);
        if (cert != null && key != null) {
          checkClientKeyPair();
        }
      }
      for (String header : headers) {
        int colon = header.indexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException(
              "header '" + header + "' (expected: 'name: value')");
        }
        String name = header.substring(0, colon).trim();
        String value = header.substring(colon + 1).trim();
        // grpc-java would warn and send it anyway; HTTP/2 forbids control characters in values.
        if (!name.endsWith("-bin") && value.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
          throw new IllegalArgumentException("-H '" + name + "': the value holds a character"
              + " that is not printable ASCII; send binary values in a header named *-bin,"
              + " base64-encoded");
        }
        builder.header(name, value);
      }
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, e.getMessage());
    }
  }

  /**
   * A key that does not belong to its certificate fails only in the handshake, where the server
   * sees a bad signature and the client a closed connection; say so before connecting.
   */
  private void checkClientKeyPair() {
    try {
      ServerKeyPair.read(cert, key);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.NOT_SENT, "--cert/--key: " + e.getMessage());
    }
  }

  static Duration seconds(double seconds) {
    return Duration.ofNanos((long) (seconds * 1e9));
  }

  /** How long connecting and reading the contract through reflection may take. */
  Duration connectTimeout() {
    return seconds(connectTimeoutSeconds);
  }

  /**
   * An exchange that ended before the server answered, worded with the likely fix: most such
   * failures are a TLS mismatch, a certificate problem or a server that is not there, and the raw
   * cause rarely says which flag helps.
   */
  CliException failure(Status status, String address, String what) {
    String detail = describe(status);
    if (status.getCode() == Status.Code.DEADLINE_EXCEEDED
        && !detail.contains("waiting_for_connection")) {
      return new CliException(CliException.NOT_SENT, address + " did not finish " + what
          + " within " + connectTimeoutSeconds + " s (--connect-timeout): " + detail
          + "; raise --connect-timeout for a slow server, or pass its contract with --protoset",
          status.getCode());
    }
    if (status.getCode() != Status.Code.UNAVAILABLE
        && status.getCode() != Status.Code.DEADLINE_EXCEEDED) {
      return new CliException(CliException.NOT_SENT,
          address + ": " + what + " failed: " + detail, status.getCode());
    }
    return new CliException(CliException.NOT_SENT,
        "cannot reach " + address + ": " + detail + "; " + advice(detail), status.getCode());
  }

  private String advice(String detail) {
    if (detail.contains("CERTIFICATE_REQUIRED")) {
      return cert == null
          ? "the server requires a client certificate: pass --cert and --key"
          : "the server did not take the client certificate " + cert + ": it must be signed by"
              + " the CA the server trusts for clients";
    }
    if (cert != null && (detail.contains("BAD_CERTIFICATE") || detail.contains("UNKNOWN_CA")
        || detail.contains("bad_certificate") || detail.contains("unknown_ca"))) {
      return "the server refused the client certificate " + cert + ": it must be signed by the"
          + " CA the server trusts for clients";
    }
    if (detail.contains("certification path") || detail.contains("subject alternative")
        || detail.contains("Certificate")) {
      return "the server's certificate was not accepted: trust its CA with --cacert FILE, name"
          + " it with --authority, or skip verification with --insecure";
    }
    if (plaintext && (detail.contains("not SETTINGS") || detail.contains("Network closed")
        || detail.contains("Connection reset"))) {
      return "the server did not speak plaintext HTTP/2; if it serves TLS, drop --plaintext (and"
          + " trust its certificate with --cacert FILE, or use --insecure)";
    }
    if (!plaintext && detail.contains("SSL")) {
      return "the TLS handshake failed; if the server has no TLS, add --plaintext";
    }
    return "check the address and that the server is running"
        + (plaintext ? "" : ", and add --plaintext for a server without TLS");
  }

  /** The status on one line: gRPC descriptions may span lines, causes may dump whole records. */
  static String describe(Status status) {
    String description = status.getDescription() == null ? ""
        : ": " + status.getDescription().lines().findFirst().orElse("");
    String cause = status.getCause() == null ? "" : " (" + abbreviate(rootMessage(
        status.getCause())) + ")";
    return status.getCode() + description + cause;
  }

  private static String abbreviate(String text) {
    String line = text.lines().findFirst().orElse("");
    return line.length() <= 80 ? line : line.substring(0, 77) + "...";
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
