package io.protogate.json;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The requests of a call, read one JSON object at a time from a stream (objects concatenated or
 * one per line), each parsed as soon as it is complete, so an interactive session sends a request
 * the moment it is typed. Errors say which request was wrong.
 */
public final class JsonRequests implements Iterator<DynamicMessage> {
  private final JsonReader reader;
  private final JsonCodec codec;
  private final Descriptor type;
  private static final int EXCERPT_LENGTH = 60;
  private static final Pattern LOCATION = Pattern.compile("at line \\d+ column \\d+");

  private int count;
  private String position = "";

  /** Requests read from {@code input}, which must be UTF-8. */
  public static JsonRequests fromUtf8(InputStream input, JsonCodec codec, Descriptor type) {
    return new JsonRequests(new StrictUtf8Reader(input), codec, type);
  }

  public JsonRequests(Reader input, JsonCodec codec, Descriptor type) {
    this.reader = new JsonReader(input);
    this.reader.setStrictness(Strictness.LENIENT);
    this.codec = codec;
    this.type = type;
  }

  @Override
  public boolean hasNext() {
    try {
      return reader.peek() != JsonToken.END_DOCUMENT;
    } catch (EOFException e) {
      // Gson's way of saying the input held nothing but white space: no (more) requests.
      return false;
    } catch (MalformedJsonException e) {
      throw malformed(e.getMessage());
    } catch (StrictUtf8Reader.NotUtf8Exception e) {
      throw new IllegalArgumentException(where() + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public DynamicMessage next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    count++;
    position = location(reader.toString());
    JsonElement element;
    try {
      element = JsonParser.parseReader(reader);
    } catch (JsonParseException e) {
      if (e.getCause() instanceof StrictUtf8Reader.NotUtf8Exception notUtf8) {
        throw new IllegalArgumentException(where() + notUtf8.getMessage(), notUtf8);
      }
      throw malformed(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
    }
    if (!element.isJsonObject()) {
      throw new IllegalArgumentException(where() + "expected a JSON object for "
          + type.getFullName() + ", got " + excerpt(element.toString()));
    }
    try {
      return codec.parse(element.toString(), type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where() + e.getMessage(), e);
    }
  }

  private String where() {
    return count > 1 ? "request " + count + position + ": " : "";
  }

  /** Gson names a place only in its messages and {@code toString}, as "at line L column C". */
  private static String location(String described) {
    Matcher at = LOCATION.matcher(described);
    return at.find() ? " (" + at.group() + ")" : "";
  }

  private IllegalArgumentException malformed(String problem) {
    return new IllegalArgumentException(where() + "malformed JSON: " + excerpt(problem)
        + "; requests are JSON objects, like {\"name\": 1}");
  }

  private static String excerpt(String text) {
    return excerpt(text, EXCERPT_LENGTH);
  }

  /** At most {@code length} characters of what may be a huge input: an error stays one line. */
  static String excerpt(String text, int length) {
    return text.length() <= length ? text
        : text.substring(0, length) + "... (" + text.length() + " characters)";
  }

}
