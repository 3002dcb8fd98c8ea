package io.protogate.json;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes UTF-8 and refuses anything else, naming the byte offset where the input went wrong:
 * {@code InputStreamReader} replaces bad bytes with U+FFFD, which would send a request the user
 * never wrote. Returns what it has decoded without waiting for more, so that a request typed at a
 * terminal is read as soon as its line is.
 */
final class StrictUtf8Reader extends Reader {
  /** Input that is not UTF-8, with where it stops being UTF-8. */
  static final class NotUtf8Exception extends IOException {
    private static final long serialVersionUID = 1L;

    NotUtf8Exception(long offset) {
      super("the input is not valid UTF-8 at byte " + offset + " (counting from 0);"
          + " requests must be UTF-8");
    }
  }

  private final InputStream in;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteBuffer bytes = ByteBuffer.allocate(8192).flip();
  private final CharBuffer chars = CharBuffer.allocate(8192).flip();
  private long decodedBytes;
  private boolean endOfInput;

  StrictUtf8Reader(InputStream in) {
    this.in = in;
  }

  @Override
  public int read(char[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (!chars.hasRemaining()) {
      if (endOfInput && !bytes.hasRemaining()) {
        return -1;
      }
      decodeMore();
    }
    int n = Math.min(length, chars.remaining());
    chars.get(buffer, offset, n);
    return n;
  }

  private void decodeMore() throws IOException {
    if (!endOfInput) {
      bytes.compact();
      int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
      if (n < 0) {
        endOfInput = true;
      } else {
        bytes.position(bytes.position() + n);
      }
      bytes.flip();
    }
    chars.compact();
    int before = bytes.position();
    CoderResult result = decoder.decode(bytes, chars, endOfInput);
    if (!result.isError() && endOfInput) {
      result = decoder.flush(chars);
    }
    decodedBytes += bytes.position() - before;
    chars.flip();
    if (result.isError()) {
      throw new NotUtf8Exception(decodedBytes);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
