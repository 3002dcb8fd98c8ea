package io.protogate.handler;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An immutable table of handlers keyed by gRPC full method name ({@code package.Service/Method}).
 * Built in code with {@link #builder()}, from {@link HandlerProvider}s found on the class path
 * with {@link Builder#discover(ClassLoader)}, or both. Each handler may block (it runs on a
 * pool thread) unless registered as {@linkplain Builder#nonBlocking non-blocking}. {@link #close()}
 * releases what the providers and handlers hold, once the server that used them has stopped.
 */
public final class Handlers implements AutoCloseable {
  private static final Logger logger = Logger.getLogger(Handlers.class.getName());

  private final Map<String, MethodHandler> byMethod;
  private final Set<String> nonBlocking;
  private final List<AutoCloseable> resources;

  private Handlers(
      Map<String, MethodHandler> byMethod, Set<String> nonBlocking, List<AutoCloseable> resources) {
    this.byMethod = Map.copyOf(byMethod);
    this.nonBlocking = Set.copyOf(nonBlocking);
    this.resources = List.copyOf(resources);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The handlers of every {@link HandlerProvider} visible to {@code loader}. */
  public static Handlers discovered(ClassLoader loader) {
    return builder().discover(loader).build();
  }

  public Optional<MethodHandler> find(String fullMethodName) {
    return Optional.ofNullable(byMethod.get(fullMethodName));
  }

  public Set<String> methods() {
    return byMethod.keySet();
  }

  /** True if the method's handler was registered as never blocking. */
  public boolean isNonBlocking(String fullMethodName) {
    return nonBlocking.contains(fullMethodName);
  }

  /** True if every handler was registered as never blocking. */
  public boolean allNonBlocking() {
    return nonBlocking.containsAll(byMethod.keySet());
  }

  /**
   * Closes every provider that registered handlers here and every handler that is {@link
   * AutoCloseable}, each once; a failure is logged and the others are still closed.
   */
  @Override
  public void close() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        logger.log(Level.WARNING, "closing " + resource.getClass().getName() + " failed", e);
      }
    }
  }

  @Override
  public String toString() {
    return "Handlers" + byMethod.keySet();
  }

  /** Collects handlers; registering two for one method is an error, as it is always a mistake. */
  public static final class Builder {
    private final Map<String, MethodHandler> byMethod = new LinkedHashMap<>();
    private final Set<String> nonBlocking = new HashSet<>();
    private final List<HandlerProvider> providers = new ArrayList<>();

    private Builder() {}

    public Builder unary(String fullMethodName, UnaryHandler handler) {
      return add(fullMethodName, handler);
    }

    /** A unary handler that answers through a {@link java.util.concurrent.CompletionStage}. */
    public Builder unaryAsync(String fullMethodName, AsyncUnaryHandler handler) {
      return add(fullMethodName, handler);
    }

    public Builder serverStreaming(String fullMethodName, ServerStreamingHandler handler) {
      return add(fullMethodName, handler);
    }

    public Builder clientStreaming(String fullMethodName, ClientStreamingHandler handler) {
      return add(fullMethodName, handler);
    }

    public Builder bidiStreaming(String fullMethodName, BidiStreamingHandler handler) {
      return add(fullMethodName, handler);
    }

    public Builder add(String fullMethodName, MethodHandler handler) {
      requireNonNull(handler, "handler");
      int slash = fullMethodName.indexOf('/');
      if (slash <= 0 || slash != fullMethodName.lastIndexOf('/')
          || slash == fullMethodName.length() - 1) {
        throw new IllegalArgumentException(
            "fullMethodName: '" + fullMethodName + "' (expected: package.Service/Method)");
      }
      MethodHandler previous = byMethod.putIfAbsent(fullMethodName, handler);
      if (previous != null) {
        throw new IllegalArgumentException(
            "two handlers for "
                + fullMethodName
                + ": "
                + previous.getClass().getName()
                + " and "
                + handler.getClass().getName()
                + "; remove one of them from the class path or the code");
      }
      return this;
    }

    /**
     * Declares that the handlers of these methods, already added, never block: no I/O, locks or
     * sleeps, and little CPU per message. The server then runs them on the transport's event loop
     * instead of handing each call to a pool thread: for small calls that hand-off costs more
     * than everything else together (docs/BENCHMARKS.md). A handler that does block there stalls
     * every call on its connection, so leave a handler out when in doubt.
     */
    public Builder nonBlocking(String... fullMethodNames) {
      for (String name : fullMethodNames) {
        if (!byMethod.containsKey(name)) {
          throw new IllegalArgumentException(
              "nonBlocking: no handler for " + name + " yet; add the handler first");
        }
        nonBlocking.add(name);
      }
      return this;
    }

    /** Adds every handler of every {@link HandlerProvider} visible to {@code loader}. */
    public Builder discover(ClassLoader loader) {
      for (HandlerProvider provider : ServiceLoader.load(HandlerProvider.class, loader)) {
        provider(provider);
      }
      return this;
    }

    /** Adds the handlers of {@code provider}, which is closed with the built {@link Handlers}. */
    public Builder provider(HandlerProvider provider) {
      provider.register(this);
      providers.add(provider);
      return this;
    }

    public Handlers build() {
      Set<AutoCloseable> resources = Collections.newSetFromMap(new IdentityHashMap<>());
      resources.addAll(providers);
      for (MethodHandler handler : byMethod.values()) {
        if (handler instanceof AutoCloseable closeable) {
          resources.add(closeable);
        }
      }
      return new Handlers(byMethod, nonBlocking, new ArrayList<>(resources));
    }
  }
}
