package dev.cutter.core.check.derived;

import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.ObjectName;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.model.YamlValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Verify checks derived from the artifact's DDL when the package lists none (issue 19.12): what
 * the change creates is present ({@code objects_present}, {@code schema_exists}), what it drops is
 * absent ({@code objects_absent}), by the last statement that names each object. Kinds the
 * object checks cannot list (procedures, domains, dropped schemas) and changes to existing
 * objects (ALTER, DML) derive nothing.
 */
public final class DerivedVerify {

  private static final Map<ObjectKind, String> KEYS = Map.of(
      ObjectKind.TABLE, "tables",
      ObjectKind.VIEW, "views",
      ObjectKind.MATERIALIZED_VIEW, "materialized_views",
      ObjectKind.INDEX, "indexes",
      ObjectKind.SEQUENCE, "sequences",
      ObjectKind.FUNCTION, "functions",
      ObjectKind.TYPE, "types");

  private DerivedVerify() {}

  /**
   * The derived checks, or an empty list when nothing can be derived. {@code schemaOf} places
   * an unqualified name (apply_role's creation schema); empty leaves the object out.
   */
  public static List<CheckSpec> from(List<ExecStatement> statements, Function<ObjectName, Optional<String>> schemaOf) {
    // key: kind + qualified name → final presence, in first-seen order
    Map<String, Boolean> presence = new LinkedHashMap<>();
    Map<String, Object[]> what = new LinkedHashMap<>();
    List<String> schemas = new ArrayList<>();
    for (Touch t : StatementAnalysis.touches(statements)) {
      boolean create = t.action() == Touch.Action.CREATE;
      if (!create && t.action() != Touch.Action.DROP) {
        continue;
      }
      if (t.kind() == ObjectKind.SCHEMA) {
        if (create && !schemas.contains(t.object().name())) {
          schemas.add(t.object().name());
        } else if (!create) {
          schemas.remove(t.object().name());
        }
        continue;
      }
      String key = KEYS.get(t.kind());
      if (key == null) {
        continue;
      }
      Optional<String> schema = t.object().qualified() ? Optional.of(t.object().schema()) : schemaOf.apply(t.object());
      if (schema.isEmpty()) {
        continue;
      }
      String id = key + "\u0000" + schema.get() + "\u0000" + t.object().name();
      presence.put(id, create);
      what.put(id, new Object[] {key, schema.get(), t.object().name()});
    }
    List<CheckSpec> out = new ArrayList<>();
    for (String schema : schemas) {
      out.add(new CheckSpec("schema_exists", scalar(schema), SourcePosition.UNKNOWN));
    }
    for (boolean present : new boolean[] {true, false}) {
      // schema → kind key → names
      Map<String, Map<String, List<YamlValue>>> bySchema = new TreeMap<>();
      presence.forEach((id, p) -> {
        if (p == present) {
          Object[] w = what.get(id);
          bySchema.computeIfAbsent((String) w[1], k -> new LinkedHashMap<>())
              .computeIfAbsent((String) w[0], k -> new ArrayList<>()).add(scalar((String) w[2]));
        }
      });
      bySchema.forEach((schema, kinds) -> {
        Map<String, YamlValue> entries = new LinkedHashMap<>();
        entries.put("schema", scalar(schema));
        kinds.forEach((k, names) -> entries.put(k, new YamlValue.Sequence(names, SourcePosition.UNKNOWN)));
        out.add(new CheckSpec(present ? "objects_present" : "objects_absent",
            new YamlValue.Mapping(entries, Map.of(), SourcePosition.UNKNOWN), SourcePosition.UNKNOWN));
      });
    }
    return out;
  }

  private static YamlValue.Scalar scalar(String s) {
    return new YamlValue.Scalar(s, false, YamlValue.Scalar.STR, SourcePosition.UNKNOWN);
  }
}
