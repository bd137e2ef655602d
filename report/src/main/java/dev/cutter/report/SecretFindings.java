package dev.cutter.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a scan masked: how many secrets of which kinds, never the secrets themselves. Rendered as
 * the report's {@code secrets_recorded} field.
 */
public final class SecretFindings {

  private final Map<String, Integer> byKind = new LinkedHashMap<>();

  void add(String kind) {
    byKind.merge(kind, 1, Integer::sum);
  }

  /** Adds what {@code other} found, kind by kind in its order: as if its finds had been added here one by one. */
  void addAll(SecretFindings other) {
    other.byKind.forEach((kind, n) -> byKind.merge(kind, n, Integer::sum));
  }

  public boolean isEmpty() {
    return byKind.isEmpty();
  }

  /** The kinds found, in the order first seen, with their counts. */
  public Map<String, Integer> byKind() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(byKind));
  }

  /** How many secrets were masked, of every kind. */
  int count() {
    return byKind.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** {@code none}, or e.g. {@code masked: 2 (connection password, PGP private key)}. */
  public String summary() {
    return isEmpty() ? "none" : "masked: " + count() + " (" + String.join(", ", byKind.keySet()) + ")";
  }

  @Override
  public String toString() {
    return summary();
  }
}
