package io.protogate.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Percent-decoding as {@code google.api.http} wants it, which {@code URLDecoder} does not do: a
 * {@code +} is a space only in a query, and a multi-segment path variable keeps {@code %2F} so
 * that its slashes stay distinguishable from the encoded ones. One pass only: {@code %2523} is
 * {@code %23}, never {@code #} (grpc-httpjson-transcoding #44).
 */
final class Decoding {
  private Decoding() {}

  /**
   * Decodes {@code raw}; {@code plusIsSpace} for query strings, {@code keepSlash} for multi-segment
   * variables. A broken escape or invalid UTF-8 is an {@link IllegalArgumentException}.
   */
  static String percentDecode(String raw, boolean plusIsSpace, boolean keepSlash) {
    if (raw.indexOf('%') < 0 && !(plusIsSpace && raw.indexOf('+') >= 0)) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw new IllegalArgumentException("'" + raw + "' has a broken percent-escape at " + i);
        }
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          throw new IllegalArgumentException("'" + raw + "' has a broken percent-escape at " + i);
        }
        int b = high * 16 + low;
        if (keepSlash && b == '/') {
          bytes.write('%');
          bytes.write(raw.charAt(i + 1));
          bytes.write(raw.charAt(i + 2));
        } else {
          bytes.write(b);
        }
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.write(' ');
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < raw.length()) {
          utf8 = raw.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.writeBytes(utf8);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("'" + raw + "' does not decode to UTF-8 text");
    }
  }
}
