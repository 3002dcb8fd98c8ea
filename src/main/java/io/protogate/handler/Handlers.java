package io.protogate.handler;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * An immutable table of handlers keyed by gRPC full method name ({@code package.Service/Method}).
 * Built in code with {@link #builder()}, from {@link HandlerProvider}s found on the class path
 * with {@link Builder#discover(ClassLoader)}, or both.
 */
public final class Handlers {
  private final Map<String, MethodHandler> byMethod;

  private Handlers(Map<String, MethodHandler> byMethod) {
    this.byMethod = Map.copyOf(byMethod);
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

  @Override
  public String toString() {
    return "Handlers" + byMethod.keySet();
  }

  /** Collects handlers; registering two for one method is an error, as it is always a mistake. */
  public static final class Builder {
    private final Map<String, MethodHandler> byMethod = new LinkedHashMap<>();

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

    /** Adds every handler of every {@link HandlerProvider} visible to {@code loader}. */
    public Builder discover(ClassLoader loader) {
      for (HandlerProvider provider : ServiceLoader.load(HandlerProvider.class, loader)) {
        provider.register(this);
      }
      return this;
    }

    public Handlers build() {
      return new Handlers(byMethod);
    }
  }
}
