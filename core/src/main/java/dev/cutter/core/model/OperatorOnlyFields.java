package dev.cutter.core.model;

import dev.cutter.core.check.Problems;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keys a change author might write into a package but only the operator may set: how pg_dump runs
 * ({@code pg_dump_via}, {@code pg_dump_host}, {@code pg_dump_port}: a command prefix would run on
 * the operator's host). Each one found is refused with its own one-line problem at its key, and
 * left out of the mapping so that no second "unknown key" line repeats it.
 */
final class OperatorOnlyFields {

  static final List<String> KEYS = List.of("pg_dump_via", "pg_dump_host", "pg_dump_port");

  private OperatorOnlyFields() {}

  /** {@code value} without the operator-only keys, each of them reported under {@code field}. */
  static YamlValue refuse(YamlValue value, String field, Problems problems) {
    if (!(value instanceof YamlValue.Mapping m) || KEYS.stream().noneMatch(m.entries()::containsKey)) {
      return value;
    }
    Map<String, YamlValue> entries = new LinkedHashMap<>(m.entries());
    Map<String, SourcePosition> positions = new LinkedHashMap<>(m.keyPositions());
    for (String key : m.entries().keySet()) {
      if (KEYS.contains(key)) {
        problems.add(m.keyPosition(key), YamlFields.join(field, key) + ": not a package field: how pg_dump runs is"
            + " the operator's choice (--pg-dump-via, or " + key + " in the trust policy), never the package's");
        entries.remove(key);
        positions.remove(key);
      }
    }
    return new YamlValue.Mapping(entries, positions, m.position());
  }
}
