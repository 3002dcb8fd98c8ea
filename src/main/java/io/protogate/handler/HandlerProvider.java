package io.protogate.handler;

/**
 * The plug-in point for handlers: implementations listed in {@code
 * META-INF/services/io.protogate.handler.HandlerProvider} of any jar on the class path are found
 * with {@link java.util.ServiceLoader} and asked to register their handlers, so a jar dropped next
 * to Protogate adds methods without recompiling it. Implementations need a public no-arg
 * constructor. A provider that holds resources (connections, pools) releases them in {@link
 * #close()}, which the server calls once when it stops.
 */
public interface HandlerProvider extends AutoCloseable {
  /** Adds this provider's handlers, keyed by full method name ({@code package.Service/Method}). */
  void register(Handlers.Builder handlers);

  /** Releases what the handlers hold; called once, after the server has stopped. */
  @Override
  default void close() throws Exception {}
}
