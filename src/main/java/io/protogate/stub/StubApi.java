package io.protogate.stub;

import com.google.gson.JsonParseException;
import io.protogate.contract.ContractException;
import io.protogate.contract.LiveContract;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stub API for tests, apart from any HTTP server: requests are a method, a path under {@code
 * /protogate/} and a JSON body; replies a status and a JSON body. Shapes follow GripMock's
 * {@code /api/stubs} and {@code /api/history}:
 *
 * <pre>
 * GET    /protogate/stubs          every stub, files' and API's: [{id, service, method, ...}]
 * POST   /protogate/stubs          add (or replace, by id) one stub or a list: ["id", ...]
 * DELETE /protogate/stubs/ID       remove an API stub
 * DELETE /protogate/stubs          reset: remove every API stub (file stubs stay)
 * POST   /protogate/stubs/search   {service, method, data, headers}: which stub would answer
 * GET    /protogate/history        the calls stubs answered or missed, oldest first
 * DELETE /protogate/history        forget them
 * </pre>
 *
 * Stubs added here are checked against the contract like stub files, and swapped in with it.
 */
public final class StubApi {
  /** A reply: HTTP status and JSON body. */
  public record Reply(int status, String json) {}

  private final LiveContract contract;
  private final History history;

  public StubApi(LiveContract contract, History history) {
    this.contract = contract;
    this.history = history;
  }

  /** Answers one request; {@code path} starts with {@code /protogate/}. */
  public Reply handle(String method, String path, String body) {
    try {
      return switch (method + " " + path.replaceAll("/+$", "")) {
        case "GET /protogate/stubs" -> ok(contract.current().part(Stubs.CHECKED).stubs().stream()
            .map(StubApi::view).toList());
        case "POST /protogate/stubs" -> add(body);
        case "DELETE /protogate/stubs" -> reset();
        case "POST /protogate/stubs/search" -> search(body);
        case "GET /protogate/history" -> ok(history.calls().stream().map(StubApi::view).toList());
        case "DELETE /protogate/history" -> {
          history.clear();
          yield ok(List.of());
        }
        default -> method.equals("DELETE") && path.startsWith("/protogate/stubs/")
            ? delete(path.substring("/protogate/stubs/".length()))
            : error(404, "no such stub API endpoint: " + method + " " + path + "; see GET, POST,"
                + " DELETE /protogate/stubs, DELETE /protogate/stubs/ID, POST"
                + " /protogate/stubs/search, GET and DELETE /protogate/history");
      };
    } catch (StubException | JsonParseException | ContractException e) {
      return error(400, e.getMessage());
    }
  }

  private Reply add(String body) throws StubException, ContractException {
    Object tree = Trees.parse(body == null || body.isBlank() ? "null" : body);
    List<Object> trees = tree instanceof List<?> list ? new ArrayList<>(list)
        : tree == null ? List.of() : List.of(tree);
    if (trees.isEmpty()) {
      throw new StubException("POST /protogate/stubs: give a stub or a list of stubs as JSON");
    }
    List<Stub> added = new ArrayList<>();
    for (int i = 0; i < trees.size(); i++) {
      String where = "request stub #" + (i + 1);
      added.add(Stub.fromTree(trees.get(i), where, java.util.UUID.randomUUID().toString()));
    }
    contract.update(current -> {
      Map<String, Stub> byId = new LinkedHashMap<>();
      current.part(Stubs.API).forEach(s -> byId.put(s.id(), s));
      added.forEach(s -> byId.put(s.id(), s));
      return current.with(Stubs.API, List.copyOf(byId.values()));
    });
    return ok(added.stream().map(Stub::id).toList());
  }

  private Reply delete(String id) throws ContractException {
    boolean[] found = new boolean[1];
    contract.update(current -> {
      List<Stub> kept = current.part(Stubs.API).stream().filter(s -> !s.id().equals(id)).toList();
      found[0] = kept.size() < current.part(Stubs.API).size();
      return found[0] ? current.with(Stubs.API, kept) : current;
    });
    if (found[0]) {
      return ok(List.of(id));
    }
    boolean inFiles = contract.current().part(Stubs.FILES).stream().anyMatch(s -> s.id()
        .equals(id));
    return error(404, inFiles ? "stub " + id + " comes from a stub file: edit or delete the file"
        : "no stub with id " + id);
  }

  private Reply reset() throws ContractException {
    contract.update(current -> current.with(Stubs.API, List.of()));
    return ok(List.of());
  }

  /** GripMock's search: the stub that would answer {@code data} and {@code headers}. */
  @SuppressWarnings("unchecked")
  private Reply search(String body) throws StubException {
    if (!(Trees.parse(body == null || body.isBlank() ? "null" : body) instanceof Map<?, ?> query)
        || !(query.get("service") instanceof String service)
        || !(query.get("method") instanceof String name)) {
      throw new StubException("POST /protogate/stubs/search: give {\"service\": ..., \"method\":"
          + " ..., \"data\": {...}, \"headers\": {...}}");
    }
    StubSet stubs = contract.current().part(Stubs.CHECKED);
    String fullMethod = stubs.schema().findMethod(service + "/" + name).isPresent()
        ? service + "/" + name
        : stubs.schema().services().stream().filter(s -> s.getName().equals(service))
            .map(s -> s.getFullName() + "/" + name).findFirst().orElse(service + "/" + name);
    var method = stubs.schema().findMethod(fullMethod).orElseThrow(() -> new StubException(
        "no method " + service + "/" + name + " in the contract"));
    Object data = query.get("data");
    var request = stubs.message(method.getInputType(), data == null ? Map.of() : data);
    Map<String, Object> headers = new LinkedHashMap<>();
    if (query.get("headers") instanceof Map<?, ?> h) {
      h.forEach((k, v) -> headers.put(String.valueOf(k).toLowerCase(java.util.Locale.ROOT),
          Trees.text(v)));
    }
    StubSet.Selection selection =
        stubs.select(fullMethod, headers, List.of(stubs.tree(request)), false);
    if (selection.stub() == null) {
      return error(404, selection.miss());
    }
    return ok(view(selection.stub()));
  }

  private static Map<String, Object> view(Stub stub) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", stub.id());
    out.putAll(stub.asTree());
    out.put("id", stub.id());
    out.put("source", stub.where());
    return out;
  }

  private static Map<String, Object> view(History.Call call) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("timestamp", call.at().toString());
    out.put("method", call.method());
    out.put("requests", call.requests());
    out.put("headers", call.headers());
    out.put("stubId", call.stubId());
    out.put("code", call.code());
    out.put("error", call.error());
    return out;
  }

  private static Reply ok(Object tree) {
    return new Reply(200, Trees.toJson(tree));
  }

  private static Reply error(int status, String message) {
    return new Reply(status, Trees.toJson(Map.of("error", message)));
  }
}
