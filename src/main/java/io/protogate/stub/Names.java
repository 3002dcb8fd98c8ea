package io.protogate.stub;

import io.protogate.json.JsonCodec;
import java.util.Collection;
import java.util.Comparator;

/** The "did you mean" part of an error: the candidate nearest to a misspelled name. */
final class Names {
  private Names() {}

  /** {@code "; did you mean \"x\"?"}, or "" when nothing is close enough to be a likely typo. */
  static String didYouMean(String wrong, Collection<String> candidates) {
    return candidates.stream()
        .min(Comparator.comparingInt(c -> JsonCodec.editDistance(wrong, c)))
        .filter(c -> JsonCodec.editDistance(wrong, c) <= Math.max(2, wrong.length() / 2))
        .map(c -> "; did you mean \"" + c + "\"?")
        .orElse("");
  }
}
