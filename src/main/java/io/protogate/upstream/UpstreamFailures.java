package io.protogate.upstream;

import io.grpc.Status;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Says where a forwarded call failed. A status the upstream sent passes through as it is; a
 * failure to reach the upstream (grpc-java reports both as {@code UNAVAILABLE}, the local one with
 * the exception as its cause) is described naming the upstream and the service, since "io
 * exception" tells a caller of a gateway nothing.
 */
final class UpstreamFailures {
  private UpstreamFailures() {}

  static Status describe(Status status, boolean upstreamAnswered, Upstream upstream,
      String service) {
    if (upstreamAnswered || status.getCause() == null || status.isOk()) {
      return status;
    }
    return status.withDescription(
        "upstream " + upstream + " for " + service + " " + what(status));
  }

  private static String what(Status status) {
    Throwable cause = status.getCause();
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
        return String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("refused")
            ? "refused the connection" : "cannot be reached: " + t.getMessage();
      }
      if (t instanceof UnknownHostException) {
        return "cannot be resolved: " + t.getMessage();
      }
      if (t instanceof SSLException) {
        // The TLS engine's own message is generic; the innermost cause says what was wrong.
        Throwable root = t;
        while (root.getCause() != null) {
          root = root.getCause();
        }
        return "failed the TLS handshake: " + root.getMessage();
      }
    }
    return "cannot be reached: " + status.getDescription() + " (" + cause + ")";
  }
}
