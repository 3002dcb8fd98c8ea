package io.protogate.descriptor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The descriptor sets shipped inside Protogate's jar (compiled by the build from {@code
 * descriptors/*.proto}), so that {@code serve} with no {@code --descriptors} works from any
 * directory.
 */
public final class BundledDescriptors {
  static final String RESOURCE_DIR = "protogate/descriptors/";
  static final List<String> NAMES = List.of("hello.desc", "demo.desc");

  private BundledDescriptors() {}

  /** One source per bundled set, named {@code bundled:NAME}. */
  public static List<DescriptorSource> sources() {
    ClassLoader loader = BundledDescriptors.class.getClassLoader();
    List<DescriptorSource> sources = new ArrayList<>();
    for (String name : NAMES) {
      try (InputStream in = loader.getResourceAsStream(RESOURCE_DIR + name)) {
        if (in == null) {
          throw new IllegalStateException("bundled descriptor set " + name + " missing from jar");
        }
        sources.add(new DescriptorSource("bundled:" + name, in.readAllBytes()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return sources;
  }
}
