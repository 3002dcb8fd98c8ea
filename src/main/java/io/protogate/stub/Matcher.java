package io.protogate.stub;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One GripMock matcher block ({@code input}, an element of {@code inputs}, or {@code headers}):
 * {@code equals AND contains AND matches AND glob AND (anyOf[0] OR anyOf[1] ...)}, each strategy
 * true when empty. {@code ignoreArrayOrder} applies to this block only, never inherited by its
 * {@code anyOf} alternatives; {@code anyOf} is one level deep. Immutable; patterns are compiled
 * when the block is made.
 */
record Matcher(
    Map<String, Object> equals,
    Map<String, Object> contains,
    Map<String, Object> matches,
    Map<String, Object> glob,
    boolean ignoreArrayOrder,
    List<Matcher> anyOf,
    Map<String, Pattern> patterns) {

  static final Matcher EMPTY =
      of(Map.of(), Map.of(), Map.of(), Map.of(), false, List.of());

  private static final Set<String> KEYS =
      Set.of("equals", "contains", "matches", "glob", "anyOf", "ignoreArrayOrder");

  static Matcher of(
      Map<String, Object> equals,
      Map<String, Object> contains,
      Map<String, Object> matches,
      Map<String, Object> glob,
      boolean ignoreArrayOrder,
      List<Matcher> anyOf) {
    matches = patternText(matches);
    glob = patternText(glob);
    Map<String, Pattern> patterns = new HashMap<>();
    compileAll(matches, patterns, "re:");
    compileAll(glob, patterns, "glob:");
    return new Matcher(equals, contains, matches, glob, ignoreArrayOrder, List.copyOf(anyOf),
        Map.copyOf(patterns));
  }

  /** Patterns are keyed by kind and text, so that a regex and a glob of one text differ. */
  private static void compileAll(Object tree, Map<String, Pattern> patterns, String kind) {
    if (tree instanceof Map<?, ?> map) {
      map.values().forEach(v -> compileAll(v, patterns, kind));
    } else if (tree instanceof List<?> list) {
      list.forEach(v -> compileAll(v, patterns, kind));
    } else if (tree instanceof String s) {
      patterns.computeIfAbsent(kind + s,
          ignored -> kind.equals("glob:") ? Glob.compile(s) : Pattern.compile(s));
    }
  }

  /**
   * Reads a block as written in a stub file; {@code where} names it in errors. Values are left as
   * written: names are checked and made canonical against the contract later.
   */
  @SuppressWarnings("unchecked")
  static Matcher fromTree(Object tree, String where, boolean allowAnyOf) throws StubException {
    if (tree == null) {
      return EMPTY;
    }
    if (!(tree instanceof Map<?, ?> raw)) {
      throw new StubException(where + ": expected an object with " + KEYS + ", found "
          + Trees.show(tree));
    }
    Map<String, Object> map = (Map<String, Object>) raw;
    for (String key : map.keySet()) {
      if (!KEYS.contains(key) || (!allowAnyOf && key.equals("anyOf"))) {
        throw new StubException(where + ": unknown key \"" + key + "\""
            + (allowAnyOf ? "" : " (anyOf is one level deep)")
            + Names.didYouMean(key, KEYS) + "; a matcher has " + KEYS);
      }
    }
    Object order = map.get("ignoreArrayOrder");
    if (order != null && !(order instanceof Boolean)) {
      throw new StubException(where + ".ignoreArrayOrder: expected true or false, found "
          + Trees.show(order));
    }
    List<Matcher> anyOf = new ArrayList<>();
    Object alternatives = map.get("anyOf");
    if (alternatives != null) {
      if (!(alternatives instanceof List<?> list)) {
        throw new StubException(where + ".anyOf: expected a list of matchers, found "
            + Trees.show(alternatives));
      }
      for (int i = 0; i < list.size(); i++) {
        anyOf.add(fromTree(list.get(i), where + ".anyOf[" + i + "]", false));
      }
    }
    try {
      return of(
          strategy(map, "equals", where),
          strategy(map, "contains", where),
          strategy(map, "matches", where),
          strategy(map, "glob", where),
          Boolean.TRUE.equals(order),
          anyOf);
    } catch (PatternSyntaxException e) {
      throw new StubException(where + ": invalid regular expression \"" + e.getPattern() + "\": "
          + e.getDescription());
    } catch (IllegalArgumentException e) {
      throw new StubException(where + ": " + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> strategy(Map<String, Object> map, String key, String where)
      throws StubException {
    Object value = map.get(key);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof Map<?, ?>)) {
      throw new StubException(where + "." + key + ": expected an object of field: value, found "
          + Trees.show(value));
    }
    return new LinkedHashMap<>((Map<String, Object>) value);
  }

  /** The same block with every strategy's map replaced by {@code rewrite} of it. */
  Matcher rewrite(Rewrite rewrite) throws StubException {
    List<Matcher> alternatives = new ArrayList<>();
    for (Matcher alternative : anyOf) {
      alternatives.add(alternative.rewrite(rewrite));
    }
    return of(rewrite.apply("equals", equals), rewrite.apply("contains", contains),
        rewrite.apply("matches", matches), rewrite.apply("glob", glob), ignoreArrayOrder,
        alternatives);
  }

  interface Rewrite {
    Map<String, Object> apply(String strategy, Map<String, Object> values) throws StubException;
  }

  boolean isEmpty() {
    return fieldCount() == 0;
  }

  /** How many keys the block declares, alternatives included (GripMock's "field count"). */
  int fieldCount() {
    int count = equals.size() + contains.size() + matches.size() + glob.size();
    for (Matcher alternative : anyOf) {
      count += alternative.fieldCount();
    }
    return count;
  }

  /**
   * GripMock's specificity: how many declared keys name a value the request carries and that is
   * not the default. A stub that pins more of what the caller actually sent is more specific.
   */
  int specificity(Map<String, Object> actual) {
    int count = 0;
    for (Map<String, Object> strategy : List.of(equals, contains, matches, glob)) {
      for (String key : strategy.keySet()) {
        if (!Trees.isDefault(actual.get(key))) {
          count++;
        }
      }
    }
    for (Matcher alternative : anyOf) {
      count += alternative.specificity(actual);
    }
    return count;
  }

  /**
   * A match score in GripMock's spirit for a block that matched: per strategy, the share of the
   * request's set fields that the strategy names (a stub covering more of the request ranks
   * higher), plus the best alternative's score.
   */
  double rank(Map<String, Object> actual) {
    long set = actual.values().stream().filter(v -> !Trees.isDefault(v)).count();
    double score = 0;
    for (Map<String, Object> strategy : List.of(equals, contains, matches, glob)) {
      if (!strategy.isEmpty()) {
        score += (double) strategy.size() / Math.max(strategy.size(), set);
      }
    }
    double best = 0;
    for (Matcher alternative : anyOf) {
      best = Math.max(best, alternative.rank(actual));
    }
    return score + best;
  }

  boolean test(Map<String, Object> actual) {
    return mismatches(actual, "").isEmpty();
  }

  /**
   * Why {@code actual} fails this block, one line per failing key ({@code label} prefixes each,
   * e.g. "input"); empty when it matches.
   */
  List<String> mismatches(Map<String, Object> actual, String label) {
    List<String> problems = new ArrayList<>();
    String prefix = label.isEmpty() ? "" : label + ".";
    equals.forEach((key, expected) -> {
      if (!Trees.equal(expected, actual.get(key), ignoreArrayOrder)) {
        problems.add(prefix + "equals." + key + ": wants " + Trees.show(expected) + ", got "
            + Trees.show(actual.get(key)));
      }
    });
    contains.forEach((key, expected) -> {
      if (!contains(expected, actual.get(key))) {
        problems.add(prefix + "contains." + key + ": wants " + Trees.show(expected) + ", got "
            + Trees.show(actual.get(key)));
      }
    });
    matches.forEach((key, expected) -> {
      if (!matches(expected, actual.get(key), "re:")) {
        problems.add(prefix + "matches." + key + ": " + Trees.show(expected) + " does not match "
            + Trees.show(actual.get(key)));
      }
    });
    glob.forEach((key, expected) -> {
      if (!matches(expected, actual.get(key), "glob:")) {
        problems.add(prefix + "glob." + key + ": " + Trees.show(expected) + " does not match "
            + Trees.show(actual.get(key)));
      }
    });
    if (!anyOf.isEmpty()) {
      List<String> closest = null;
      for (Matcher alternative : anyOf) {
        List<String> failures = alternative.mismatches(actual, "");
        if (failures.isEmpty()) {
          return problems;
        }
        if (closest == null || failures.size() < closest.size()) {
          closest = failures;
        }
      }
      problems.add(prefix + "anyOf: none of " + anyOf.size() + " alternatives matches (closest: "
          + String.join("; ", closest) + ")");
    }
    return problems;
  }

  /** Subset: objects recursively, lists holding every listed element; other values equal. */
  private boolean contains(Object expected, Object actual) {
    if (expected instanceof Map<?, ?> e) {
      Map<?, ?> a = actual instanceof Map<?, ?> m ? m : Map.of();
      for (Map.Entry<?, ?> entry : e.entrySet()) {
        if (!contains(entry.getValue(), a.get(entry.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (expected instanceof List<?> e) {
      List<?> a = actual instanceof List<?> l ? l : List.of();
      return Trees.eachFound(e, a, this::contains, ignoreArrayOrder);
    }
    return Trees.equal(expected, actual, ignoreArrayOrder);
  }

  /** Patterns against values: objects per key, lists element-wise (as multisets if asked). */
  private boolean matches(Object expected, Object actual, String kind) {
    if (expected instanceof Map<?, ?> e) {
      Map<?, ?> a = actual instanceof Map<?, ?> m ? m : Map.of();
      for (Map.Entry<?, ?> entry : e.entrySet()) {
        if (!matches(entry.getValue(), a.get(entry.getKey()), kind)) {
          return false;
        }
      }
      return true;
    }
    if (expected instanceof List<?> e) {
      if (!(actual instanceof List<?> a) || a.size() != e.size()) {
        return false;
      }
      if (ignoreArrayOrder) {
        return Trees.eachFound(e, a, (x, y) -> matches(x, y, kind), true);
      }
      for (int i = 0; i < e.size(); i++) {
        if (!matches(e.get(i), a.get(i), kind)) {
          return false;
        }
      }
      return true;
    }
    if (!(expected instanceof String pattern) || actual instanceof Map || actual instanceof List) {
      return false;
    }
    Pattern compiled = patterns.get(kind + pattern);
    String text = Trees.text(actual);
    return kind.equals("glob:") ? compiled.matcher(text).matches() : compiled.matcher(text).find();
  }

  /**
   * A pattern tree with numbers and booleans written as text ({@code matches: {id: 42}} is the
   * pattern "42"), as YAML readers turn unquoted digits into numbers.
   */
  @SuppressWarnings("unchecked")
  static <T> T patternText(T tree) {
    if (tree instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), patternText(v)));
      return (T) out;
    }
    if (tree instanceof List<?> list) {
      return (T) list.stream().map(Matcher::patternText).toList();
    }
    return tree instanceof BigDecimal || tree instanceof Boolean ? (T) Trees.text(tree) : tree;
  }
}
