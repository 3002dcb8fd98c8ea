package io.protogate.client;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A fixed list of {@code host:port} addresses as a grpc-java name resolver, for targets written
 * {@code a:1,b:2}: grpc-java resolves one name per target, and has no scheme for a list. Each
 * address is its own group, so round robin spreads calls across them. Registered in a registry of
 * the channel's own, never in the global one.
 */
final class AddressList extends NameResolverProvider {
  static final String SCHEME = "protogate-list";

  private final List<HostPort> addresses;

  private record HostPort(String host, int port) {}

  private AddressList(List<HostPort> addresses) {
    this.addresses = addresses;
  }

  /** Whether {@code target} is a list of addresses rather than one name. */
  static boolean isList(String target) {
    return target.contains(",");
  }

  /** A resolver registry for this list alone; the channel's target is {@link #target()}. */
  static NameResolverRegistry registry(String target) {
    List<HostPort> addresses = new ArrayList<>();
    for (String address : target.split(",")) {
      addresses.add(parse(address.trim(), target));
    }
    NameResolverRegistry registry = new NameResolverRegistry();
    registry.register(new AddressList(List.copyOf(addresses)));
    return registry;
  }

  static String target() {
    return SCHEME + ":///list";
  }

  /**
   * Refuses a target that is neither a grpc-java target with a scheme ({@code dns:///...}) nor
   * {@code host:port} (or a list of them), saying which address is wrong: grpc-java would only
   * fail once the first call is made, on one of its own threads.
   */
  static void check(String target) {
    if (target.contains(":/") || target.startsWith("unix:")) {
      return; // grpc-java's own target syntax, which it checks when the channel is built
    }
    for (String address : target.split(",", -1)) {
      parse(address.trim(), target);
    }
  }

  private static HostPort parse(String address, String target) {
    int colon = address.lastIndexOf(':');
    String host = colon <= 0 ? "" : address.substring(0, colon);
    if (host.startsWith("[") != host.endsWith("]") || host.contains("/")
        || host.chars().anyMatch(Character::isWhitespace)) {
      host = "";
    } else if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = -1;
    try {
      port = colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      // Reported below.
    }
    if (host.isEmpty() || port < 1 || port > 65535) {
      throw new IllegalArgumentException("'" + address + "'" + (address.equals(target) ? ""
          : " in " + target) + " is not host:port (a host name or address, [IPv6] in brackets,"
          + " and a port 1-65535); a list of addresses is written host:port,host:port");
    }
    return new HostPort(host, port);
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    return new NameResolver() {
      private Listener2 listener;

      @Override
      public String getServiceAuthority() {
        HostPort first = addresses.get(0);
        return first.host() + ":" + first.port();
      }

      @Override
      public void start(Listener2 listener) {
        this.listener = listener;
        resolve();
      }

      @Override
      public void refresh() {
        resolve();
      }

      // Resolving again on refresh lets a host name in the list follow DNS after a failure.
      private void resolve() {
        List<EquivalentAddressGroup> groups = new ArrayList<>();
        for (HostPort address : addresses) {
          InetSocketAddress resolved = new InetSocketAddress(address.host(), address.port());
          if (resolved.isUnresolved()) {
            listener.onError(Status.UNAVAILABLE.withDescription(
                "cannot resolve " + address.host() + " (in the address list)"));
            return;
          }
          groups.add(new EquivalentAddressGroup(resolved));
        }
        listener.onResult(ResolutionResult.newBuilder().setAddresses(groups).build());
      }

      @Override
      public void shutdown() {}
    };
  }
}
