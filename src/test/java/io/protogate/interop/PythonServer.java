package io.protogate.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The seed's Python gRPC server ({@code src/test/python/interop_server.py}, grpcio) on a free
 * loopback port. It stops when its standard input closes, so it cannot outlive this JVM; its
 * standard error goes to a file, so a chatty server never blocks on a full pipe.
 */
public final class PythonServer implements AutoCloseable {
  private static final Path SCRIPT = Path.of("src/test/python/interop_server.py");
  private static final Path PROTOS = Path.of("descriptors");
  private static final long TIMEOUT_SECONDS = 60;

  private final Process process;
  private final Path log;
  private final int port;

  private PythonServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts the server and waits for the port it prints; call {@link PythonGrpc#assumeAvailable} first. */
  public static PythonServer start() throws IOException, InterruptedException {
    Path log = Files.createTempFile("interop-server", ".log");
    Process process = new ProcessBuilder(PythonGrpc.PYTHON, SCRIPT.toString(), "--protos",
        PROTOS.toString())
        .redirectError(log.toFile())
        .start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> readPort(process, port), "python-server-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      return new PythonServer(process, log, port.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    } catch (ExecutionException | TimeoutException e) {
      new PythonServer(process, log, -1).close();
      throw new IOException("the Python server did not print its port (" + e + "):\n"
          + Files.readString(log, StandardCharsets.UTF_8), e);
    }
  }

  /** Completes {@code port} from the server's {@code PORT n} line, then drains standard output. */
  private static void readPort(Process process, CompletableFuture<Integer> port) {
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("PORT ")) {
          port.complete(Integer.parseInt(line.substring("PORT ".length()).strip()));
        }
      }
      port.completeExceptionally(new IOException("standard output closed"));
    } catch (IOException | RuntimeException e) {
      port.completeExceptionally(e);
    }
  }

  public int port() {
    return port;
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  /** Closes the server's standard input, which stops it; kills it if it does not stop. */
  @Override
  public void close() throws IOException, InterruptedException {
    process.getOutputStream().close();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    Files.deleteIfExists(log);
  }
}
