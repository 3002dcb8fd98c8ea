package io.protogate.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Envoy's path matcher, rebuilt: a trie of template segments where a path segment tries the
 * literal child first, then {@code *}, then {@code **}, backtracking when a branch ends without a
 * route for the request's method. The custom verb is split off the last segment only when some
 * template registers that verb (grpc-httpjson-transcoding #50, envoy #13920), so {@code /a/b:c}
 * still reaches {@code /a/{name}} with {@code name = "b:c"}. Built once per contract; immutable
 * after {@link #add}s are done, and then safe to share.
 *
 * @param <T> what a route leads to
 */
final class PathMatcher<T> {
  /** The HTTP method of a {@code custom} rule with kind {@code *}: every method. */
  static final String ANY_METHOD = "*";

  private final Node<T> root = new Node<>();
  private final Set<String> verbs = new HashSet<>();

  private static final class Node<T> {
    final Map<String, Node<T>> literals = new HashMap<>();
    Node<T> one;
    Node<T> rest;
    /** verb -> HTTP method -> route. */
    final Map<String, Map<String, T>> routes = new HashMap<>();
  }

  /** What matched: the route and the path's segments (still percent-encoded). */
  record Match<T>(T route, List<String> segments) {}

  /**
   * Adds a route; returns the route already registered for the same method, shape and verb, or
   * null when there is none (and then the new one is in).
   */
  T add(String httpMethod, PathTemplate template, T route) {
    Node<T> node = root;
    for (String segment : template.segments()) {
      node = switch (segment) {
        case PathTemplate.ONE -> node.one == null ? node.one = new Node<>() : node.one;
        case PathTemplate.REST -> node.rest == null ? node.rest = new Node<>() : node.rest;
        default -> node.literals.computeIfAbsent(segment, s -> new Node<>());
      };
    }
    if (!template.verb().isEmpty()) {
      verbs.add(template.verb());
    }
    return node.routes
        .computeIfAbsent(template.verb(), v -> new LinkedHashMap<>())
        .putIfAbsent(httpMethod, route);
  }

  /**
   * The route for {@code httpMethod} on {@code rawPath} (percent-encoded, without the query), or
   * null. {@code allowed} receives the methods that would have matched the path otherwise.
   */
  Match<T> match(String httpMethod, String rawPath, Set<String> allowed) {
    List<String> segments = split(rawPath);
    List<String> decoded = segments.stream().map(PathMatcher::decodeForMatching).toList();
    String last = segments.isEmpty() ? "" : segments.get(segments.size() - 1);
    int colon = last.lastIndexOf(':');
    if (colon >= 0 && verbs.contains(last.substring(colon + 1))) {
      List<String> withoutVerb = new ArrayList<>(segments);
      withoutVerb.set(segments.size() - 1, last.substring(0, colon));
      List<String> decodedWithoutVerb = new ArrayList<>(decoded);
      decodedWithoutVerb.set(segments.size() - 1, decodeForMatching(last.substring(0, colon)));
      Match<T> match =
          find(withoutVerb, decodedWithoutVerb, last.substring(colon + 1), httpMethod, allowed);
      if (match != null) {
        return match;
      }
    }
    return find(segments, decoded, "", httpMethod, allowed);
  }

  private Match<T> find(List<String> raw, List<String> decoded, String verb, String httpMethod,
      Set<String> allowed) {
    T route = walk(root, decoded, 0, verb, methods -> {
      T found = methods.get(httpMethod);
      if (found == null) {
        found = methods.get(ANY_METHOD);
      }
      if (found == null) {
        allowed.addAll(methods.keySet());
      }
      return found;
    });
    return route == null ? null : new Match<>(route, raw);
  }

  private static <T> T walk(Node<T> node, List<String> segments, int index, String verb,
      Function<Map<String, T>, T> pick) {
    if (index == segments.size()) {
      T found = pickAt(node, verb, pick);
      if (found == null && node.rest != null) {
        found = pickAt(node.rest, verb, pick);
      }
      return found;
    }
    String segment = segments.get(index);
    Node<T> literal = node.literals.get(segment);
    T found = literal == null ? null : walk(literal, segments, index + 1, verb, pick);
    if (found == null && node.one != null && !segment.isEmpty()) {
      found = walk(node.one, segments, index + 1, verb, pick);
    }
    if (found == null && node.rest != null) {
      found = pickAt(node.rest, verb, pick);
    }
    return found;
  }

  private static <T> T pickAt(Node<T> node, String verb, Function<Map<String, T>, T> pick) {
    Map<String, T> methods = node.routes.get(verb);
    return methods == null ? null : pick.apply(methods);
  }

  /** Segments of a path; one trailing slash is ignored, as Envoy does. */
  static List<String> split(String rawPath) {
    String path = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path.isEmpty() ? List.of() : List.of(path.split("/", -1));
  }

  /** Literal segments match decoded: {@code /v%31/books} is {@code /v1/books}. */
  private static String decodeForMatching(String segment) {
    try {
      return Decoding.percentDecode(segment, false, false);
    } catch (IllegalArgumentException e) {
      return segment; // Not a valid escape: can only match a variable, which reports it.
    }
  }
}
