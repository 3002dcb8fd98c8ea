package io.protogate.handler;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * An immutable table of handlers keyed by gRPC full method name ({@code package.Service/Method}).
 * Built in code with {@link #builder()}, from {@link HandlerProvider}s found on the class path
 * with {@link Builder#discover(ClassLoader)}, or both. Each handler may block (it runs on a
 * pool thread) unless registered as {@linkplain Builder#nonBlocking non-blocking}.
 */
public final class Handlers {
  private final Map<String, MethodHandler> byMethod;
  private final Set<String> nonBlocking;

  private Handlers(Map<String, MethodHandler> byMethod, Set<String> nonBlocking) {
    this.byMethod = Map.copyOf(byMethod);
    this.nonBlocking = Set.copyOf(nonBlocking);
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

  @Override
  public String toString() {
    return "Handlers" + byMethod.keySet();
  }

  /** Collects handlers; registering two for one method is an error, as it is always a mistake. */
  public static final class Builder {
    private final Map<String, MethodHandler> byMethod = new LinkedHashMap<>();
    private final Set<String> nonBlocking = new HashSet<>();

    private Builder() {}

    public Builder unary(String fullMethodName, UnaryHandler handler) {
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
        provider.register(this);
      }
      return this;
    }

    public Handlers build() {
      return new Handlers(byMethod, nonBlocking);
    }
  }
}
