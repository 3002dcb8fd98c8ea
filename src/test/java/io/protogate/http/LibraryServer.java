package io.protogate.http;

import static io.protogate.handler.Fields.getString;
import static io.protogate.handler.Fields.set;

import com.google.protobuf.Any;
import com.google.protobuf.DynamicMessage;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import io.protogate.handler.Fields;
import io.protogate.handler.Handlers;
import io.protogate.server.ProtogateServer;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Protogate server for src/test/proto/library.proto with Java handlers that answer with what
 * they were sent, its HTTP port, and a java.net.http client: one per test class.
 */
final class LibraryServer implements AutoCloseable {
  static final String LIBRARY = "protogate.test.library.Library/";
  static final Metadata.Key<String> HEADER =
      Metadata.Key.of("x-library", Metadata.ASCII_STRING_MARSHALLER);

  final ProtogateServer server;
  final HttpPort http;
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  LibraryServer(HttpJsonOptions options, HttpPort.Builder port) throws Exception {
    server = ProtogateServer.builder(schema()).handlers(handlers()).port(0)
        .shutdownGrace(Duration.ofSeconds(1)).build().start();
    http = port.handler(TranscodingHandler.of(server, options)).build().start();
  }

  LibraryServer() throws Exception {
    this(HttpJsonOptions.defaults(), HttpPort.builder());
  }

  static Path libraryDesc() {
    try {
      return Path.of(LibraryServer.class.getResource("/protogate/test/library.desc").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static Schema schema() {
    return SchemaLoader.load(List.of(libraryDesc()));
  }

  private static Handlers handlers() {
    return Handlers.builder()
        .unary(LIBRARY + "GetBook", (request, call) -> {
          DynamicMessage.Builder book = call.newResponse();
          set(book, "name", getString(request, "name"));
          String requestId = call.headers().get(
              Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER));
          String custom = call.headers().get(HEADER);
          set(book, "author", requestId + "|" + custom);
          call.responseHeaders().put(HEADER, "header");
          call.responseTrailers().put(HEADER, "trailer");
          return book.build();
        })
        .unary(LIBRARY + "ListBooks", (request, call) -> {
          DynamicMessage.Builder book = DynamicMessage.newBuilder(
              call.responseType().findFieldByName("books").getMessageType());
          set(book, "name", getString(request, "parent") + "/books?size="
              + Fields.get(request, "page_size") + "&token=" + getString(request, "page_token"));
          return call.newResponse().addRepeatedField(
              call.responseType().findFieldByName("books"), book.build()).build();
        })
        .unary(LIBRARY + "CreateBook", (request, call) -> {
          DynamicMessage book = (DynamicMessage) Fields.get(request, "book");
          DynamicMessage.Builder answer = book.toBuilder();
          set(answer, "name", getString(request, "parent") + "/books/"
              + getString(request, "book_id"));
          return answer.build();
        })
        .unary(LIBRARY + "UpdateBook", (request, call) -> {
          DynamicMessage.Builder answer =
              ((DynamicMessage) Fields.get(request, "book")).toBuilder();
          set(answer, "author", "mask:" + Fields.get(request, "update_mask.paths"));
          return answer.build();
        })
        .unary(LIBRARY + "ReplaceBook", (request, call) -> request)
        .unary(LIBRARY + "DeleteBook", (request, call) -> call.newResponse().build())
        .unary(LIBRARY + "CancelBook", (request, call) -> set(call.newResponse(), "name",
            getString(request, "name")).build())
        .unary(LIBRARY + "GetFile", (request, call) -> request)
        .unary(LIBRARY + "GetTitle", (request, call) -> set(set(call.newResponse(), "title",
            "Title of " + getString(request, "name")), "author", "someone").build())
        .unary(LIBRARY + "Search", (request, call) -> request)
        .unary(LIBRARY + "Echo", (request, call) -> request)
        .unary(LIBRARY + "Plain", (request, call) -> request)
        .unary(LIBRARY + "Fail", (request, call) -> {
          int code = (int) Fields.getLong(request, "code");
          if (code < 0) {
            while (!call.isCancelled()) {
              Thread.sleep(10);
            }
            throw Status.CANCELLED.asException();
          }
          Status status =
              Status.fromCodeValue(code).withDescription(getString(request, "message"));
          if (code == Status.Code.FAILED_PRECONDITION.value()) {
            throw StatusProto.toStatusException(com.google.rpc.Status.newBuilder()
                .setCode(code).setMessage(getString(request, "message"))
                .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("OUT_OF_STOCK")
                    .setDomain("library.test").build()))
                .build());
          }
          throw status.asException();
        })
        .serverStreaming(LIBRARY + "WatchShelf", (request, call, responses) -> {
          long size = Fields.getLong(request, "page_size");
          for (int i = 1; i <= Math.abs(size); i++) {
            responses.onNext(set(call.newResponse(), "name",
                getString(request, "parent") + "/books/" + i).build());
          }
          if (size < 0) {
            responses.onError(Status.NOT_FOUND.withDescription("shelf burnt").asException());
          } else {
            responses.onCompleted();
          }
        })
        .clientStreaming(LIBRARY + "UploadBooks", (call, responses) ->
            new io.grpc.stub.StreamObserver<>() {
              private final List<DynamicMessage> books = new ArrayList<>();

              @Override
              public void onNext(DynamicMessage book) {
                books.add(book);
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {
                DynamicMessage.Builder answer = call.newResponse();
                books.forEach(b -> answer.addRepeatedField(
                    call.responseType().findFieldByName("books"), b));
                responses.onNext(answer.build());
                responses.onCompleted();
              }
            })
        .bidiStreaming(LIBRARY + "Chat", (call, responses) -> new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(DynamicMessage book) {
            responses.onNext(set(book.toBuilder(), "title",
                getString(book, "title").toUpperCase()).build());
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            responses.onCompleted();
          }
        })
        .build();
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + http.port() + pathAndQuery);
  }

  HttpResponse<String> send(String method, String pathAndQuery, String body,
      String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
    return send("GET", pathAndQuery, null, headers);
  }

  HttpResponse<String> post(String pathAndQuery, String body, String... headers)
      throws Exception {
    return send("POST", pathAndQuery, body, headers);
  }

  @Override
  public void close() throws Exception {
    http.close();
    server.close();
  }
}
