package io.protogate.stub;

import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads GripMock stub files: every {@code *.json}, {@code *.yaml} and {@code *.yml} under a
 * directory (sub-directories included, in name order), each holding one stub or a list of them
 * (YAML files may also hold several documents). Reading only checks the format; {@link
 * StubValidation} checks stubs against a contract.
 */
public final class StubFiles {
  private StubFiles() {}

  /** True for the file names a stub directory is read for. */
  public static boolean isStubFile(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".json") || name.endsWith(".yaml") || name.endsWith(".yml");
  }

  /** Every stub of every stub file under {@code directory} (or of the one file given). */
  public static List<Stub> read(Path directory) throws StubException {
    List<Path> files;
    if (Files.isRegularFile(directory)) {
      files = List.of(directory);
    } else {
      if (!Files.isDirectory(directory)) {
        throw new StubException(directory + ": no such directory; --stubs takes a directory of"
            + " *.json, *.yaml or *.yml stub files");
      }
      try (Stream<Path> walk = Files.walk(directory)) {
        files = walk.filter(Files::isRegularFile).filter(StubFiles::isStubFile).sorted().toList();
      } catch (IOException e) {
        throw new StubException(directory + ": cannot list: " + e.getMessage());
      }
    }
    List<Stub> stubs = new ArrayList<>();
    for (Path file : files) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new StubException(file + ": cannot read: " + e.getMessage());
      }
      if (text.isBlank()) {
        // Most often a file caught between an editor's truncate and write: serving "no stubs"
        // for that moment would fail every call, so the previous stubs stay instead.
        throw new StubException(file + ": empty; give it a stub or a list of stubs, or delete it"
            + " to remove its stubs");
      }
      stubs.addAll(parse(file.toString(), text));
    }
    return List.copyOf(stubs);
  }

  /** The stubs in one file's text; {@code name} (a path) says whether it is JSON or YAML. */
  public static List<Stub> parse(String name, String text) throws StubException {
    List<Object> documents = new ArrayList<>();
    try {
      if (name.toLowerCase(Locale.ROOT).endsWith(".json")) {
        documents.add(Trees.parse(text));
      } else {
        new Load(LoadSettings.builder().setLabel(name).build())
            .loadAllFromString(text)
            .forEach(documents::add);
      }
    } catch (JsonParseException | YamlEngineException e) {
      throw new StubException(name + ": not valid " + (name.endsWith(".json") ? "JSON" : "YAML")
          + ": " + firstLine(e.getMessage()));
    }
    List<Object> trees = new ArrayList<>();
    for (Object document : documents) {
      if (document instanceof List<?> list) {
        trees.addAll(list);
      } else if (document != null) {
        trees.add(document);
      }
    }
    List<Stub> stubs = new ArrayList<>();
    for (int i = 0; i < trees.size(); i++) {
      String where = name + ", stub #" + (i + 1);
      stubs.add(Stub.fromTree(trees.get(i), where, Stub.idFor(where)));
    }
    return stubs;
  }

  private static String firstLine(String message) {
    String text = String.valueOf(message).strip();
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline) + " " + text.substring(newline + 1)
        .strip().replaceAll("\\s+", " ");
  }
}
