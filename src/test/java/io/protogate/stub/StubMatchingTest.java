package io.protogate.stub;

import static io.protogate.stub.TestContract.answer;
import static io.protogate.stub.TestContract.stubs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each matching rule, and which stub wins when several match. */
class StubMatchingTest {
  private static final String FIND = "shop.Shop/Find";

  @Test
  void equals_treatsAnUnsetFieldAsItsDefaultAndIgnoresUndeclaredFields() throws Exception {
    StubSet stubs = stubs("""
        service: shop.Shop
        method: Find
        input: {equals: {text: "a", active: false, user_id: 0}}
        output: {data: {}}
        """);
    assertEquals("#1", answer(stubs, FIND, "{\"text\": \"a\", \"price\": 3}"));
    assertTrue(answer(stubs, FIND, "{\"text\": \"a\", \"active\": true}")
        .contains("equals.active: wants false, got true"));
  }

  @Test
  void equals_comparesNestedMessagesWhole() throws Exception {
    StubSet stubs = stubs("""
        service: shop.Shop
        method: Find
        input: {equals: {item: {sku: "x"}}}
        output: {data: {}}
        """);
    assertEquals("#1", answer(stubs, FIND, "{\"item\": {\"sku\": \"x\"}}"));
    assertTrue(answer(stubs, FIND, "{\"item\": {\"sku\": \"x\", \"quantity\": 2}}")
        .startsWith("no stub"));
  }

  @Test
  void equals_readsJsonNamesInt64AsStringsAndEnumsByName() throws Exception {
    StubSet stubs = stubs("""
        service: shop.Shop
        method: Find
        input: {equals: {userId: 9007199254740993, tier: GOLD}}
        output: {data: {}}
        """);
    assertEquals("#1", answer(stubs, FIND, "{\"user_id\": \"9007199254740993\", \"tier\": 1}"));
    assertTrue(answer(stubs, FIND, "{\"user_id\": \"9007199254740992\", \"tier\": 1}")
        .contains("equals.user_id"));
  }

  @Test
  void contains_isStructuralNotSubstring() throws Exception {
    StubSet stubs = stubs("""
        service: shop.Shop
        method: Find
        input: {contains: {text: "grip", item: {sku: "x"}, items: [{sku: "b"}]}}
        output: {data: {}}
        """);
    assertEquals("#1", answer(stubs, FIND, "{\"text\": \"grip\", \"item\": {\"sku\": \"x\","
        + " \"quantity\": 4}, \"items\": [{\"sku\": \"a\"}, {\"sku\": \"b\", \"quantity\": 1}]}"));
    assertTrue(answer(stubs, FIND, "{\"text\": \"gripmock\", \"item\": {\"sku\": \"x\"},"
        + " \"items\": [{\"sku\": \"b\"}]}").contains("contains.text"));
  }

  @Test
  void matches_isAnUnanchoredRegexOnTheValuesText() throws Exception {
    StubSet stubs = stubs("""
        service: shop.Shop
        method: Find
        input: {matches: {text: "(?i)^hello", user_id: "^4[0-9]$", tags: ["^a", "^b"]}}
        output: {data: {}}
        """);
    assertEquals("#1", answer(stubs, FIND,
        "{\"text\": \"HELLO world\", \"user_id\": 42, \"tags\": [\"ax\", \"by\"]}"));
    assertTrue(answer(stubs, FIND,
        "{\"text\": \"HELLO world\", \"user_id\": 42, \"tags\": [\"by\", \"ax\"]}")
        .contains("matches.tags"));
  }

  @Test
  void glob_matchesTheWholeValueAndStarStopsAtSlash() throws Exception {
    StubSet stubs = stubs("""
        service: shop.Shop
        method: Find
        input: {glob: {path: "/reports/2024/*", text: "file?.[!x]*"}}
        output: {data: {}}
        """);
    assertEquals("#1", answer(stubs, FIND,
        "{\"path\": \"/reports/2024/q1.pdf\", \"text\": \"file1.json\"}"));
    assertTrue(answer(stubs, FIND,
        "{\"path\": \"/reports/2024/q1/a.pdf\", \"text\": \"file1.json\"}").contains("glob.path"));
    assertTrue(answer(stubs, FIND,
        "{\"path\": \"/reports/2024/q1.pdf\", \"text\": \"file1.xml\"}").contains("glob.text"));
  }

  @Test
  void anyOf_isAndedWithTheBaseAndIgnoreArrayOrderIsNotInherited() throws Exception {
    StubSet stubs = stubs("""
        service: shop.Shop
        method: Find
        input:
          ignoreArrayOrder: true
          equals: {text: "t"}
          anyOf:
            - equals: {tags: ["a", "b"]}
            - ignoreArrayOrder: true
              equals: {items: [{sku: "1"}, {sku: "2"}]}
        output: {data: {}}
        """);
    assertEquals("#1", answer(stubs, FIND, "{\"text\": \"t\", \"tags\": [\"a\", \"b\"]}"));
    assertEquals("#1", answer(stubs, FIND,
        "{\"text\": \"t\", \"items\": [{\"sku\": \"2\"}, {\"sku\": \"1\"}]}"));
    assertTrue(answer(stubs, FIND, "{\"text\": \"t\", \"tags\": [\"b\", \"a\"]}")
        .contains("anyOf: none of 2"));
    assertTrue(answer(stubs, FIND, "{\"text\": \"u\", \"tags\": [\"a\", \"b\"]}")
        .contains("equals.text"));
  }

  @Test
  void headers_areMatchedByLowerCaseNameAndAStubWithHeadersNeedsSome() throws Exception {
    StubSet stubs = stubs("""
        service: shop.Shop
        method: Find
        headers: {equals: {X-Tenant: "acme"}, glob: {authorization: "Bearer *"}}
        output: {data: {}}
        """);
    assertEquals("#1", answer(stubs, FIND, "{}",
        Map.of("x-tenant", "acme", "authorization", "Bearer abc")));
    assertTrue(answer(stubs, FIND, "{}", Map.of("x-tenant", "acme", "authorization", "Basic x"))
        .contains("headers.glob.authorization"));
  }

  @Test
  void precedence_specificityBeatsPriorityAndPriorityBeatsFieldCount() throws Exception {
    StubSet stubs = stubs("""
        - service: shop.Shop
          method: Find
          priority: 1000
          input: {contains: {text: "a"}}
          output: {data: {result: "priority"}}
        - service: shop.Shop
          method: Find
          input: {equals: {text: "a", tags: ["x"]}}
          output: {data: {result: "specific"}}
        - service: shop.Shop
          method: Find
          priority: 5
          input: {matches: {text: "^b"}}
          output: {data: {result: "fewer fields, higher priority"}}
        - service: shop.Shop
          method: Find
          input: {matches: {text: "^b"}, equals: {active: false}}
          output: {data: {result: "more fields"}}
        - service: shop.Shop
          method: Find
          input: {equals: {text: "c"}}
          output: {data: {result: "first of two equal"}}
        - service: shop.Shop
          method: Find
          input: {equals: {text: "c"}}
          output: {data: {result: "second of two equal"}}
        """);
    assertEquals("#2", answer(stubs, FIND, "{\"text\": \"a\", \"tags\": [\"x\"]}"));
    assertEquals("#1", answer(stubs, FIND, "{\"text\": \"a\"}"));
    assertEquals("#3", answer(stubs, FIND, "{\"text\": \"bb\"}"));
    assertEquals("#5", answer(stubs, FIND, "{\"text\": \"c\"}"));
  }

  @Test
  void miss_namesTheClosestStubAndEveryFieldThatDiffered() throws Exception {
    StubSet stubs = stubs("""
        - service: shop.Shop
          method: Find
          input: {equals: {text: "x", tier: GOLD, active: true}}
          output: {data: {}}
        - service: shop.Shop
          method: Find
          input: {equals: {text: "y", tier: GOLD}}
          output: {data: {}}
        """);
    String miss = answer(stubs, FIND, "{\"text\": \"z\", \"tier\": \"GOLD\"}");
    assertEquals("no stub of shop.Shop/Find matches this request; the closest is test.yaml,"
        + " stub #2 (id " + stubs.stubs().get(1).id() + "): input.equals.text: wants \"y\","
        + " got \"z\"", miss);
  }

  @Test
  void clientStream_inputsMatchMessageByMessageAndOneInputMatchesEvery() throws Exception {
    StubSet stubs = stubs("""
        - service: shop.Shop
          method: Upload
          inputs:
            - equals: {sku: "a"}
            - equals: {sku: "b"}
          output: {data: {result: "a then b"}}
        - service: shop.Shop
          method: Upload
          inputs:
            - contains: {quantity: 1}
          output: {data: {result: "all ones"}}
        """);
    String upload = "shop.Shop/Upload";
    assertEquals("#1", stream(stubs, upload, "{\"sku\": \"a\"}", "{\"sku\": \"b\"}"));
    assertEquals("#2", stream(stubs, upload, "{\"quantity\": 1}", "{\"sku\": \"q\","
        + " \"quantity\": 1}", "{\"quantity\": 1}"));
    assertTrue(stream(stubs, upload, "{\"sku\": \"b\"}", "{\"sku\": \"a\"}")
        .contains("inputs[0].equals.sku: wants \"a\", got \"b\""));
  }

  private static String stream(StubSet stubs, String method, String... requests) {
    List<Map<String, Object>> trees = java.util.Arrays.stream(requests)
        .map(r -> stubs.tree(TestContract.request(method, r))).toList();
    StubSet.Selection selection = stubs.select(method, Map.of(), trees, false);
    return selection.stub() != null
        ? selection.stub().where().substring(selection.stub().where().indexOf('#'))
        : selection.miss();
  }
}
