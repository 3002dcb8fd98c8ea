package io.protogate.server;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps a caller's mistakes out of the server log but for one short line. grpc-java logs a full
 * stack trace for every malformed frame, oversized message or unparsable request to reflection
 * or health: dozens of log bytes per byte received, a cheap way to flood a disk. On the loggers
 * that do so, such a record loses its stack trace and becomes one line, at most one per logger
 * every {@link #WINDOW}, counting the ones left out. A fault of the server or of a handler (any
 * other exception, and an {@link Error} such as running out of memory wherever it is reported)
 * keeps its stack trace.
 */
final class CallerMistakes implements Filter {
  static final Duration WINDOW = Duration.ofSeconds(10);
  private static final int EXCERPT = 160;

  /** grpc-java's loggers that report what callers sent; held here so that the filters stay. */
  private static final List<Logger> LOGGERS = List.of(
      Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerStream"),
      Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler"),
      Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport.connections"),
      Logger.getLogger("io.grpc.internal.SerializingExecutor"),
      Logger.getLogger("io.grpc.internal.SerializeReentrantCallsDirectExecutor"),
      Logger.getLogger("io.grpc.internal.ServerImpl"));

  private final boolean everyThrowable;
  private long windowStart = Long.MIN_VALUE;
  private int leftOut;

  private CallerMistakes(boolean everyThrowable) {
    this.everyThrowable = everyThrowable;
  }

  /** Installs the filter on grpc-java's loggers; idempotent. */
  static synchronized void quietGrpcLogs() {
    for (Logger logger : LOGGERS) {
      if (!(logger.getFilter() instanceof CallerMistakes)) {
        // The transport's loggers report only what peers sent; the executors' also handler bugs.
        logger.setFilter(new CallerMistakes(logger.getName().contains(".netty.")));
      }
    }
  }

  @Override
  public synchronized boolean isLoggable(LogRecord record) {
    Throwable thrown = record.getThrown();
    // An Error anywhere in the chain (out of memory, say) is the server's, whoever triggered it.
    if (thrown == null || causedBy(thrown, Error.class)
        || !(everyThrowable || causedBy(thrown, InvalidProtocolBufferException.class))) {
      return true;
    }
    long now = System.nanoTime();
    if (windowStart != Long.MIN_VALUE && now - windowStart < WINDOW.toNanos()) {
      leftOut++;
      return false;
    }
    String more = leftOut == 0 ? "" : " (and " + leftOut + " more like it in "
        + WINDOW.toSeconds() + " s, not logged)";
    windowStart = now;
    leftOut = 0;
    record.setThrown(null);
    record.setLevel(Level.INFO);
    record.setParameters(null);
    record.setMessage("a caller's mistake: " + record.getMessage() + ": " + summary(thrown) + more);
    return true;
  }

  private static boolean causedBy(Throwable thrown, Class<? extends Throwable> type) {
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String summary(Throwable thrown) {
    Throwable root = thrown;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = thrown == root ? String.valueOf(thrown.getMessage())
        : thrown.getMessage() + " <- " + root.getMessage();
    text = thrown.getClass().getSimpleName() + ": " + text.replaceAll("\\s+", " ");
    return text.length() <= EXCERPT ? text : text.substring(0, EXCERPT) + "...";
  }
}
