package io.protogate.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine;

/**
 * Neither Docker nor a cluster runs here, so this reads {@code deploy/} and checks what must agree
 * for the recipe to work: the container's arguments are valid {@code serve} flags, and the ports,
 * probe paths, grace periods, mount path, labels and names they imply match across manifests.
 */
class DeployManifestsTest {
  private static final Path KUBERNETES = Path.of("deploy/kubernetes");

  private final Map<String, Map<String, Object>> byKind = new HashMap<>();

  DeployManifestsTest() throws IOException {
    Load yaml = new Load(LoadSettings.builder().build());
    try (Stream<Path> files = Files.list(KUBERNETES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object document : yaml.loadAllFromString(Files.readString(file))) {
          Map<String, Object> manifest = map(document);
          byKind.put((String) manifest.get("kind"), manifest);
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node) {
    assertTrue(node instanceof Map, "expected a mapping, got " + node);
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object node) {
    assertTrue(node instanceof List, "expected a sequence, got " + node);
    return (List<Object>) node;
  }

  /** The node at {@code path} (keys, or indexes into sequences) below {@code node}. */
  private static Object at(Object node, Object... path) {
    for (Object step : path) {
      node = step instanceof Integer index ? list(node).get(index) : map(node).get(step);
      assertNotNull(node, "no " + step + " in " + List.of(path));
    }
    return node;
  }

  private Map<String, Object> kind(String kind) {
    return map(byKind.get(kind));
  }

  private Map<String, Object> container() {
    return map(at(kind("Deployment"), "spec", "template", "spec", "containers", 0));
  }

  /** The container's arguments, parsed exactly as {@code protogate serve} parses them. */
  private ServeCommand serve() {
    List<Object> args = list(container().get("args"));
    assertEquals("serve", args.get(0));
    ServeCommand serve = new ServeCommand();
    List<String> flags = new ArrayList<>();
    args.subList(1, args.size()).forEach(arg -> flags.add((String) arg));
    new CommandLine(serve).parseArgs(flags.toArray(String[]::new));
    return serve;
  }

  private int containerPort(String name) {
    for (Object port : list(container().get("ports"))) {
      if (name.equals(map(port).get("name"))) {
        return (Integer) map(port).get("containerPort");
      }
    }
    throw new AssertionError("the container has no port named " + name);
  }

  @Test
  void everyResourceIsThere_andKustomizationListsEachFile() throws IOException {
    for (String kind : List.of("Deployment", "Service", "ConfigMap", "PodDisruptionBudget",
        "HorizontalPodAutoscaler", "Kustomization")) {
      assertTrue(byKind.containsKey(kind), "no " + kind + " in " + KUBERNETES);
    }
    List<Object> resources = list(kind("Kustomization").get("resources"));
    try (Stream<Path> files = Files.list(KUBERNETES)) {
      files.map(file -> file.getFileName().toString())
          .filter(name -> name.endsWith(".yaml") && !name.equals("kustomization.yaml"))
          .forEach(name -> assertTrue(resources.contains(name), name + " not in kustomization"));
    }
  }

  @Test
  void ports_flagsContainerPortsProbesServiceAndScrapeAnnotationsAgree() {
    ServeCommand serve = serve();
    assertEquals("0.0.0.0", serve.host, "--host: the pod must be reachable");
    assertEquals("0.0.0.0", serve.adminHost, "--admin-host: the kubelet probes it");
    assertEquals(serve.port, containerPort("grpc"));
    assertEquals(serve.adminPort, containerPort("admin"));

    Map<String, Object> container = container();
    assertEquals("/readyz", at(container, "readinessProbe", "httpGet", "path"));
    assertEquals("admin", at(container, "readinessProbe", "httpGet", "port"));
    assertEquals(serve.port, at(container, "livenessProbe", "grpc", "port"));
    assertEquals("/healthz", at(container, "startupProbe", "httpGet", "path"));
    assertEquals("admin", at(container, "startupProbe", "httpGet", "port"));

    Map<String, Object> annotations =
        map(at(kind("Deployment"), "spec", "template", "metadata", "annotations"));
    assertEquals(String.valueOf(serve.adminPort), annotations.get("prometheus.io/port"));
    assertEquals("/metrics", annotations.get("prometheus.io/path"));

    Map<String, String> targets = new HashMap<>();
    for (Object port : list(at(kind("Service"), "spec", "ports"))) {
      targets.put((String) map(port).get("name"), (String) map(port).get("targetPort"));
    }
    assertEquals(Map.of("grpc", "grpc", "admin", "admin"), targets);
  }

  @Test
  void gracePeriod_exceedsDrainDelayPlusShutdownGrace() {
    ServeCommand serve = serve();
    int grace = (Integer) at(kind("Deployment"), "spec", "template", "spec",
        "terminationGracePeriodSeconds");
    assertTrue(serve.drainDelaySeconds > 0, "--drain-delay: endpoints need time to drop the pod");
    assertTrue(grace > serve.drainDelaySeconds + serve.shutdownGraceSeconds,
        "terminationGracePeriodSeconds " + grace + " <= --drain-delay "
            + serve.drainDelaySeconds + " + --shutdown-grace " + serve.shutdownGraceSeconds);
  }

  @Test
  void contract_mountedWhole_whereDescriptorsPoints_andHoldsTheBundledSets() throws IOException {
    ServeCommand serve = serve();
    assertEquals(1, serve.descriptors.size());
    assertFalse(serve.noWatch, "replicas must watch the mount to follow ConfigMap updates");
    Map<String, Object> mount = map(at(container(), "volumeMounts", 0));
    assertEquals(serve.descriptors.get(0).toString(), mount.get("mountPath"));
    assertFalse(mount.containsKey("subPath"), "subPath mounts never see ConfigMap updates");
    Map<String, Object> volume =
        map(at(kind("Deployment"), "spec", "template", "spec", "volumes", 0));
    assertEquals(mount.get("name"), volume.get("name"));
    assertEquals(at(kind("ConfigMap"), "metadata", "name"), at(volume, "configMap", "name"));

    Map<String, Object> sets = map(kind("ConfigMap").get("binaryData"));
    for (String set : List.of("hello.desc", "demo.desc")) {
      assertArrayEquals(Files.readAllBytes(Path.of("descriptors", set)),
          Base64.getDecoder().decode((String) sets.get(set)), set + " differs from descriptors/");
    }
  }

  @Test
  void selectorsAndTargets_pointAtTheDeploymentsPods() {
    Object labels = at(kind("Deployment"), "spec", "template", "metadata", "labels");
    assertEquals(labels, at(kind("Deployment"), "spec", "selector", "matchLabels"));
    assertEquals(labels, at(kind("Service"), "spec", "selector"));
    assertEquals(labels, at(kind("PodDisruptionBudget"), "spec", "selector", "matchLabels"));
    Map<String, Object> hpa = kind("HorizontalPodAutoscaler");
    assertEquals("Deployment", at(hpa, "spec", "scaleTargetRef", "kind"));
    assertEquals(at(kind("Deployment"), "metadata", "name"),
        at(hpa, "spec", "scaleTargetRef", "name"));
    int replicas = (Integer) at(kind("Deployment"), "spec", "replicas");
    assertTrue((Integer) at(hpa, "spec", "minReplicas") >= 2, "one replica is no balancing");
    assertTrue((Integer) at(hpa, "spec", "minReplicas") <= replicas);
    assertEquals(1, at(kind("PodDisruptionBudget"), "spec", "maxUnavailable"));
    assertNotNull(at(container(), "resources", "requests", "cpu"), "the HPA needs a CPU request");
  }

  @Test
  void dockerfile_buildsWithTheWrapper_runsTheShadedJarOnAJre_exposesThePorts()
      throws IOException {
    String dockerfile = Files.readString(Path.of("deploy/Dockerfile"));
    assertTrue(dockerfile.contains("RUN ./mvnw -B -q package"), dockerfile);
    List<String> stages = dockerfile.lines().filter(line -> line.startsWith("FROM ")).toList();
    assertEquals(2, stages.size(), "multi-stage: build, then run");
    assertTrue(stages.get(1).contains("-jre"), stages.get(1));
    assertTrue(dockerfile.contains("/src/target/protogate.jar /opt/protogate/protogate.jar"));
    assertTrue(dockerfile.contains("\"-jar\", \"/opt/protogate/protogate.jar\""));
    ServeCommand serve = serve();
    assertTrue(dockerfile.contains("EXPOSE " + serve.port + " " + serve.adminPort), dockerfile);
    assertEquals("10001", String.valueOf(at(kind("Deployment"), "spec", "template", "spec",
        "securityContext", "runAsUser")));
    assertTrue(dockerfile.contains("--uid 10001"), "the image's user is the pod's runAsUser");
  }
}
