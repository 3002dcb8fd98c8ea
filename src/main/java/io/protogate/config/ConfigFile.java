package io.protogate.config;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import io.protogate.upstream.Route;
import io.protogate.upstream.Routes;
import io.protogate.upstream.Upstream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * A {@code serve --config} file, read: YAML (JSON is YAML too) checked key by key against {@link
 * ServeConfig}, then read into it with protobuf's {@code JsonFormat}. Every mistake is refused
 * with the file, the line, the key and what to write instead. Paths in the file are relative to
 * its directory. Immutable.
 */
public final class ConfigFile {
  private final Path file;
  private final ServeConfig config;
  private final Map<String, Integer> lines;
  private final Routes routes;

  private ConfigFile(Path file, ServeConfig config, Map<String, Integer> lines)
      throws ConfigException {
    this.file = file;
    this.config = config;
    this.lines = Map.copyOf(lines);
    this.routes = readRoutes();
  }

  /** Reads and checks {@code file}. */
  public static ConfigFile load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read the configuration file: " + e, e);
    }
    Node root;
    try {
      root = new Compose(LoadSettings.builder().setLabel(file.toString()).build())
          .composeString(text).orElse(null);
    } catch (MarkedYamlEngineException e) {
      throw new ConfigException(file + ":" + e.getProblemMark().map(m -> m.getLine() + 1)
          .map(String::valueOf).orElse("?") + ": not valid YAML or JSON: " + e.getProblem(), e);
    } catch (YamlEngineException e) {
      throw new ConfigException(file + ": not valid YAML or JSON: " + e.getMessage(), e);
    }
    YamlReader reader = new YamlReader(file.toString());
    ServeConfig.Builder config = ServeConfig.newBuilder();
    if (root != null) {
      String json = reader.message(root, ServeConfig.getDescriptor(), "").toString();
      try {
        JsonFormat.parser().merge(json, config);
      } catch (InvalidProtocolBufferException e) {
        throw new ConfigException(file + ": " + e.getMessage(), e);
      }
    }
    return new ConfigFile(file, config.build(), reader.lines());
  }

  public Path file() {
    return file;
  }

  /** The settings as written. */
  public ServeConfig config() {
    return config;
  }

  /** The routes of the {@code upstreams} key. */
  public Routes routes() {
    return routes;
  }

  /** The {@code descriptors} paths, resolved against the file's directory. */
  public List<Path> descriptors() {
    return config.getDescriptorsList().stream().map(this::resolve).toList();
  }

  /** {@code path} as written in the file, resolved against the file's directory. */
  public Path resolve(String path) {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? Path.of(path) : parent.resolve(path);
  }

  private File fileOrNull(String path) {
    return path.isEmpty() ? null : resolve(path).toFile();
  }

  private Routes readRoutes() throws ConfigException {
    List<Route> routes = new ArrayList<>();
    for (int i = 0; i < config.getUpstreamsCount(); i++) {
      UpstreamConfig u = config.getUpstreams(i);
      String key = "upstreams[" + i + "]";
      try {
        if (u.getMatch().isEmpty() || u.getTarget().isEmpty()) {
          throw new IllegalArgumentException("needs both match (a service name, pkg.* or *) and"
              + " target (host:port)");
        }
        Duration deadline = u.hasDeadline()
            ? Duration.ofNanos(Durations.toNanos(u.getDeadline())) : null;
        routes.add(new Route(u.getMatch(), new Upstream(u.getTarget(), u.getTls(),
            fileOrNull(u.getCa()), fileOrNull(u.getCert()), fileOrNull(u.getKey()),
            u.getAuthority().isEmpty() ? null : u.getAuthority(), deadline,
            u.hasMaxMsgSz() ? u.getMaxMsgSz() : Upstream.DEFAULT_MAX_MESSAGE_SIZE)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(where(key) + e.getMessage());
      }
    }
    try {
      return Routes.of(routes);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(where("upstreams") + e.getMessage());
    }
  }

  /** {@code FILE:LINE: key: } for a key path read from the file. */
  public String where(String key) {
    Integer line = lines.get(key);
    return file + ":" + (line == null ? " " : line + ": ") + key + ": ";
  }
}
