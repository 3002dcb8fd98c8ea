package io.protogate.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.protogate.handler.Handlers;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses where each call runs. The server's own executor is the transport's event loop, so a
 * call to a handler registered as non-blocking runs where its bytes arrive, without the thread
 * hand-off that dominates the cost of a small call; so do reflection and health, which only read
 * memory. Calls to handlers that may block move to a pool of daemon threads owned by the server.
 */
final class HandlerExecution implements ServerCallExecutorSupplier, AutoCloseable {
  private final Handlers handlers;
  private final ExecutorService pool = Executors.newCachedThreadPool(new PoolThreads());

  HandlerExecution(Handlers handlers) {
    this.handlers = handlers;
  }

  /**
   * Runs calls on the event loop and, if some handler may block, moves its calls to the pool.
   * With no such handler the chooser is left out: grpc-java then delivers each call's events
   * straight to it, where a chooser costs every call a serializing queue (about 1 us of CPU,
   * docs/BENCHMARKS.md).
   */
  void configure(NettyServerBuilder server) {
    server.directExecutor();
    if (!handlers.allNonBlocking()) {
      server.callExecutor(this);
    }
  }

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
    String method = call.getMethodDescriptor().getFullMethodName();
    return handlers.find(method).isEmpty() || handlers.isNonBlocking(method) ? null : pool;
  }

  /** Stops the pool's idle threads; call once the server has terminated. */
  @Override
  public void close() {
    pool.shutdown();
  }

  private static final class PoolThreads implements ThreadFactory {
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
      Thread thread = new Thread(task, "protogate-handler-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }
  }
}
