package io.protogate.descriptor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class DescriptorSourceTest {
  @Test
  void equality_comparesNameAndBytes_notArrayIdentity() {
    DescriptorSource one = new DescriptorSource("a.desc", new byte[] {1, 2, 3});
    DescriptorSource same = new DescriptorSource("a.desc", new byte[] {1, 2, 3});

    assertEquals(one, same);
    assertEquals(one.hashCode(), same.hashCode());
    assertNotEquals(one, new DescriptorSource("a.desc", new byte[] {1, 2, 4}));
    assertNotEquals(one, new DescriptorSource("b.desc", new byte[] {1, 2, 3}));
  }

  @Test
  void bytes_changingTheArrayInOrOutLeavesTheValueAlone() {
    byte[] bytes = {1, 2, 3};
    DescriptorSource source = new DescriptorSource("a.desc", bytes);

    bytes[0] = 9;
    source.bytes()[1] = 9;

    assertArrayEquals(new byte[] {1, 2, 3}, source.bytes());
  }
}
