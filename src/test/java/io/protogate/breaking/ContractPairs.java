package io.protogate.breaking;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The reference table: contract changes (old, new) with the rule IDs {@code buf breaking
 * --against} (buf 1.75.0) reports for them under WIRE_JSON and under WIRE, and the rules only
 * Protogate adds (a service or method that disappears from a running server). A case's text is
 * one .proto file; "syntax = proto3" and a package named after the case are added unless it says
 * otherwise. An empty new text means the file was deleted. {@link BufAgreementTest} checks the
 * engine against every row, and re-derives the buf columns when buf is installed.
 */
final class ContractPairs {
  private ContractPairs() {}

  record Case(String name, String oldProto, String newProto, Set<String> bufWireJson,
      Set<String> bufWire, Set<String> gatewayOnly) {
    @Override
    public String toString() {
      return name;
    }

    /** The file the case compiles to, unique per case so that all cases fit in one image. */
    String file() {
      return name + "/contract.proto";
    }

    String source(String text) {
      if (text.isEmpty()) {
        return text;
      }
      String body = text.contains("syntax =") || text.contains("edition =") ? text
          : "syntax = \"proto3\";\n" + text;
      if (body.contains("package ")) {
        return body;
      }
      int afterSyntax = body.indexOf('\n') + 1;
      return body.substring(0, afterSyntax) + "package " + name + ";\n"
          + body.substring(afterSyntax);
    }
  }

  private static Set<String> rules(String ids) {
    return ids.isBlank() ? Set.of() : new TreeSet<>(List.of(ids.trim().split("\\s+")));
  }

  private static Case of(String name, String old, String now, String bufWireJson,
      String bufWire) {
    return new Case(name, old, now, rules(bufWireJson), rules(bufWire), Set.of());
  }

  private static Case gateway(String name, String old, String now, String bufWireJson,
      String bufWire, String gatewayOnly) {
    return new Case(name, old, now, rules(bufWireJson), rules(bufWire), rules(gatewayOnly));
  }

  private static final String NUMBER_RESERVED = "FIELD_NO_DELETE_UNLESS_NUMBER_RESERVED";
  private static final String NAME_RESERVED = "FIELD_NO_DELETE_UNLESS_NAME_RESERVED";
  private static final String JSON_TYPE = "FIELD_WIRE_JSON_COMPATIBLE_TYPE";
  private static final String WIRE_TYPE = "FIELD_WIRE_COMPATIBLE_TYPE";
  private static final String JSON_CARDINALITY = "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY";
  private static final String WIRE_CARDINALITY = "FIELD_WIRE_COMPATIBLE_CARDINALITY";

  static final List<Case> CASES = List.of(
      // Fields
      of("field_added",
          "message Item { string name = 1; }",
          "message Item { string name = 1; int32 count = 2; }",
          "", ""),
      of("field_deleted",
          "message Item { string name = 1; string note = 2; }",
          "message Item { string name = 1; }",
          NUMBER_RESERVED + " " + NAME_RESERVED, NUMBER_RESERVED),
      of("field_deleted_number_reserved",
          "message Item { string name = 1; string note = 2; }",
          "message Item { string name = 1; reserved 2; }",
          NAME_RESERVED, ""),
      of("field_deleted_name_reserved",
          "message Item { string name = 1; string note = 2; }",
          "message Item { string name = 1; reserved \"note\"; }",
          NUMBER_RESERVED, NUMBER_RESERVED),
      of("field_deleted_both_reserved",
          "message Item { string name = 1; string note = 2; }",
          "message Item { string name = 1; reserved 2; reserved \"note\"; }",
          "", ""),
      of("field_renumbered",
          "message HelloRequest { string data = 1; }",
          "message HelloRequest { string data = 3; }",
          NUMBER_RESERVED + " " + NAME_RESERVED, NUMBER_RESERVED),
      of("field_renamed",
          "message Item { string name = 1; }",
          "message Item { string title = 1; }",
          "FIELD_SAME_NAME FIELD_SAME_JSON_NAME", ""),
      of("field_json_name_changed",
          "message Item { string name = 1; }",
          "message Item { string name = 1 [json_name = \"label\"]; }",
          "FIELD_SAME_JSON_NAME", ""),
      of("field_renamed_json_name_kept",
          "message Item { string name = 1; }",
          "message Item { string title = 1 [json_name = \"name\"]; }",
          "FIELD_SAME_NAME", ""),
      of("type_int32_to_int64",
          "message Item { int32 count = 1; }",
          "message Item { int64 count = 1; }",
          JSON_TYPE, ""),
      of("type_int32_to_uint32",
          "message Item { int32 count = 1; }",
          "message Item { uint32 count = 1; }",
          "", ""),
      of("type_int64_to_bool",
          "message Item { int64 flag = 1; }",
          "message Item { bool flag = 1; }",
          JSON_TYPE, ""),
      of("type_sint32_to_sint64",
          "message Item { sint32 delta = 1; }",
          "message Item { sint64 delta = 1; }",
          JSON_TYPE, ""),
      of("type_fixed32_to_sfixed32",
          "message Item { fixed32 id = 1; }",
          "message Item { sfixed32 id = 1; }",
          "", ""),
      of("type_int32_to_string",
          "message Item { int32 count = 1; }",
          "message Item { string count = 1; }",
          JSON_TYPE, WIRE_TYPE),
      of("type_float_to_double",
          "message Item { float price = 1; }",
          "message Item { double price = 1; }",
          JSON_TYPE, WIRE_TYPE),
      of("type_string_to_bytes",
          "message Item { string blob = 1; }",
          "message Item { bytes blob = 1; }",
          JSON_TYPE, ""),
      of("type_bytes_to_string",
          "message Item { bytes blob = 1; }",
          "message Item { string blob = 1; }",
          JSON_TYPE, WIRE_TYPE),
      of("type_message_changed",
          "message A { string s = 1; } message B { string s = 1; } message Item { A part = 1; }",
          "message A { string s = 1; } message B { string s = 1; } message Item { B part = 1; }",
          JSON_TYPE, WIRE_TYPE),
      of("type_enum_to_int32",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; } message Item { Color color = 1; }",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; } message Item { int32 color = 1; }",
          JSON_TYPE, WIRE_TYPE),
      of("type_enum_changed",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; }"
              + " enum Shade { SHADE_UNSPECIFIED = 0; DARK = 1; }"
              + " message Item { Color color = 1; }",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; }"
              + " enum Shade { SHADE_UNSPECIFIED = 0; DARK = 1; }"
              + " message Item { Shade color = 1; }",
          JSON_TYPE, WIRE_TYPE),
      of("type_map_value_int32_to_int64",
          "message Item { map<string, int32> counts = 1; }",
          "message Item { map<string, int64> counts = 1; }",
          JSON_TYPE, ""),
      of("type_nested_message_field",
          "message Outer { message Inner { int32 n = 1; } Inner inner = 1; }",
          "message Outer { message Inner { string n = 1; } Inner inner = 1; }",
          JSON_TYPE, WIRE_TYPE),
      of("message_encoding_delimited",
          "edition = \"2023\";\npackage message_encoding_delimited;\n"
              + "message Part { string s = 1; } message Item { Part part = 1; }",
          "edition = \"2023\";\npackage message_encoding_delimited;\n"
              + "message Part { string s = 1; }"
              + " message Item { Part part = 1 [features.message_encoding = DELIMITED]; }",
          JSON_TYPE, WIRE_TYPE),
      of("singular_to_repeated",
          "message Item { string tag = 1; }",
          "message Item { repeated string tag = 1; }",
          JSON_CARDINALITY, WIRE_CARDINALITY),
      of("repeated_to_singular",
          "message Item { repeated int32 n = 1; }",
          "message Item { int32 n = 1; }",
          JSON_CARDINALITY, WIRE_CARDINALITY),
      of("implicit_to_explicit_presence",
          "message Item { string name = 1; }",
          "message Item { optional string name = 1; }",
          "", ""),
      of("field_presence_feature_changed",
          "edition = \"2023\";\npackage field_presence_feature_changed;\n"
              + "message Item { int32 n = 1; }",
          "edition = \"2023\";\npackage field_presence_feature_changed;\n"
              + "message Item { int32 n = 1 [features.field_presence = IMPLICIT]; }",
          "", ""),
      of("required_field_added",
          "syntax = \"proto2\";\nmessage Item { optional string name = 1; }",
          "syntax = \"proto2\";\n"
              + "message Item { optional string name = 1; required string sku = 2; }",
          "MESSAGE_SAME_REQUIRED_FIELDS", "MESSAGE_SAME_REQUIRED_FIELDS"),
      of("optional_made_required",
          "syntax = \"proto2\";\nmessage Item { optional string name = 1; }",
          "syntax = \"proto2\";\nmessage Item { required string name = 1; }",
          "MESSAGE_SAME_REQUIRED_FIELDS " + JSON_CARDINALITY,
          "MESSAGE_SAME_REQUIRED_FIELDS " + WIRE_CARDINALITY),
      of("required_made_optional",
          "syntax = \"proto2\";\nmessage Item { required string name = 1; }",
          "syntax = \"proto2\";\nmessage Item { optional string name = 1; }",
          "MESSAGE_SAME_REQUIRED_FIELDS " + JSON_CARDINALITY,
          "MESSAGE_SAME_REQUIRED_FIELDS " + WIRE_CARDINALITY),
      of("legacy_required_feature_added",
          "edition = \"2023\";\npackage legacy_required_feature_added;\n"
              + "message Item { string name = 1; }",
          "edition = \"2023\";\npackage legacy_required_feature_added;\n"
              + "message Item { string name = 1 [features.field_presence = LEGACY_REQUIRED]; }",
          JSON_CARDINALITY, WIRE_CARDINALITY),
      of("field_moved_into_oneof",
          "message Item { string name = 1; int32 id = 2; }",
          "message Item { oneof key { string name = 1; int32 id = 2; } }",
          "FIELD_SAME_ONEOF", "FIELD_SAME_ONEOF"),
      of("field_moved_out_of_oneof",
          "message Item { oneof key { string name = 1; int32 id = 2; } }",
          "message Item { string name = 1; oneof key { int32 id = 2; } }",
          "FIELD_SAME_ONEOF", "FIELD_SAME_ONEOF"),
      of("oneof_renamed",
          "message Item { oneof key { string name = 1; } }",
          "message Item { oneof id { string name = 1; } }",
          "FIELD_SAME_ONEOF", "FIELD_SAME_ONEOF"),
      of("default_changed",
          "syntax = \"proto2\";\nmessage Item { optional int32 size = 1 [default = 5]; }",
          "syntax = \"proto2\";\nmessage Item { optional int32 size = 1 [default = 6]; }",
          "FIELD_SAME_DEFAULT", "FIELD_SAME_DEFAULT"),
      of("default_same_value_new_type",
          "syntax = \"proto2\";\nmessage Item { optional int32 size = 1 [default = 5]; }",
          "syntax = \"proto2\";\nmessage Item { optional int64 size = 1 [default = 5]; }",
          JSON_TYPE, ""),
      of("reserved_range_deleted",
          "message Item { string name = 1; reserved 2 to 4; }",
          "message Item { string name = 1; }",
          "RESERVED_MESSAGE_NO_DELETE", "RESERVED_MESSAGE_NO_DELETE"),
      of("reserved_number_reused",
          "message Item { string name = 1; reserved 2 to 4; }",
          "message Item { string name = 1; string note = 3; reserved 2, 4; }",
          "RESERVED_MESSAGE_NO_DELETE", "RESERVED_MESSAGE_NO_DELETE"),
      of("reserved_range_widened",
          "message Item { string name = 1; reserved 2 to 4; }",
          "message Item { string name = 1; reserved 2 to 9; }",
          "", ""),
      of("reserved_name_deleted",
          "message Item { string name = 1; reserved \"note\"; }",
          "message Item { string name = 1; }",
          "RESERVED_MESSAGE_NO_DELETE", "RESERVED_MESSAGE_NO_DELETE"),
      of("message_deleted",
          "message Item { string name = 1; } message Unused { string s = 1; }",
          "message Item { string name = 1; }",
          "", ""),
      of("message_json_format_legacy",
          "edition = \"2023\";\npackage message_json_format_legacy;\n"
              + "message Item { string name = 1; }",
          "edition = \"2023\";\npackage message_json_format_legacy;\n"
              + "message Item { option features.json_format = LEGACY_BEST_EFFORT;"
              + " string name = 1; }",
          "MESSAGE_SAME_JSON_FORMAT", ""),
      of("proto3_to_proto2",
          "message Item { optional string name = 1; }",
          "syntax = \"proto2\";\npackage proto3_to_proto2;\n"
              + "message Item { optional string name = 1; }",
          "MESSAGE_SAME_JSON_FORMAT", ""),
      of("utf8_validation_feature_changed",
          "edition = \"2023\";\npackage utf8_validation_feature_changed;\n"
              + "message Item { string name = 1; }",
          "edition = \"2023\";\npackage utf8_validation_feature_changed;\n"
              + "message Item { string name = 1 [features.utf8_validation = NONE]; }",
          "", ""),
      of("repeated_field_encoding_expanded",
          "edition = \"2023\";\npackage repeated_field_encoding_expanded;\n"
              + "message Item { repeated int32 n = 1; }",
          "edition = \"2023\";\npackage repeated_field_encoding_expanded;\n"
              + "message Item { repeated int32 n = 1"
              + " [features.repeated_field_encoding = EXPANDED]; }",
          "", ""),
      of("extension_type_changed",
          "syntax = \"proto2\";\nmessage Item { extensions 100 to 200; }"
              + " extend Item { optional int32 weight = 100; }",
          "syntax = \"proto2\";\nmessage Item { extensions 100 to 200; }"
              + " extend Item { optional string weight = 100; }",
          JSON_TYPE, WIRE_TYPE),
      of("field_numbers_swapped",
          "message Item { string name = 1; string note = 2; }",
          "message Item { string note = 1; string name = 2; }",
          "FIELD_SAME_NAME FIELD_SAME_JSON_NAME", ""),
      of("proto3_optional_into_oneof",
          "message Item { optional string name = 1; }",
          "message Item { oneof key { string name = 1; } }",
          "FIELD_SAME_ONEOF", "FIELD_SAME_ONEOF"),
      of("default_removed",
          "syntax = \"proto2\";\nmessage Item { optional int32 size = 1 [default = 5]; }",
          "syntax = \"proto2\";\nmessage Item { optional int32 size = 1; }",
          "FIELD_SAME_DEFAULT", "FIELD_SAME_DEFAULT"),
      of("default_uint64_above_int64",
          "syntax = \"proto2\";\n"
              + "message Item { optional uint64 id = 1 [default = 18446744073709551615]; }",
          "syntax = \"proto2\";\n"
              + "message Item { optional uint64 id = 1 [default = 9223372036854775807]; }",
          "FIELD_SAME_DEFAULT", "FIELD_SAME_DEFAULT"),
      of("default_float_made_double",
          "syntax = \"proto2\";\nmessage Item { optional float ratio = 1 [default = 0.1]; }",
          "syntax = \"proto2\";\nmessage Item { optional double ratio = 1 [default = 0.1]; }",
          JSON_TYPE, WIRE_TYPE),
      of("default_string_made_bytes",
          "syntax = \"proto2\";\nmessage Item { optional string tag = 1 [default = \"x\"]; }",
          "syntax = \"proto2\";\nmessage Item { optional bytes tag = 1 [default = \"x\"]; }",
          JSON_TYPE, ""),
      of("group_field_type_changed",
          "syntax = \"proto2\";\n"
              + "message Item { optional group Part = 1 { optional int32 n = 2; } }",
          "syntax = \"proto2\";\nmessage Part { optional int32 n = 2; }"
              + " message Item { optional Part part = 1; }",
          JSON_TYPE, WIRE_TYPE),
      of("nested_enum_value_deleted",
          "message Item { enum Kind { KIND_UNSPECIFIED = 0; BOOK = 1; } Kind kind = 1; }",
          "message Item { enum Kind { KIND_UNSPECIFIED = 0; } Kind kind = 1; }",
          "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED",
          "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED"),
      of("enum_value_renumbered",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; }",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 2; }",
          "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED",
          "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED"),
      of("enum_alias_removed",
          "enum Color { option allow_alias = true; COLOR_UNSPECIFIED = 0; RED = 1;"
              + " CRIMSON = 1; }",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; }",
          "ENUM_VALUE_SAME_NAME", ""),
      of("enum_field_to_same_named_enum_with_more_values",
          "package enum_same_name.a;\nenum Color { COLOR_UNSPECIFIED = 0; RED = 1; }"
              + " message Item { Color color = 1; }",
          "package enum_same_name.a;\nmessage Item { message Inner {"
              + " enum Color { COLOR_UNSPECIFIED = 0; RED = 1; BLUE = 2; } }"
              + " Inner.Color color = 1; }",
          "", ""),
      // Enums
      of("enum_value_added",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; }",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; BLUE = 2; }",
          "", ""),
      of("enum_value_deleted",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; BLUE = 2; }",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; }",
          "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED ENUM_VALUE_NO_DELETE_UNLESS_NAME_RESERVED",
          "ENUM_VALUE_NO_DELETE_UNLESS_NUMBER_RESERVED"),
      of("enum_value_deleted_reserved",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; BLUE = 2; }",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; reserved 2; reserved \"BLUE\"; }",
          "", ""),
      of("enum_value_renamed",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; }",
          "enum Color { COLOR_UNSPECIFIED = 0; CRIMSON = 1; }",
          "ENUM_VALUE_SAME_NAME", ""),
      of("enum_alias_added",
          "enum Color { COLOR_UNSPECIFIED = 0; RED = 1; }",
          "enum Color { option allow_alias = true; COLOR_UNSPECIFIED = 0; RED = 1;"
              + " CRIMSON = 1; }",
          "", ""),
      of("enum_reserved_range_deleted",
          "enum Color { COLOR_UNSPECIFIED = 0; reserved 5 to max; }",
          "enum Color { COLOR_UNSPECIFIED = 0; reserved 5 to 10; }",
          "RESERVED_ENUM_NO_DELETE", "RESERVED_ENUM_NO_DELETE"),
      of("enum_reserved_name_deleted",
          "enum Color { COLOR_UNSPECIFIED = 0; reserved \"GREEN\"; }",
          "enum Color { COLOR_UNSPECIFIED = 0; }",
          "RESERVED_ENUM_NO_DELETE", "RESERVED_ENUM_NO_DELETE"),
      of("enum_deleted",
          "message Item { string name = 1; } enum Unused { UNUSED_UNSPECIFIED = 0; }",
          "message Item { string name = 1; }",
          "", ""),
      of("enum_json_format_legacy",
          "edition = \"2023\";\npackage enum_json_format_legacy;\n"
              + "enum Color { COLOR_UNSPECIFIED = 0; }",
          "edition = \"2023\";\npackage enum_json_format_legacy;\n"
              + "enum Color { option features.json_format = LEGACY_BEST_EFFORT;"
              + " COLOR_UNSPECIFIED = 0; }",
          "ENUM_SAME_JSON_FORMAT", ""),
      of("enum_type_closed",
          "edition = \"2023\";\npackage enum_type_closed;\n"
              + "enum Color { COLOR_UNSPECIFIED = 0; }",
          "edition = \"2023\";\npackage enum_type_closed;\n"
              + "enum Color { option features.enum_type = CLOSED; COLOR_UNSPECIFIED = 0; }",
          "", ""),
      // Services and files
      of("method_added",
          "message M {} service S { rpc A(M) returns (M); }",
          "message M {} service S { rpc A(M) returns (M); rpc B(M) returns (M); }",
          "", ""),
      gateway("method_deleted",
          "message M {} service S { rpc A(M) returns (M); rpc B(M) returns (M); }",
          "message M {} service S { rpc A(M) returns (M); }",
          "", "", "RPC_NO_DELETE"),
      gateway("service_renamed",
          "message M {} service S { rpc A(M) returns (M); }",
          "message M {} service T { rpc A(M) returns (M); }",
          "", "", "SERVICE_NO_DELETE"),
      of("request_type_changed",
          "message M {} message N {} service S { rpc A(M) returns (M); }",
          "message M {} message N {} service S { rpc A(N) returns (M); }",
          "RPC_SAME_REQUEST_TYPE", "RPC_SAME_REQUEST_TYPE"),
      of("response_type_changed",
          "message M {} message N {} service S { rpc A(M) returns (M); }",
          "message M {} message N {} service S { rpc A(M) returns (N); }",
          "RPC_SAME_RESPONSE_TYPE", "RPC_SAME_RESPONSE_TYPE"),
      of("unary_to_server_streaming",
          "message M {} service S { rpc A(M) returns (M); }",
          "message M {} service S { rpc A(M) returns (stream M); }",
          "RPC_SAME_SERVER_STREAMING", "RPC_SAME_SERVER_STREAMING"),
      of("unary_to_client_streaming",
          "message M {} service S { rpc A(M) returns (M); }",
          "message M {} service S { rpc A(stream M) returns (M); }",
          "RPC_SAME_CLIENT_STREAMING", "RPC_SAME_CLIENT_STREAMING"),
      of("bidi_to_unary",
          "message M {} service S { rpc A(stream M) returns (stream M); }",
          "message M {} service S { rpc A(M) returns (M); }",
          "RPC_SAME_CLIENT_STREAMING RPC_SAME_SERVER_STREAMING",
          "RPC_SAME_CLIENT_STREAMING RPC_SAME_SERVER_STREAMING"),
      of("idempotency_level_changed",
          "message M {} service S { rpc A(M) returns (M); }",
          "message M {} service S { rpc A(M) returns (M) {"
              + " option idempotency_level = NO_SIDE_EFFECTS; } }",
          "RPC_SAME_IDEMPOTENCY_LEVEL", "RPC_SAME_IDEMPOTENCY_LEVEL"),
      gateway("package_changed",
          "package package_changed.v1;\nmessage M {} service S { rpc A(M) returns (M); }",
          "package package_changed.v2;\nmessage M {} service S { rpc A(M) returns (M); }",
          "FILE_SAME_PACKAGE", "FILE_SAME_PACKAGE", "SERVICE_NO_DELETE"),
      gateway("file_deleted",
          "message M {} service S { rpc A(M) returns (M); }",
          "",
          "", "", "SERVICE_NO_DELETE"),
      of("comments_and_order_only",
          "message Item { string name = 1; int32 count = 2; }",
          "// An item.\nmessage Item {\n  int32 count = 2;\n  // Its name.\n  string name = 1;\n}",
          "", ""));
}
