package io.protogate.stub;

import static io.protogate.stub.TestContract.answer;
import static io.protogate.stub.TestContract.stubs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The examples of GripMock's documentation (docs/guide/matcher/*.md, docs/guide/stubs/priority.md),
 * as written there, with the requests and outcomes the documentation states.
 */
class GripMockExamplesTest {
  private static final String INVENTORY =
      "inventory.InventoryService/GetResourceDecorationByIPsStream";

  /** matcher/input.md, "Array Example" of equals: order matters. */
  @Test
  void equalsOnArray_matchesOnlyTheSameOrder() throws Exception {
    StubSet stubs = stubs("""
        service: inventory.InventoryService
        method: GetResourceDecorationByIPsStream
        input:
          equals:
            k8s_cluster_id: "scale-test-cluster"
            ips: ["10.64.0.1", "10.64.0.2"]
        output:
          data:
            ips_to_decorations:
              "10.64.0.1":
                decoration: "web-frontend"
                environment: "production"
              "10.64.0.2":
                decoration: "api-backend"
                environment: "staging"
        """);
    assertEquals("#1", answer(stubs, INVENTORY,
        "{\"k8s_cluster_id\": \"scale-test-cluster\", \"ips\": [\"10.64.0.1\", \"10.64.0.2\"]}"));
    assertTrue(answer(stubs, INVENTORY,
        "{\"k8s_cluster_id\": \"scale-test-cluster\", \"ips\": [\"10.64.0.2\", \"10.64.0.1\"]}")
        .contains("equals.ips"));
  }

  /** matcher/input.md, "Array Example" of contains: extra elements are ignored. */
  @Test
  void containsOnArray_ignoresExtraElements() throws Exception {
    StubSet stubs = stubs("""
        service: inventory.InventoryService
        method: GetResourceDecorationByIPsStream
        input:
          contains:
            k8s_cluster_id: "test-contains"
            ips: ["10.0.1.1", "10.0.1.2"]
        output:
          data:
            ips_to_decorations:
              "10.0.1.1":
                decoration: "web-frontend"
                environment: "production"
        """);
    assertEquals("#1", answer(stubs, INVENTORY, "{\"k8s_cluster_id\": \"test-contains\","
        + " \"ips\": [\"10.0.1.1\", \"10.0.1.2\", \"10.0.1.3\"]}"));
    assertTrue(answer(stubs, INVENTORY,
        "{\"k8s_cluster_id\": \"test-contains\", \"ips\": [\"10.0.1.1\"]}").startsWith("no stub"));
  }

  /** matcher/input.md, "Array Example" of matches, and the three ignoreArrayOrder examples. */
  @Test
  void matchesAndIgnoreArrayOrder_asDocumented() throws Exception {
    StubSet stubs = stubs("""
        - service: inventory.InventoryService
          method: GetResourceDecorationByIPsStream
          input:
            matches:
              k8s_cluster_id: "^test-matches$"
              ips: ["^10\\\\.0\\\\.2\\\\.[0-9]+$", "^10\\\\.0\\\\.2\\\\.[0-9]+$"]
          output: {data: {}}
        - service: inventory.InventoryService
          method: GetResourceDecorationByIPsStream
          input:
            ignoreArrayOrder: true
            equals:
              k8s_cluster_id: "test-equals-ignore"
              ips: ["10.0.3.1", "10.0.3.2"]
          output: {data: {}}
        - service: inventory.InventoryService
          method: GetResourceDecorationByIPsStream
          input:
            ignoreArrayOrder: true
            contains:
              k8s_cluster_id: "test-contains-ignore"
              ips: ["10.0.4.1", "10.0.4.2"]
          output: {data: {}}
        - service: inventory.InventoryService
          method: GetResourceDecorationByIPsStream
          input:
            ignoreArrayOrder: true
            matches:
              k8s_cluster_id: "^test-matches-ignore$"
              ips: ["^10\\\\.0\\\\.5\\\\.1$", "^10\\\\.0\\\\.5\\\\.2$"]
          output: {data: {}}
        """);
    assertEquals("#1", answer(stubs, INVENTORY,
        "{\"k8s_cluster_id\": \"test-matches\", \"ips\": [\"10.0.2.77\", \"10.0.2.88\"]}"));
    assertTrue(answer(stubs, INVENTORY,
        "{\"k8s_cluster_id\": \"test-matches\", \"ips\": [\"10.0.2.77\"]}").startsWith("no stub"));
    assertEquals("#2", answer(stubs, INVENTORY,
        "{\"k8s_cluster_id\": \"test-equals-ignore\", \"ips\": [\"10.0.3.2\", \"10.0.3.1\"]}"));
    // A multiset: ["a", "a"] is not ["a", "b"].
    assertTrue(answer(stubs, INVENTORY,
        "{\"k8s_cluster_id\": \"test-equals-ignore\", \"ips\": [\"10.0.3.1\", \"10.0.3.1\"]}")
        .startsWith("no stub"));
    assertEquals("#3", answer(stubs, INVENTORY, "{\"k8s_cluster_id\": \"test-contains-ignore\","
        + " \"ips\": [\"10.0.4.2\", \"9.9.9.9\", \"10.0.4.1\"]}"));
    assertEquals("#4", answer(stubs, INVENTORY,
        "{\"k8s_cluster_id\": \"test-matches-ignore\", \"ips\": [\"10.0.5.2\", \"10.0.5.1\"]}"));
  }

  /** matcher/logic.md: the anyOf truth table over headers. */
  @Test
  void anyOfOverHeaders_followsTheDocumentedTable() throws Exception {
    StubSet stubs = stubs("""
        service: UserService
        method: GetProfile
        headers:
          equals:
            x-env: "prod"
          anyOf:
            - equals:
                x-user: "alice"
            - matches:
                authorization: "^Bearer admin_"
        output:
          data:
            user_id: "admin_001"
        """);
    String method = "UserService/GetProfile";
    assertEquals("#1", answer(stubs, method, "{}", Map.of("x-env", "prod", "x-user", "alice")));
    assertEquals("#1", answer(stubs, method, "{}",
        Map.of("x-env", "prod", "authorization", "Bearer admin_x")));
    assertTrue(answer(stubs, method, "{}", Map.of("x-env", "staging", "x-user", "alice"))
        .contains("headers.equals.x-env: wants \"prod\", got \"staging\""));
    assertTrue(answer(stubs, method, "{}", Map.of("x-env", "prod"))
        .contains("headers.anyOf: none of 2 alternatives matches"));
  }

  /** stubs/priority.md, "Specific stub with a fallback". */
  @Test
  void priority_specificStubWithAFallback() throws Exception {
    StubSet stubs = stubs("""
        # High priority: Specific user
        - service: UserService
          method: GetUser
          priority: 100
          input:
            equals:
              id: "user123"
          output:
            data:
              id: "user123"
              name: "John Doe"
              email: "john@example.com"

        # Low priority: General fallback
        - service: UserService
          method: GetUser
          priority: 1
          input:
            contains:
              id: "user"
          output:
            data:
              id: "unknown"
              name: "Unknown User"
              email: "unknown@example.com"
        """);
    assertEquals("#1", answer(stubs, "UserService/GetUser", "{\"id\": \"user123\"}"));
    assertEquals("#2", answer(stubs, "UserService/GetUser", "{\"id\": \"user\"}"));
  }

  /** stubs/priority.md, "Error scenarios": a catch-all with an empty contains. */
  @Test
  void priority_errorScenariosWithACatchAll() throws Exception {
    StubSet stubs = stubs("""
        - service: UserService
          method: GetUser
          priority: 100
          input:
            equals:
              id: "invalid"
          output:
            error: "Invalid user ID format"
            code: 3  # INVALID_ARGUMENT
        - service: UserService
          method: GetUser
          priority: 50
          input:
            contains:
              id: ""
          output:
            error: "User ID cannot be empty"
            code: 3  # INVALID_ARGUMENT
        - service: UserService
          method: GetUser
          priority: 1
          input:
            contains:
          output:
            error: "User not found"
            code: 5  # NOT_FOUND
        """);
    assertEquals("#1", answer(stubs, "UserService/GetUser", "{\"id\": \"invalid\"}"));
    assertEquals("#2", answer(stubs, "UserService/GetUser", "{}"));
    assertEquals("#3", answer(stubs, "UserService/GetUser", "{\"id\": \"nobody\"}"));
  }

  /** stubs/priority.md, "Cascading fallbacks". */
  @Test
  void priority_cascadingFallbacks() throws Exception {
    StubSet stubs = stubs("""
        - service: SearchService
          method: Search
          priority: 1000
          input:
            equals:
              query: "exact search term"
          output:
            data:
              results: ["exact match"]
        - service: SearchService
          method: Search
          priority: 100
          input:
            contains:
              query: "search"
          output:
            data:
              results: ["partial match 1", "partial match 2"]
        - service: SearchService
          method: Search
          priority: 1
          input:
            contains:
          output:
            data:
              results: ["default result"]
        """);
    assertEquals("#1", answer(stubs, "SearchService/Search", "{\"query\": \"exact search term\"}"));
    assertEquals("#2", answer(stubs, "SearchService/Search", "{\"query\": \"search\"}"));
    assertEquals("#3", answer(stubs, "SearchService/Search", "{\"query\": \"anything\"}"));
  }
}
