package io.protogate.upstream;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Durations;
import java.io.File;
import java.text.ParseException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Which services go to which {@link Upstream}: a pattern that is a full service name ({@code
 * shop.v1.Shop}), a package wildcard ({@code shop.v1.*}, every service of that package and the
 * packages under it) or {@code *} (every service). A more specific pattern wins: a full name over
 * a wildcard, a longer package over a shorter one, any package over {@code *}.
 */
public record Route(String pattern, Upstream upstream) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public Route {
    requireNonNull(pattern, "pattern");
    requireNonNull(upstream, "upstream");
    checkPattern(pattern);
  }

  private static void checkPattern(String pattern) {
    String names = pattern.equals("*") ? ""
        : pattern.endsWith(".*") ? pattern.substring(0, pattern.length() - 2) : pattern;
    if (pattern.equals("*")) {
      return;
    }
    for (String part : names.split("\\.", -1)) {
      if (!NAME.matcher(part).matches()) {
        throw new IllegalArgumentException("'" + pattern + "' is not a service pattern: write a"
            + " full service name (shop.v1.Shop), a package wildcard (shop.v1.*) or *");
      }
    }
  }

  /** Whether this route covers the service named {@code serviceFullName}. */
  public boolean matches(String serviceFullName) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.endsWith(".*")) {
      return serviceFullName.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    return pattern.equals(serviceFullName);
  }

  /** Higher is more specific: an exact name beats any wildcard, a longer package a shorter one. */
  int specificity() {
    if (pattern.equals("*")) {
      return 0;
    }
    return pattern.endsWith(".*") ? pattern.length() : Integer.MAX_VALUE;
  }

  /**
   * Reads the {@code serve --upstream} form: {@code PATTERN=TARGET[;OPTION...]}, options being
   * {@code tls}, {@code ca=FILE}, {@code cert=FILE}, {@code key=FILE}, {@code authority=NAME},
   * {@code deadline=DURATION} ({@code 5s}, {@code 0.5s}) and {@code
   * max-msg-sz=BYTES}. Throws {@link IllegalArgumentException} naming the part that is wrong.
   */
  public static Route parse(String text) {
    int equals = text.indexOf('=');
    if (equals <= 0) {
      throw new IllegalArgumentException("'" + text + "' is not PATTERN=TARGET, e.g."
          + " GrpcService=127.0.0.1:50061 or 'shop.v1.*=dns:///shop:50051;deadline=5s'");
    }
    String pattern = text.substring(0, equals).trim();
    String[] parts = text.substring(equals + 1).split(";");
    String target = parts[0].trim();
    boolean tls = false;
    File ca = null;
    File cert = null;
    File key = null;
    String authority = null;
    Duration deadline = null;
    int maxMessageSize = Upstream.DEFAULT_MAX_MESSAGE_SIZE;
    for (int i = 1; i < parts.length; i++) {
      String option = parts[i].trim();
      int eq = option.indexOf('=');
      String name = eq < 0 ? option : option.substring(0, eq);
      String value = eq < 0 ? null : option.substring(eq + 1);
      if (name.equals("tls") && value == null) {
        tls = true;
        continue;
      }
      if (value == null || value.isEmpty()) {
        throw new IllegalArgumentException("upstream option '" + option + "' in '" + text
            + "' needs a value (" + name + "=...); options: tls, ca=FILE, cert=FILE, key=FILE,"
            + " authority=NAME, deadline=DURATION, max-msg-sz=BYTES");
      }
      switch (name) {
        case "ca" -> ca = new File(value);
        case "cert" -> cert = new File(value);
        case "key" -> key = new File(value);
        case "authority" -> authority = value;
        case "deadline" -> deadline = parseDuration(value);
        case "max-msg-sz" -> maxMessageSize = parseSize(value);
        default -> throw new IllegalArgumentException("unknown upstream option '" + name + "' in '"
            + text + "'; options: tls, ca=FILE, cert=FILE, key=FILE, authority=NAME,"
            + " deadline=DURATION, max-msg-sz=BYTES");
      }
    }
    return new Route(pattern,
        new Upstream(target, tls, ca, cert, key, authority, deadline, maxMessageSize));
  }

  /** A protobuf JSON duration, as in the configuration file: {@code 5s}, {@code 0.25s}. */
  static Duration parseDuration(String value) {
    try {
      com.google.protobuf.Duration parsed = Durations.parse(value.trim());
      return Duration.ofSeconds(parsed.getSeconds(), parsed.getNanos());
    } catch (ParseException e) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a duration; write seconds with an s: 5s, 0.25s", e);
    }
  }

  private static int parseSize(String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("max-msg-sz '" + value + "' is not a number of bytes", e);
    }
  }

  @Override
  public String toString() {
    return pattern + "=" + upstream;
  }
}
