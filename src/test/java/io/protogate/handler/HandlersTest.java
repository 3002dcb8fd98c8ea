package io.protogate.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HandlersTest {
  /** A plug-in as a third party would ship it: only a class and a service file. */
  public static final class PluginProvider implements HandlerProvider {
    @Override
    public void register(Handlers.Builder handlers) {
      handlers.unary("plugin.Service/Call", (request, call) -> request);
    }
  }

  @Test
  void discover_findsProvidersListedInAJarsServiceFile(@TempDir Path jarRoot) throws Exception {
    Path services = Files.createDirectories(jarRoot.resolve("META-INF/services"));
    Files.writeString(services.resolve(HandlerProvider.class.getName()),
        PluginProvider.class.getName() + "\n");
    try (URLClassLoader loader = new URLClassLoader(
        new URL[] {jarRoot.toUri().toURL()}, getClass().getClassLoader())) {
      Handlers handlers = Handlers.discovered(loader);

      assertEquals(Set.of("plugin.Service/Call"), handlers.methods(), handlers.toString());
    }
  }

  @Test
  void builder_twoHandlersForOneMethod_refusedNamingTheMethod() {
    Handlers.Builder builder = Handlers.builder().unary("a.B/c", (request, call) -> request);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> builder.unary("a.B/c", (request, call) -> request));

    assertTrue(e.getMessage().contains("two handlers for a.B/c"), e.getMessage());
  }

  @Test
  void builder_malformedMethodName_refused() {
    for (String name : new String[] {"a.B.c", "/c", "a.B/", "a/B/c"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Handlers.builder().unary(name, (request, call) -> request), name);

      assertTrue(e.getMessage().contains("expected: package.Service/Method"), e.getMessage());
    }
  }

  @Test
  void find_returnsTheRegisteredHandler() {
    UnaryHandler handler = (request, call) -> request;

    assertEquals(handler, Handlers.builder().unary("a.B/c", handler).build().find("a.B/c")
        .orElseThrow());
  }

  @Test
  void nonBlocking_marksOnlyTheNamedMethods() {
    UnaryHandler handler = (request, call) -> request;

    Handlers handlers =
        Handlers.builder().unary("a.B/c", handler).unary("a.B/d", handler).nonBlocking("a.B/c")
            .build();

    assertTrue(handlers.isNonBlocking("a.B/c"));
    assertFalse(handlers.isNonBlocking("a.B/d"));
    assertFalse(handlers.allNonBlocking());
    assertTrue(Handlers.builder().unary("a.B/c", handler).nonBlocking("a.B/c").build()
        .allNonBlocking());
  }

  @Test
  void nonBlocking_methodWithoutAHandler_refusedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Handlers.builder().nonBlocking("a.B/missing"));

    assertTrue(e.getMessage().contains("a.B/missing"), e.getMessage());
  }
}
