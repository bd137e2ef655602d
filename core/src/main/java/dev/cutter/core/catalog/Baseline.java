package dev.cutter.core.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The catalog baseline of schemas, read before and after a change: counts of relations and
 * constraints per schema, and a {@link CatalogFingerprint} of what they hold (columns, defaults,
 * constraint and index definitions, functions, triggers, policies, ACLs). Two baselines are equal
 * only when both agree.
 */
public record Baseline(Map<String, SchemaCounts> schemas, CatalogFingerprint fingerprint) {
  public Baseline {
    schemas = Collections.unmodifiableMap(new TreeMap<>(schemas));
    fingerprint = Objects.requireNonNullElse(fingerprint, CatalogFingerprint.EMPTY);
  }

  /** Counts alone (the {@code baseline} check, a report read back without detail). */
  public Baseline(Map<String, SchemaCounts> schemas) {
    this(schemas, CatalogFingerprint.EMPTY);
  }

  public static Baseline empty() {
    return new Baseline(Map.of());
  }

  /** What differs from {@code after}, named: counts per schema, then the fingerprint's objects. */
  public List<String> differences(Baseline after) {
    List<String> out = new ArrayList<>();
    TreeMap<String, SchemaCounts> all = new TreeMap<>(schemas);
    after.schemas.forEach(all::putIfAbsent);
    for (String s : all.keySet()) {
      SchemaCounts b = schemas.get(s);
      SchemaCounts a = after.schemas.get(s);
      if (b == null) {
        out.add("added: schema " + Identifiers.quote(s));
      } else if (a == null) {
        out.add("removed: schema " + Identifiers.quote(s));
      } else if (!b.equals(a)) {
        out.add("counts of schema " + Identifiers.quote(s) + ": constraints " + b.constraints() + " → " + a.constraints()
            + ", relations " + b.relations() + " → " + a.relations());
      }
    }
    out.addAll(fingerprint.differences(after.fingerprint));
    return out;
  }
}
