package io.protogate.breaking;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.GenericDescriptor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The findings of one comparison, each placed in the new contract's files. */
final class Report {
  private final RuleSet rules;
  private final SourceLines lines = new SourceLines();
  private final List<Finding> findings = new ArrayList<>();

  Report(RuleSet rules) {
    this.rules = rules;
  }

  /** Whether JSON callers are protected too. */
  boolean json() {
    return rules.json();
  }

  /** A finding at {@code where}, an element of the new contract. */
  void add(String rule, GenericDescriptor where, String subject, String message) {
    findings.add(new Finding(rule, where.getFile().getName(), lines.of(where), subject, message));
  }

  /** A finding about a file's package statement. */
  void addAtPackage(String rule, FileDescriptor file, String subject, String message) {
    findings.add(new Finding(rule, file.getName(), lines.ofPackage(file), subject, message));
  }

  /** A finding about something with no place in the new contract: it is gone from it. */
  void addGone(String rule, FileDescriptor oldFile, String subject, String message) {
    findings.add(new Finding(rule, oldFile.getName(), 0, subject, message));
  }

  List<Finding> findings() {
    return findings.stream()
        .sorted(Comparator.comparing(Finding::file).thenComparingInt(Finding::line)
            .thenComparing(Finding::subject).thenComparing(Finding::rule))
        .toList();
  }
}
