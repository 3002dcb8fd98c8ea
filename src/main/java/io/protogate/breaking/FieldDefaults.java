package io.protogate.breaking;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.JavaType;
import com.google.protobuf.Descriptors.FieldDescriptor.Type;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * FIELD_SAME_DEFAULT: a reader fills an absent field with its default, so a changed default
 * changes what callers that omit the field mean. Defaults compare by value across types (5 as an
 * int32 equals 5 as an int64), as buf compares them: a type change has its own rule.
 */
final class FieldDefaults {
  private FieldDefaults() {}

  static void compare(Report report, FieldDescriptor old, FieldDescriptor now, String subject) {
    if (!canHaveDefault(old) || !canHaveDefault(now)) {
      return;
    }
    Object was = value(old);
    Object is = value(now);
    if (isZero(was) && isZero(is) || same(was, is)) {
      return;
    }
    report.add("FIELD_SAME_DEFAULT", now, subject, "default changed from " + printable(old, was)
        + " to " + printable(now, is) + "; callers that leave it unset now mean something else");
  }

  private static boolean canHaveDefault(FieldDescriptor field) {
    return !field.isRepeated() && field.getJavaType() != JavaType.MESSAGE;
  }

  /** The default as bytes (string, bytes), a number (BigDecimal, Float, Double) or a bool. */
  private static Object value(FieldDescriptor field) {
    Object value = field.getDefaultValue();
    return switch (field.getType()) {
      case STRING -> ByteString.copyFrom((String) value, StandardCharsets.UTF_8);
      case ENUM -> BigDecimal.valueOf(((EnumValueDescriptor) value).getNumber());
      case UINT32, FIXED32 -> BigDecimal.valueOf(Integer.toUnsignedLong((Integer) value));
      case UINT64, FIXED64 -> new BigDecimal(Long.toUnsignedString((Long) value));
      case INT32, SINT32, SFIXED32 -> BigDecimal.valueOf((Integer) value);
      case INT64, SINT64, SFIXED64 -> BigDecimal.valueOf((Long) value);
      case BOOL -> BigDecimal.valueOf((Boolean) value ? 1 : 0);
      default -> value; // float, double, bytes
    };
  }

  private static boolean isZero(Object value) {
    if (value instanceof ByteString bytes) {
      return bytes.isEmpty();
    } else if (value instanceof Float f) {
      return Float.floatToRawIntBits(f) == 0;
    } else if (value instanceof Double d) {
      return Double.doubleToRawLongBits(d) == 0;
    }
    return ((BigDecimal) value).signum() == 0;
  }

  private static boolean same(Object was, Object is) {
    if (was instanceof ByteString || is instanceof ByteString) {
      return was.equals(is);
    }
    // A float default made a double (or back) keeps the float's precision only.
    if (was instanceof Float f && is instanceof Double d) {
      return sameFloat(f, d);
    }
    if (was instanceof Double d && is instanceof Float f) {
      return sameFloat(f, d);
    }
    double wasDouble = asDouble(was);
    double isDouble = asDouble(is);
    if (Double.isNaN(wasDouble) || Double.isNaN(isDouble) || Double.isInfinite(wasDouble)
        || Double.isInfinite(isDouble)) {
      return Double.compare(wasDouble, isDouble) == 0;
    }
    return asDecimal(was).compareTo(asDecimal(is)) == 0;
  }

  private static boolean sameFloat(float f, double d) {
    return Float.isNaN(f) && Double.isNaN(d) || f == (float) d;
  }

  private static double asDouble(Object value) {
    return value instanceof BigDecimal decimal ? decimal.doubleValue() : ((Number) value)
        .doubleValue();
  }

  private static BigDecimal asDecimal(Object value) {
    return value instanceof BigDecimal decimal ? decimal : new BigDecimal(((Number) value)
        .doubleValue());
  }

  private static String printable(FieldDescriptor field, Object value) {
    if (field.getType() == Type.ENUM) {
      return ((EnumValueDescriptor) field.getDefaultValue()).getName();
    } else if (field.getType() == Type.STRING) {
      return "\"" + field.getDefaultValue() + "\"";
    } else if (value instanceof ByteString bytes) {
      return "bytes \"" + bytes.toStringUtf8() + "\"";
    } else if (value instanceof BigDecimal decimal && field.getType() != Type.BOOL) {
      return decimal.toPlainString();
    }
    return String.valueOf(field.getDefaultValue());
  }
}
