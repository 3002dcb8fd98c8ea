package io.protogate.http;

import io.grpc.Deadline;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deadlines HTTP callers send, in each protocol's own spelling: gRPC's {@code grpc-timeout}
 * ({@code 1500m}), Connect's {@code Connect-Timeout-Ms}, and {@code X-Request-Timeout} in seconds
 * for plain HTTP clients. A malformed value is refused with a
 * message that shows the right form.
 */
public final class Timeouts {
  private static final Pattern GRPC_TIMEOUT = Pattern.compile("(\\d{1,8})([HMSmun])");
  private static final Pattern MILLIS = Pattern.compile("\\d{1,10}");
  private static final Pattern SECONDS = Pattern.compile("\\d{1,9}(\\.\\d{1,9})?");

  private Timeouts() {}

  /** The deadline {@code value} (a {@code grpc-timeout}) sets from now, or null if absent. */
  public static Deadline grpcTimeout(String value) {
    if (value == null) {
      return null;
    }
    Matcher m = GRPC_TIMEOUT.matcher(value.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("grpc-timeout '" + value + "' is not a timeout; write up"
          + " to 8 digits and a unit, H M S m u or n, like 1500m");
    }
    TimeUnit unit = switch (m.group(2)) {
      case "H" -> TimeUnit.HOURS;
      case "M" -> TimeUnit.MINUTES;
      case "S" -> TimeUnit.SECONDS;
      case "m" -> TimeUnit.MILLISECONDS;
      case "u" -> TimeUnit.MICROSECONDS;
      default -> TimeUnit.NANOSECONDS;
    };
    return Deadline.after(Long.parseLong(m.group(1)), unit);
  }

  /** The deadline {@code value} (a {@code Connect-Timeout-Ms}) sets from now, or null if absent. */
  public static Deadline connectTimeout(String value) {
    if (value == null) {
      return null;
    }
    if (!MILLIS.matcher(value.trim()).matches()) {
      throw new IllegalArgumentException("Connect-Timeout-Ms '" + value + "' is not a whole number"
          + " of milliseconds (at most 10 digits)");
    }
    return Deadline.after(Long.parseLong(value.trim()), TimeUnit.MILLISECONDS);
  }

  /** The deadline {@code value} (an {@code X-Request-Timeout}, seconds) sets, or null if absent. */
  public static Deadline requestTimeout(String value) {
    if (value == null) {
      return null;
    }
    if (!SECONDS.matcher(value.trim()).matches()) {
      throw new IllegalArgumentException("X-Request-Timeout '" + value + "' is not a number of"
          + " seconds, like 2 or 0.5");
    }
    return Deadline.after((long) (Double.parseDouble(value.trim()) * 1e9), TimeUnit.NANOSECONDS);
  }
}
