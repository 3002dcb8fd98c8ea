package io.protogate.stub.api;

import io.protogate.stub.StubApi;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Promise;

/**
 * The stub API on the HTTP port: a Jetty handler for every path under {@code /protogate/stubs}
 * and {@code /protogate/history}, answered by {@link StubApi}; other paths are left to the
 * handlers after it. Requests are small JSON documents, read whole.
 */
public final class StubApiHandler extends Handler.Abstract.NonBlocking {
  private final StubApi api;

  public StubApiHandler(StubApi api) {
    this.api = api;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    if (!path.startsWith("/protogate/stubs") && !path.startsWith("/protogate/history")) {
      return false;
    }
    Content.Source.asString(request, StandardCharsets.UTF_8, new Promise<>() {
      @Override
      public void succeeded(String body) {
        StubApi.Reply reply = api.handle(request.getMethod(), path, body);
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, reply.json() + "\n", callback);
      }

      @Override
      public void failed(Throwable failure) {
        Response.writeError(request, response, callback, 400, "unreadable request body");
      }
    });
    return true;
  }
}
