package io.protogate.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.protogate.handler.Handlers;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses where each call runs. The server's own executor is the transport's event loop, so a
 * call to a handler registered as non-blocking runs where its bytes arrive, without the thread
 * hand-off that dominates the cost of a small call. Every other call (handlers that may block,
 * reflection, health) is moved to a pool of daemon threads owned by the server.
 */
final class HandlerExecution implements ServerCallExecutorSupplier, AutoCloseable {
  private final Handlers handlers;
  private final ExecutorService pool = Executors.newCachedThreadPool(new PoolThreads());

  HandlerExecution(Handlers handlers) {
    this.handlers = handlers;
  }

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
    return handlers.isNonBlocking(call.getMethodDescriptor().getFullMethodName()) ? null : pool;
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
