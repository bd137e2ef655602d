package dev.cutter.checks;

import dev.cutter.core.check.Problems;
import dev.cutter.core.model.YamlFields;
import dev.cutter.core.model.YamlValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The arguments of {@code objects_absent} and {@code objects_present}: a schema and lists of
 * names per object kind. Roles are global, so a check that lists only roles needs no schema.
 * Functions are matched by name (any argument list).
 */
public record ObjectLists(Optional<String> schema, Map<String, List<String>> objects) {

  /** The object kinds, in the order they are checked and reported. */
  public static final List<String> KINDS =
      List.of("tables", "views", "materialized_views", "indexes", "sequences", "functions", "types", "roles");

  public ObjectLists {
    objects = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(objects));
  }

  /** The arguments, when they are valid. */
  public static Optional<ObjectLists> read(YamlValue args, Problems problems) {
    YamlFields f = new YamlFields(problems);
    List<String> optional = new ArrayList<>(KINDS);
    optional.add(0, "schema");
    return f.mapping(args, problems.context(), List.of(), optional).flatMap(m -> {
      int before = problems.count();
      Optional<String> schema = m.get("schema").flatMap(v -> f.identifier(v, problems.field("schema")));
      Map<String, List<String>> objects = new LinkedHashMap<>();
      for (String kind : KINDS) {
        m.get(kind).ifPresent(v -> objects.put(kind, f.identifiers(v, problems.field(kind))));
      }
      if (objects.isEmpty()) {
        problems.add(m.position(), problems.context() + ": list at least one of " + String.join(", ", KINDS));
      } else if (m.get("schema").isEmpty() && objects.keySet().stream().anyMatch(k -> !k.equals("roles"))) {
        problems.add(m.position(), problems.context() + ": missing required field 'schema' (roles alone need none)");
      }
      return problems.count() == before ? Optional.of(new ObjectLists(schema, objects)) : Optional.empty();
    });
  }
}
