package io.protogate.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Timestamp;
import io.protogate.descriptor.BundledDescriptors;
import io.protogate.descriptor.Schema;
import io.protogate.descriptor.SchemaLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldsTest {
  private static final Schema SCHEMA = SchemaLoader.fromSources(BundledDescriptors.sources());

  private static DynamicMessage.Builder builder(String type) {
    return DynamicMessage.newBuilder(SCHEMA.findMessage(type).orElseThrow());
  }

  @Test
  void setAndGet_nestedPath_createsParents() {
    DynamicMessage request = Fields.set(builder("HelloRequest"), "skill.name", "engineer").build();

    assertEquals("engineer", Fields.getString(request, "skill.name"));
    assertEquals("", Fields.getString(request, "data"));
  }

  @Test
  void get_unsetMessage_readsAsDefaults() {
    assertEquals("", Fields.getString(builder("HelloRequest").build(), "skill.name"));
  }

  @Test
  void set_mapFromAJavaMap_andJsonNameAccepted() {
    DynamicMessage response =
        Fields.set(builder("HelloResponse"), "mapResult", Map.of("12", 1232L)).build();

    assertEquals(1, response.getRepeatedFieldCount(
        response.getDescriptorForType().findFieldByName("map_result")));
    DynamicMessage entry = (DynamicMessage) response.getRepeatedField(
        response.getDescriptorForType().findFieldByName("map_result"), 0);
    assertEquals("12", Fields.getString(entry, "key"));
    assertEquals(1232L, Fields.getLong(entry, "value"));
  }

  @Test
  void set_generatedWellKnownType_isCarriedIntoTheSchemasType() {
    Timestamp at = Timestamp.newBuilder().setSeconds(42).build();

    DynamicMessage tick = Fields.set(builder("protogate.demo.Tick"), "at", at).build();

    assertEquals(42L, Fields.getLong(tick, "at.seconds"));
  }

  @Test
  void unknownField_namesTheTypeAndListsItsFields() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Fields.get(builder("HelloRequest").build(), "skil.name"));

    assertTrue(e.getMessage().contains("HelloRequest has no field 'skil'"), e.getMessage());
    assertTrue(e.getMessage().contains("[data, skill]"), e.getMessage());
  }

  @Test
  void pathThroughAScalar_namesTheFieldThatIsNotAMessage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Fields.get(builder("HelloRequest").build(), "data.length"));

    assertTrue(e.getMessage().contains("field 'data' of HelloRequest is not a singular message"),
        e.getMessage());
  }
}
