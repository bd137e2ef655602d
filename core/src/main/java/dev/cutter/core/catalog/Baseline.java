package dev.cutter.core.catalog;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** The catalog baseline of the schemas a package names, read before and after a change. */
public record Baseline(Map<String, SchemaCounts> schemas) {
  public Baseline {
    schemas = Collections.unmodifiableMap(new TreeMap<>(schemas));
  }

  public static Baseline empty() {
    return new Baseline(Map.of());
  }
}
