package dev.cutter.core.catalog;

import dev.cutter.core.text.YamlText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code baseline} check entry of a package, written from live counts, ready to paste
 * under {@code preflight:} or {@code verify:}:
 * {@code - baseline: {schema: s, constraints: {p: 12, f: 19, u: 0, …}, relations: {r: 12, …}}}.
 * The baseline check compares the letters it lists, so every letter is written, zeros too: the
 * pasted entry then notices any new kind of object (a first view, a first exclusion constraint).
 */
public final class BaselineBlock {

  /** Constraint letters always written; {@code n} (NOT NULL, PostgreSQL 18) only when the server has some. */
  static final List<String> CONSTRAINTS = List.of("p", "f", "u", "c", "x", "t");

  /** Relation letters always written; TOAST tables ({@code t}) live in pg_toast, written only when present. */
  static final List<String> RELATIONS = List.of("r", "p", "v", "m", "S", "i", "I", "f", "c");

  private BaselineBlock() {}

  /** One list entry (without a trailing newline). */
  public static String entry(SchemaCounts counts) {
    return "- baseline: " + check(counts);
  }

  /** The check's flow mapping: {@code {schema: s, constraints: {…}, relations: {…}}}, the schema through {@link YamlText}. */
  public static String check(SchemaCounts counts) {
    return "{schema: " + YamlText.scalar(counts.schema()) + ", constraints: "
        + flow(complete(counts.constraints(), CONSTRAINTS)) + ", relations: " + flow(complete(counts.relations(), RELATIONS))
        + "}";
  }

  /**
   * The same entry as data, for JSON: {@code {baseline: {schema, constraints, relations}}} with the
   * letters in the order and completeness of {@link #entry}.
   */
  public static Map<String, Object> entryData(SchemaCounts counts) {
    Map<String, Object> check = new LinkedHashMap<>();
    check.put("schema", counts.schema());
    check.put("constraints", complete(counts.constraints(), CONSTRAINTS));
    check.put("relations", complete(counts.relations(), RELATIONS));
    return Map.of("baseline", check);
  }

  private static Map<String, Integer> complete(Map<String, Integer> live, List<String> letters) {
    Map<String, Integer> out = new LinkedHashMap<>();
    letters.forEach(l -> out.put(l, live.getOrDefault(l, 0)));
    live.forEach(out::putIfAbsent);
    return out;
  }

  /** Counts as a YAML flow mapping in the map's order: {@code {p: 12, f: 19}}; {@code {}} when empty. */
  public static String flow(Map<String, ? extends Number> counts) {
    return counts.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ", "{", "}"));
  }
}
