package io.protogate.server;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A deliberately bare HTTP/2 client for tests of what a broken or hostile peer can do: frames
 * are written as given (HPACK through grpc-netty-shaded's Netty), nothing is checked, and what
 * the server answers is recorded per stream. It honours the server's flow-control windows when
 * sending data, answers PINGs and SETTINGS, and nothing else.
 */
final class RawHttp2 implements AutoCloseable {
  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int RST_STREAM = 3;
  private static final int SETTINGS = 4;
  private static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final int WINDOW_UPDATE = 8;
  private static final int CONTINUATION = 9;
  private static final int MAX_FRAME = 16384;

  private final Socket socket;
  private final OutputStream out;
  private final Http2HeadersEncoder encoder =
      new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true);
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, 1 << 20);
  private final Thread reader;

  // Guarded by this.
  private final Map<Integer, List<Map<String, String>>> headers = new HashMap<>();
  private final Map<Integer, Long> resets = new HashMap<>();
  private final Map<Integer, Long> streamWindows = new HashMap<>();
  private long connectionWindow = 65535;
  private long initialStreamWindow = 65535;
  private long maxConcurrentStreams = Long.MAX_VALUE;
  private Long goAwayCode;
  private boolean closed;
  private int pingAcks;

  RawHttp2(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    out = socket.getOutputStream();
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, new byte[0]);
    reader = new Thread(this::read, "raw-http2-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** The request headers of a gRPC call of {@code method}, plus {@code extra} name-value pairs. */
  static Http2Headers grpcHeaders(String method, String... extra) {
    Http2Headers h = new DefaultHttp2Headers(false)
        .method("POST").scheme("http").authority("127.0.0.1").path("/" + method)
        .add("content-type", "application/grpc").add("te", "trailers");
    for (int i = 0; i < extra.length; i += 2) {
      h.add(extra[i], extra[i + 1]);
    }
    return h;
  }

  /** A gRPC message prefix: uncompressed, declaring {@code length} bytes to follow. */
  static byte[] messagePrefix(int length) {
    return ByteBuffer.allocate(5).put((byte) 0).putInt(length).array();
  }

  synchronized void headers(int streamId, Http2Headers h, boolean endStream) throws IOException {
    ByteBuf block = Unpooled.buffer();
    try {
      encoder.encodeHeaders(streamId, h, block);
    } catch (Http2Exception e) {
      throw new IOException(e);
    }
    byte[] bytes = new byte[block.readableBytes()];
    block.readBytes(bytes);
    int first = Math.min(bytes.length, MAX_FRAME);
    int flags = (endStream ? 0x1 : 0) | (first == bytes.length ? 0x4 : 0);
    streamWindows.put(streamId, initialStreamWindow);
    frame(HEADERS, flags, streamId, Arrays.copyOfRange(bytes, 0, first));
    for (int at = first; at < bytes.length; at += MAX_FRAME) {
      int end = Math.min(bytes.length, at + MAX_FRAME);
      frame(CONTINUATION, end == bytes.length ? 0x4 : 0, streamId,
          Arrays.copyOfRange(bytes, at, end));
    }
  }

  /**
   * Sends {@code bytes} on the stream as the server's windows allow; false if they stayed shut
   * for {@code patience} (the server holds what it has and wants no more) or the stream ended.
   */
  boolean data(int streamId, byte[] bytes, boolean endStream, Duration patience)
      throws IOException, InterruptedException {
    int at = 0;
    do {
      int n;
      synchronized (this) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!closed && !resets.containsKey(streamId) && at < bytes.length
            && Math.min(connectionWindow, streamWindows.getOrDefault(streamId, 0L)) <= 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          wait(Math.max(1, left / 1_000_000));
        }
        if (closed || resets.containsKey(streamId)) {
          return false;
        }
        n = (int) Math.min(Math.min(bytes.length - at, MAX_FRAME),
            Math.min(connectionWindow, streamWindows.getOrDefault(streamId, 0L)));
        connectionWindow -= n;
        streamWindows.merge(streamId, (long) -n, Long::sum);
        boolean last = at + n == bytes.length;
        frame(DATA, last && endStream ? 0x1 : 0, streamId,
            Arrays.copyOfRange(bytes, at, at + n));
      }
      at += n;
    } while (at < bytes.length);
    return true;
  }

  synchronized void reset(int streamId, int code) throws IOException {
    frame(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(code).array());
  }

  synchronized void ping() throws IOException {
    frame(PING, 0, 0, new byte[8]);
  }

  private void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(9);
    header.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8))
        .put((byte) payload.length).put((byte) type).put((byte) flags).putInt(streamId);
    out.write(header.array());
    out.write(payload);
    out.flush();
  }

  private void read() {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] head = new byte[9];
      while (true) {
        in.readFully(head);
        ByteBuffer h = ByteBuffer.wrap(head);
        int length = ((h.get() & 0xff) << 16) | ((h.get() & 0xff) << 8) | (h.get() & 0xff);
        int type = h.get() & 0xff;
        int flags = h.get() & 0xff;
        int streamId = h.getInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        onFrame(type, flags, streamId, payload);
      }
    } catch (IOException e) {
      synchronized (this) {
        closed = true;
        notifyAll();
      }
    }
  }

  private synchronized void onFrame(int type, int flags, int streamId, byte[] payload)
      throws IOException {
    ByteBuffer p = ByteBuffer.wrap(payload);
    switch (type) {
      case DATA -> {
        if (payload.length > 0) {
          // Keep the server's responses flowing: give back what it used at once.
          byte[] inc = ByteBuffer.allocate(4).putInt(payload.length).array();
          frame(WINDOW_UPDATE, 0, 0, inc);
          frame(WINDOW_UPDATE, 0, streamId, inc);
        }
      }
      case HEADERS -> {
        int from = 0;
        int to = payload.length;
        if ((flags & 0x8) != 0) {
          to -= payload[0] & 0xff;
          from = 1;
        }
        if ((flags & 0x20) != 0) {
          from += 5;
        }
        Http2Headers decoded;
        try {
          decoded = decoder.decodeHeaders(streamId,
              Unpooled.wrappedBuffer(payload, from, to - from));
        } catch (Http2Exception e) {
          throw new IOException(e);
        }
        Map<String, String> map = new HashMap<>();
        decoded.forEach(e -> map.put(e.getKey().toString(), e.getValue().toString()));
        headers.computeIfAbsent(streamId, id -> new ArrayList<>()).add(map);
      }
      case RST_STREAM -> resets.put(streamId, p.getInt() & 0xffffffffL);
      case SETTINGS -> {
        if ((flags & 0x1) == 0) {
          while (p.remaining() >= 6) {
            int id = p.getShort() & 0xffff;
            long value = p.getInt() & 0xffffffffL;
            if (id == 0x3) {
              maxConcurrentStreams = value;
            } else if (id == 0x4) {
              long delta = value - initialStreamWindow;
              initialStreamWindow = value;
              streamWindows.replaceAll((id2, w) -> w + delta);
            }
          }
          frame(SETTINGS, 0x1, 0, new byte[0]);
        }
      }
      case PING -> {
        if ((flags & 0x1) == 0) {
          frame(PING, 0x1, 0, payload);
        } else {
          pingAcks++;
        }
      }
      case GOAWAY -> {
        p.getInt();
        goAwayCode = p.getInt() & 0xffffffffL;
      }
      case WINDOW_UPDATE -> {
        long inc = p.getInt() & 0x7fffffffL;
        if (streamId == 0) {
          connectionWindow += inc;
        } else {
          streamWindows.merge(streamId, inc, Long::sum);
        }
      }
      default -> { }
    }
    notifyAll();
  }

  /** Waits until {@code condition} (read under this object's lock) holds; false on timeout. */
  synchronized boolean await(BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  /** The header blocks the server sent on a stream: response headers, then trailers. */
  synchronized List<Map<String, String>> headersOf(int streamId) {
    return List.copyOf(headers.getOrDefault(streamId, List.of()));
  }

  /** The last header block of a stream (the trailers, or a trailers-only response), or null. */
  synchronized Map<String, String> trailersOf(int streamId) {
    List<Map<String, String>> blocks = headers.get(streamId);
    return blocks == null ? null : blocks.get(blocks.size() - 1);
  }

  /** A stream's status, once its trailers arrived; null before. */
  synchronized String statusOf(int streamId) {
    Map<String, String> trailers = trailersOf(streamId);
    return trailers == null ? null : trailers.get("grpc-status");
  }

  synchronized Long resetCode(int streamId) {
    return resets.get(streamId);
  }

  synchronized Long goAwayCode() {
    return goAwayCode;
  }

  synchronized boolean isClosed() {
    return closed;
  }

  synchronized long maxConcurrentStreams() {
    return maxConcurrentStreams;
  }

  synchronized int pingAcks() {
    return pingAcks;
  }

  @Override
  public void close() throws IOException {
    socket.close();
    try {
      reader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
