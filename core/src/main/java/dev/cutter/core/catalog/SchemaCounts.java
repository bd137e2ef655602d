package dev.cutter.core.catalog;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The catalog baseline of one schema: constraint counts by {@code pg_constraint.contype} and
 * relation counts by {@code pg_class.relkind}; letters with a zero count are absent.
 */
public record SchemaCounts(String schema, Map<String, Integer> constraints, Map<String, Integer> relations) {
  public SchemaCounts {
    constraints = Collections.unmodifiableMap(new TreeMap<>(constraints));
    relations = Collections.unmodifiableMap(new TreeMap<>(relations));
  }
}
