package io.protogate.upstream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The routes of a contract, immutable: for each service, the most specific {@link Route} that
 * matches it, if any. Two routes with the same pattern are refused: which one was meant cannot be
 * told.
 */
public final class Routes {
  private static final Routes NONE = new Routes(List.of());

  private final List<Route> routes;

  private Routes(List<Route> routes) {
    this.routes = routes;
  }

  public static Routes none() {
    return NONE;
  }

  public static Routes of(List<Route> routes) {
    Set<String> patterns = new HashSet<>();
    for (Route route : routes) {
      if (!patterns.add(route.pattern())) {
        throw new IllegalArgumentException("two upstreams for " + route.pattern()
            + "; give each pattern one upstream (a comma-separated target spreads calls)");
      }
    }
    List<Route> sorted = new ArrayList<>(routes);
    sorted.sort(Comparator.comparingInt(Route::specificity).reversed());
    return new Routes(List.copyOf(sorted));
  }

  /** The routes, most specific first. */
  public List<Route> list() {
    return routes;
  }

  public boolean isEmpty() {
    return routes.isEmpty();
  }

  /** The route that answers for the service {@code serviceFullName}, if one covers it. */
  public Optional<Route> find(String serviceFullName) {
    for (Route route : routes) {
      if (route.matches(serviceFullName)) {
        return Optional.of(route);
      }
    }
    return Optional.empty();
  }

  /** Every distinct upstream of these routes. */
  public Set<Upstream> upstreams() {
    Set<Upstream> upstreams = new LinkedHashSet<>();
    routes.forEach(route -> upstreams.add(route.upstream()));
    return upstreams;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Routes other && routes.equals(other.routes);
  }

  @Override
  public int hashCode() {
    return routes.hashCode();
  }

  @Override
  public String toString() {
    return routes.toString();
  }
}
