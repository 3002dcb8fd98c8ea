package io.protogate.server;

import io.grpc.Metadata;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Chooses where each call runs. The server's own executor is the transport's event loop, so a
 * call to a handler registered as non-blocking runs where its bytes arrive, without the thread
 * hand-off that dominates the cost of a small call; so do reflection, health, stubs and upstream
 * routes, which never block. Calls to handlers that may block move to the blocking executor: one
 * given to the builder, or a pool of daemon threads owned by the server.
 */
final class HandlerExecution implements ServerCallExecutorSupplier, AutoCloseable {
  private final Dispatch dispatch;
  private final Executor blocking;
  private final ExecutorService ownPool;

  /** {@code blocking} is the executor for handlers that may block, or null for an own pool. */
  HandlerExecution(Dispatch dispatch, Executor blocking) {
    this.dispatch = dispatch;
    this.ownPool = blocking == null ? Executors.newCachedThreadPool(new PoolThreads()) : null;
    this.blocking = blocking == null ? ownPool : blocking;
  }

  /**
   * Runs calls on the event loop and, if some handler may block, moves its calls to the pool.
   * With no such handler the chooser is left out: grpc-java then delivers each call's events
   * straight to it, where a chooser costs every call a serializing queue (about 1 us of CPU,
   * docs/BENCHMARKS.md).
   */
  void configure(ServerBuilder<?> server) {
    server.directExecutor();
    if (dispatch.anyMayBlock()) {
      server.callExecutor(this);
    }
  }

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
    return dispatch.mayBlock(call.getMethodDescriptor().getFullMethodName()) ? blocking : null;
  }

  /** Stops the own pool's idle threads; call once the server has terminated. */
  @Override
  public void close() {
    if (ownPool != null) {
      ownPool.shutdown();
    }
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
