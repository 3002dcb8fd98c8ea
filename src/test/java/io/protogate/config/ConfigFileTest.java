package io.protogate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.protogate.upstream.Route;
import io.protogate.upstream.Upstream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code serve --config} files: every key, and every kind of mistake, with its line. */
class ConfigFileTest {
  @TempDir Path dir;

  private ConfigFile load(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return ConfigFile.load(file);
  }

  private String refused(String text) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, text);
    return assertThrows(ConfigException.class, () -> ConfigFile.load(file)).getMessage();
  }

  @Test
  void everyKey_isRead_pathsRelativeToTheFile() throws Exception {
    ConfigFile file = load("protogate.yaml", """
        descriptors: [contracts/, extra.desc]
        host: 0.0.0.0
        port: 6000
        shutdown_grace: 2.5s
        max_msg_sz: 1048576
        watch: false
        reject_breaking: true
        tls:
          cert: server.pem
          key: server.key
          client_ca: ca.pem
        upstreams:
          - match: GrpcService
            target: 127.0.0.1:50061
          - match: shop.v1.*
            target: a:1,b:2
            tls: true
            ca: upstream-ca.pem
            cert: client.pem
            key: client.key
            authority: shop.internal
            deadline: 0.5s
            max_msg_sz: 1000
        """);
    ServeConfig c = file.config();

    assertEquals(List.of(dir.resolve("contracts/"), dir.resolve("extra.desc")),
        file.descriptors());
    assertEquals("0.0.0.0", c.getHost());
    assertEquals(6000, c.getPort());
    assertEquals(2, c.getShutdownGrace().getSeconds());
    assertEquals(500_000_000, c.getShutdownGrace().getNanos());
    assertEquals(1048576, c.getMaxMsgSz());
    assertFalse(c.getWatch());
    assertTrue(c.getRejectBreaking());
    assertEquals(dir.resolve("server.pem"), file.resolve(c.getTls().getCert()));
    assertEquals("server.key", c.getTls().getKey());
    assertEquals("ca.pem", c.getTls().getClientCa());
    List<Route> routes = file.routes().list();
    assertEquals(new Route("GrpcService", Upstream.plaintext("127.0.0.1:50061")), routes.get(0));
    assertEquals(new Route("shop.v1.*", new Upstream("a:1,b:2", true,
        dir.resolve("upstream-ca.pem").toFile(), dir.resolve("client.pem").toFile(),
        dir.resolve("client.key").toFile(), "shop.internal", Duration.ofMillis(500), 1000)),
        routes.get(1));
  }

  @Test
  void json_isAccepted_withProtoOrJsonNames() throws Exception {
    ConfigFile file = load("protogate.json", """
        {"port": 7000, "maxMsgSz": 10, "upstreams": [{"match": "*", "target": "h:1"}]}
        """);

    assertEquals(7000, file.config().getPort());
    assertEquals(10, file.config().getMaxMsgSz());
    assertEquals("*", file.routes().list().get(0).pattern());
  }

  @Test
  void emptyFile_meansEveryDefault() throws Exception {
    ConfigFile file = load("empty.yaml", "# nothing set\n");

    assertFalse(file.config().hasPort());
    assertTrue(file.routes().isEmpty());
    assertEquals("", file.config().getHost());
  }

  @Test
  void unknownKey_isRefusedAtItsLine_withTheNearestKey() throws Exception {
    String message = refused("host: 127.0.0.1\nprot: 6000\n");

    assertEquals(dir.resolve("bad.yaml") + ":2: prot: unknown key; did you mean 'port'? Valid"
        + " keys: descriptors, host, port, shutdown_grace, max_msg_sz, watch, reject_breaking,"
        + " tls, upstreams, breaking, reload_settle, reload_max_delay, http, stubs, mock_all,"
        + " admin, access_log, drain_delay, limits, record, record_headers", message);
  }

  @Test
  void unknownNestedKey_namesItsPath() throws Exception {
    String message = refused("upstreams:\n  - match: '*'\n    target: h:1\n    dedline: 5s\n");

    assertTrue(message.startsWith(dir.resolve("bad.yaml") + ":4: upstreams[0].dedline: unknown"
        + " key; did you mean 'deadline'? Valid keys in upstreams[0]: match, target,"), message);
    assertTrue(refused("http:\n  port: 1\nlimits:\n  keepalive: 5s\n").startsWith(
        dir.resolve("bad.yaml") + ":4: limits.keepalive: unknown key; did you mean"
            + " 'keepalive_time'?"));
  }

  @Test
  void wrongTypes_areRefusedAtTheirLine() throws Exception {
    assertEquals(dir.resolve("bad.yaml") + ":2: port: expected a whole number, found 'lots'",
        refused("host: h\nport: lots\n"));
    assertTrue(refused("watch: maybe\n").endsWith(":1: watch: expected true or false, found"
        + " 'maybe'"));
    assertTrue(refused("descriptors: one.desc\n").contains(":1: descriptors: expected a list"));
    assertTrue(refused("tls: yes-please\n").contains(":1: tls: expected keys (cert, key,"
        + " client_ca), found 'yes-please'"));
    assertTrue(refused("shutdown_grace: 10\n").contains(":1: shutdown_grace: '10' is not a"
        + " duration; write seconds with an s: 5s, 0.5s"));
    assertTrue(refused("port: -1\n").contains(":1: port: expected a number >= 0, found -1"));
    assertTrue(refused("port: 99999999999\n").contains(":1: port: expected a whole number"));
  }

  @Test
  void badUpstreams_areRefusedAtTheirEntry() throws Exception {
    assertTrue(refused("upstreams:\n  - target: h:1\n").contains(
        ":2: upstreams[0]: needs both match"), refused("upstreams:\n  - target: h:1\n"));
    assertTrue(refused("upstreams:\n  - match: 'shop..*'\n    target: h:1\n").contains(
        ":2: upstreams[0]: 'shop..*' is not a service pattern"));
    assertTrue(refused("upstreams:\n  - match: a\n    target: h:1\n    cert: c.pem\n").contains(
        ":2: upstreams[0]: upstream h:1: a client certificate and its key go together"));
    assertTrue(refused("upstreams:\n  - {match: a, target: 'h:1'}\n  - {match: a, target: 'h:2'}\n")
        .contains(": upstreams: two upstreams for a"));
  }

  @Test
  void duplicateKeys_andBrokenYaml_areRefused() throws Exception {
    assertTrue(refused("port: 1\nport: 2\n").contains(":2: port: given twice"));
    String broken = refused("upstreams:\n  - match: a\n   target: [\n");
    assertTrue(broken.startsWith(dir.resolve("bad.yaml") + ":"), broken);
    assertTrue(broken.contains("not valid YAML or JSON"), broken);
  }

  @Test
  void missingFile_isNamed() {
    Path missing = dir.resolve("nope.yaml");
    String message = assertThrows(ConfigException.class, () -> ConfigFile.load(missing))
        .getMessage();

    assertTrue(message.startsWith(missing + ": cannot read the configuration file"), message);
    assertFalse(new File(missing.toString()).exists());
  }
}
