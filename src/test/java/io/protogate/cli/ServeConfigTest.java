package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.protogate.config.ConfigFile;
import io.protogate.reload.Reloader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code serve --config}: every key of the file lands in the setting of its flag, a flag given
 * wins over its key, and a value out of range is refused naming the file, the line and the key.
 */
class ServeConfigTest {
  @TempDir Path dir;

  /** The serve command as parsed from {@code flags}, with {@code yaml} applied. */
  private ServeCommand applied(String yaml, String... flags) throws Exception {
    Path file = Files.writeString(dir.resolve("protogate.yaml"), yaml);
    CommandLine line = new CommandLine(new ServeCommand());
    line.parseArgs(flags);
    ServeCommand serve = line.getCommand();
    serve.applyConfig(ConfigFile.load(file));
    return serve;
  }

  private String refused(String yaml) {
    return assertThrows(CliException.class, () -> applied(yaml)).getMessage();
  }

  private static final String EVERY_NEW_KEY = """
      breaking: off
      reload_settle: 0.25s
      reload_max_delay: 3s
      http:
        port: 8080
        ignore_unknown: true
        emit_defaults: true
        proto_names: true
        headers: [authorization, x-tenant]
        cors_origins: ['https://.*\\.example\\.com']
      stubs: stubs/
      mock_all: true
      admin:
        port: 9090
        host: 0.0.0.0
      access_log: access.jsonl
      drain_delay: 5s
      limits:
        max_concurrent_calls_per_connection: 7
        max_pending_bytes: 1000000
        max_pending_bytes_per_connection: 200000
        max_resets: 50
        reset_window: 20s
        max_connection_idle: 60s
        max_connection_age: 3600s
        max_connection_age_grace: 15s
        keepalive_time: 600s
        keepalive_timeout: 10s
        permit_keepalive_time: 30s
        max_header_list_size: 8192
      """;

  @Test
  void everyKey_isApplied_pathsRelativeToTheFile() throws Exception {
    ServeCommand serve = applied(EVERY_NEW_KEY);

    assertEquals(Reloader.Breaking.OFF, serve.breaking);
    assertEquals(250, serve.reloadSettleMillis);
    assertEquals(3000, serve.reloadMaxDelayMillis);
    assertEquals(8080, serve.httpPort);
    assertTrue(serve.httpIgnoreUnknown);
    assertTrue(serve.httpEmitDefaults);
    assertTrue(serve.httpProtoNames);
    assertEquals(List.of("authorization", "x-tenant"), serve.httpHeaders);
    assertEquals(List.of("https://.*\\.example\\.com"), serve.corsOrigins);
    assertEquals(dir.resolve("stubs/"), serve.stubs);
    assertTrue(serve.mockAll);
    assertEquals(9090, serve.adminPort);
    assertEquals("0.0.0.0", serve.adminHost);
    assertEquals(dir.resolve("access.jsonl").toString(), serve.accessLog);
    assertEquals(5, serve.drainDelaySeconds);
    assertEquals(7, serve.maxConcurrentCallsPerConnection);
    assertEquals(1_000_000, serve.maxPendingBytes);
    assertEquals(200_000, serve.maxPendingBytesPerConnection);
    assertEquals(50, serve.maxResets);
    assertEquals(20, serve.resetWindowSeconds);
    assertEquals(60, serve.maxConnectionIdleSeconds);
    assertEquals(3600, serve.maxConnectionAgeSeconds);
    assertEquals(15, serve.maxConnectionAgeGraceSeconds);
    assertEquals(600, serve.keepAliveTimeSeconds);
    assertEquals(10, serve.keepAliveTimeoutSeconds);
    assertEquals(30, serve.permitKeepAliveTimeSeconds);
    assertEquals(8192, serve.maxHeaderListSize);
  }

  @Test
  void flagsGiven_winOverEveryKey() throws Exception {
    ServeCommand serve = applied(EVERY_NEW_KEY + "reject_breaking: true\n",
        "--breaking", "warn", "--reload-settle", "1", "--reload-max-delay", "2",
        "--http-port", "1", "--http-header", "a", "--cors-origin", "b", "--stubs", "s",
        "--admin-port", "2", "--admin-host", "::1", "--access-log", "-", "--drain-delay", "3",
        "--max-concurrent-calls-per-connection", "4", "--max-pending-bytes", "5",
        "--max-pending-bytes-per-connection", "6", "--max-resets", "7", "--reset-window", "8",
        "--max-connection-idle", "9", "--max-connection-age", "10",
        "--max-connection-age-grace", "11", "--keepalive-time", "12", "--keepalive-timeout",
        "13", "--permit-keepalive-time", "14", "--max-header-list-size", "15");

    assertEquals(Reloader.Breaking.WARN, serve.breaking);
    assertFalse(serve.rejectBreaking);
    assertEquals(List.of(1L, 2L), List.of(serve.reloadSettleMillis, serve.reloadMaxDelayMillis));
    assertEquals(1, serve.httpPort);
    assertEquals(List.of("a"), serve.httpHeaders);
    assertEquals(List.of("b"), serve.corsOrigins);
    assertEquals(Path.of("s"), serve.stubs);
    assertEquals(2, serve.adminPort);
    assertEquals("::1", serve.adminHost);
    assertEquals("-", serve.accessLog);
    assertEquals(List.of(3L, 5L, 6L, 8L, 9L, 10L, 11L, 12L, 13L, 14L),
        List.of(serve.drainDelaySeconds, serve.maxPendingBytes,
            serve.maxPendingBytesPerConnection, serve.resetWindowSeconds,
            serve.maxConnectionIdleSeconds, serve.maxConnectionAgeSeconds,
            serve.maxConnectionAgeGraceSeconds, serve.keepAliveTimeSeconds,
            serve.keepAliveTimeoutSeconds, serve.permitKeepAliveTimeSeconds));
    assertEquals(List.of(4, 7, 15), List.of(serve.maxConcurrentCallsPerConnection,
        serve.maxResets, serve.maxHeaderListSize));
  }

  @Test
  void rejectBreakingKey_stillWorks_andAccessLogDashIsStandardOutput() throws Exception {
    ServeCommand serve = applied("reject_breaking: true\naccess_log: '-'\n");

    assertTrue(serve.rejectBreaking);
    assertNull(serve.breaking);
    assertEquals("-", serve.accessLog);
  }

  @Test
  void valuesOutOfRange_areRefusedNamingFileLineAndKey() {
    String file = dir.resolve("protogate.yaml").toString();

    assertEquals(file + ":3: http.port: 70000 (expected: 0-65535)",
        refused("port: 0\nhttp:\n  port: 70000\n"));
    assertEquals(file + ":2: http.cors_origins[0]: not a regular expression: Unclosed group",
        refused("http:\n  cors_origins: ['(']\n"));
    assertEquals(file + ":2: admin.port: 65536 (expected: 0-65535)",
        refused("admin:\n  port: 65536\n"));
    assertEquals(file + ":3: limits.keepalive_time: 0.500s (expected: whole seconds, 0 or more,"
        + " such as 30s)", refused("limits:\n  max_resets: 10\n  keepalive_time: 0.5s\n"));
    assertEquals(file + ":2: limits.max_resets: 0 (expected: > 0)",
        refused("limits:\n  max_resets: 0\n"));
    assertEquals(file + ":1: breaking: 'sometimes' (expected: warn, reject or off)",
        refused("breaking: sometimes\n"));
    assertEquals(file + ":2: breaking: 'warn' contradicts reject_breaking: true; keep one of"
        + " them", refused("reject_breaking: true\nbreaking: warn\n"));
    assertEquals(file + ":1: reload_settle: 0.000500s (expected: whole milliseconds, 0 or more,"
        + " such as 0.3s)", refused("reload_settle: 0.0005s\n"));
  }
}
