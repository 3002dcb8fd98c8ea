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
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The requests of a call, read one JSON object at a time from a stream (objects concatenated or
 * one per line), each parsed as soon as it is complete, so an interactive session sends a request
 * the moment it is typed. Errors say which request was wrong.
 */
public final class JsonRequests implements Iterator<DynamicMessage> {
  private final JsonReader reader;
  private final JsonCodec codec;
  private final Descriptor type;
  private int count;

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
    } catch (MalformedJsonException e) {
      throw malformed(e.getMessage());
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
    JsonElement element;
    try {
      element = JsonParser.parseReader(reader);
    } catch (JsonParseException e) {
      throw malformed(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
    }
    if (!element.isJsonObject()) {
      throw new IllegalArgumentException(
          where() + "expected a JSON object for " + type.getFullName() + ", got " + element);
    }
    try {
      return codec.parse(element.toString(), type);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where() + e.getMessage(), e);
    }
  }

  private String where() {
    return count > 1 ? "request " + count + ": " : "";
  }

  private IllegalArgumentException malformed(String problem) {
    return new IllegalArgumentException(
        where() + "malformed JSON: " + problem + "; requests are JSON objects, like {\"name\": 1}");
  }

}
