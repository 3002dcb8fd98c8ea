package io.protogate.stub;

import static io.protogate.stub.TestContract.stubs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.protogate.contract.Contract;
import io.protogate.contract.ContractException;
import io.protogate.contract.LiveContract;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stubs are refused, with file, position, path and a suggestion, when they do not fit. */
class StubValidationTest {
  private static String refusal(String yaml) {
    return assertThrows(StubException.class, () -> stubs(yaml)).getMessage();
  }

  @Test
  void unknownService_isRefusedWithTheNearestName() {
    assertEquals("test.yaml, stub #1: service \"shop.Shpo\" is not in the contract; did you mean"
        + " \"shop.Shop\"?; the contract has [inventory.InventoryService, UserService,"
        + " SearchService, shop.Shop]", refusal("""
        service: shop.Shpo
        method: Find
        output: {data: {}}
        """));
  }

  @Test
  void serviceWithoutPackage_isFoundWhenUnambiguous() throws Exception {
    assertEquals("shop.Shop/Find", stubs("""
        service: Shop
        method: Find
        output: {data: {}}
        """).stubs().get(0).fullMethod());
  }

  @Test
  void unknownMethod_isRefusedWithTheNearestName() {
    assertTrue(refusal("""
        - service: shop.Shop
          method: Find
          output: {data: {}}
        - service: shop.Shop
          method: find
          output: {data: {}}
        """).startsWith("test.yaml, stub #2: shop.Shop has no method \"find\"; did you mean"
        + " \"Find\"?"));
  }

  @Test
  void unknownField_isRefusedWithItsPathAndTheNearestField() {
    assertEquals("test.yaml, stub #1 (shop.Shop/Find): input.contains.item.skuu: shop.Item has no"
        + " field \"skuu\"; did you mean \"sku\"?; it has [sku, quantity]", refusal("""
        service: shop.Shop
        method: Find
        input: {contains: {item: {skuu: "x"}}}
        output: {data: {}}
        """));
    assertTrue(refusal("""
        service: shop.Shop
        method: Find
        output: {data: {reslt: "x"}}
        """).contains("output.data.reslt: shop.Answer has no field \"reslt\"; did you mean"
        + " \"result\"?"));
  }

  @Test
  void wrongValueType_isRefusedNamingTheFieldType() {
    assertEquals("test.yaml, stub #1 (shop.Shop/Find): input.equals.user_id: shop.Query.user_id"
        + " is int64: expected a whole number, found \"abc\"", refusal("""
        service: shop.Shop
        method: Find
        input: {equals: {user_id: "abc"}}
        output: {data: {}}
        """));
    assertTrue(refusal("""
        service: shop.Shop
        method: Find
        output: {data: {tier: GLOD}}
        """).contains("output.data.tier: shop.Tier has no value GLOD; did you mean \"GOLD\"?"));
    assertTrue(refusal("""
        service: shop.Shop
        method: Find
        output: {data: {hits: "one"}}
        """).contains("shop.Answer.hits is repeated string: expected a list"));
  }

  @Test
  void badShapes_areRefused() {
    assertTrue(refusal("""
        service: shop.Shop
        method: Find
        output: {stream: [{result: "a"}]}
        """).contains("output.stream is for methods that stream responses"));
    assertTrue(refusal("""
        service: shop.Shop
        method: Find
        input: {matches: {text: "("}}
        output: {data: {}}
        """).contains("invalid regular expression \"(\""));
    assertTrue(refusal("""
        service: shop.Shop
        method: Find
        input: {equal: {text: "a"}}
        output: {data: {}}
        """).contains("unknown key \"equal\"; did you mean \"equals\"?"));
    assertTrue(refusal("""
        service: shop.Shop
        method: Find
        output: {error: "x", code: 42}
        """).contains("output.code: expected a gRPC status code 0-16 or its name, found 42"));
    assertTrue(refusal("""
        service: shop.Shop
        method: Find
        output: {data: {}, delay: soon}
        """).contains("\"soon\" is not a duration"));
    assertTrue(refusal("""
        service: shop.Shop
        method: Find
        output: {error: "x", code: 3, details: [{type: "type.googleapis.com/google.rpc.Nope"}]}
        """).contains("unknown detail type type.googleapis.com/google.rpc.Nope"));
  }

  @Test
  void files_areReadFromJsonAndYamlAndBrokenOnesNamed(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.json"), """
        [{"service": "shop.Shop", "method": "Find", "output": {"data": {"result": "json"}}}]
        """);
    Files.writeString(dir.resolve("b.yml"), """
        service: shop.Shop
        method: Find
        output: {data: {result: yaml}}
        ---
        service: shop.Shop
        method: Watch
        output: {stream: [{result: yaml}]}
        """);
    Files.writeString(dir.resolve("notes.txt"), "not a stub");
    List<Stub> read = StubFiles.read(dir);
    assertEquals(3, StubSet.of(TestContract.SCHEMA, read).stubs().size());
    assertTrue(read.get(2).where().endsWith("b.yml, stub #2"));
    Files.writeString(dir.resolve("c.yaml"), "service: [unclosed");
    assertTrue(assertThrows(StubException.class, () -> StubFiles.read(dir)).getMessage()
        .contains("c.yaml: not valid YAML"));
  }

  @Test
  void contractSwap_leavingAStubInvalid_isRefused() throws Exception {
    Schema hello = SchemaLoader.fromSources(BundledDescriptors.sources());
    LiveContract live = LiveContract.of(Contract.of(TestContract.SCHEMA)
        .with(Stubs.FILES, StubFiles.parse("shop.yaml", """
            service: shop.Shop
            method: Find
            output: {data: {result: "x"}}
            """)));
    live.register(Stubs.CHECKED);
    assertTrue(live.current().part(Stubs.CHECKED).answers("shop.Shop/Find"));
    ContractException refused = assertThrows(ContractException.class,
        () -> live.update(current -> current.withSchema(hello)));
    assertTrue(refused.getMessage().contains("this change would leave stubs invalid"),
        refused.getMessage());
    assertTrue(refused.getMessage().contains("shop.yaml, stub #1: service \"shop.Shop\" is not"
        + " in the contract"), refused.getMessage());
    assertEquals(TestContract.SCHEMA, live.current().schema());
  }
}
