package io.protogate.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Route patterns, which route wins, and the {@code --upstream} text form. */
class RoutesTest {
  private static Routes routes(String... routes) {
    return Routes.of(List.of(routes).stream().map(Route::parse).toList());
  }

  private static Optional<String> target(Routes routes, String service) {
    return routes.find(service).map(route -> route.upstream().target());
  }

  @Test
  void mostSpecificPattern_wins_whateverTheOrder() {
    Routes routes = routes("*=any:1", "shop.*=shop:1", "shop.v1.*=v1:1", "shop.v1.Cart=cart:1");

    assertEquals(Optional.of("cart:1"), target(routes, "shop.v1.Cart"));
    assertEquals(Optional.of("v1:1"), target(routes, "shop.v1.Orders"));
    assertEquals(Optional.of("shop:1"), target(routes, "shop.v2.Orders"));
    assertEquals(Optional.of("any:1"), target(routes, "GrpcService"));
  }

  @Test
  void wildcard_coversItsPackageAndBelow_only() {
    Routes routes = routes("shop.*=shop:1");

    assertEquals(Optional.of("shop:1"), target(routes, "shop.v1.Cart"));
    assertEquals(Optional.empty(), target(routes, "shopping.Cart"));
    assertEquals(Optional.empty(), target(routes, "shop"));
  }

  @Test
  void parse_readsEveryOption() {
    Route route = Route.parse("shop.v1.*=a:1,b:2;tls;ca=ca.pem;cert=c.pem;key=c.key;"
        + "authority=shop.internal;deadline=1.5s;max-msg-sz=1000");

    assertEquals(new Route("shop.v1.*", new Upstream("a:1,b:2", true, new File("ca.pem"),
        new File("c.pem"), new File("c.key"), "shop.internal", Duration.ofMillis(1500), 1000)),
        route);
  }

  @Test
  void caOrClientCertificate_impliesTls() {
    assertTrue(Route.parse("*=h:1;ca=ca.pem").upstream().tls());
  }

  @Test
  void mistakes_areRefusedSayingWhatToWrite() {
    assertEquals("'GrpcService' is not PATTERN=TARGET, e.g. GrpcService=127.0.0.1:50061 or"
        + " 'shop.v1.*=dns:///shop:50051;deadline=5s'",
        assertThrows(IllegalArgumentException.class, () -> Route.parse("GrpcService"))
            .getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Route.parse("shop.*.v1=h:1"))
        .getMessage().contains("is not a service pattern"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Route.parse("*=h:1;tsl"))
        .getMessage().contains("needs a value"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Route.parse("*=h:1;x=1"))
        .getMessage().startsWith("unknown upstream option 'x'"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> Route.parse("*=h:1;deadline=5 seconds")).getMessage().contains("not a duration"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Route.parse("*=h:1;cert=c"))
        .getMessage().contains("go together"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Route.parse("*="))
        .getMessage().contains("needs a target"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> routes("a=h:1", "a=h:2"))
        .getMessage().startsWith("two upstreams for a"));
  }
}
