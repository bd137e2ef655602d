package dev.cutter.backup;

import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.SchemaCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The restore proof's differences as they may be reported. The restored database holds what the
 * code the restore ran (planted by whoever could create objects on the target) made there, and
 * that code read rows the backup login dumped: a relation, schema, column, index, constraint or
 * function it created may be named after a value, a default or a check it changed may quote one.
 * So only the source's side is named (the source's catalog, which its author could read anyway):
 * what exists on the restored side alone is counted by kind, a definition that differs shows the
 * source's and withholds the restored one. Kinds come from the catalog's own letters and from the
 * structure of the fingerprint's keys, never from a name.
 */
final class ProofDifferences {

  /** How many catalog differences are listed before the rest is counted. */
  static final int SHOWN = 20;

  private ProofDifferences() {}

  /** {@code schema.name kind} lines on the restored side only, counted by {@code relkind}; empty when there is none. */
  static Optional<String> restoredOnlyRelations(Set<String> source, Set<String> restored) {
    SortedMap<String, Integer> kinds = new TreeMap<>();
    for (String r : restored) {
      if (!source.contains(r)) {
        kinds.merge(relkind(r.substring(r.lastIndexOf(' ') + 1)), 1, Integer::sum);
      }
    }
    if (kinds.isEmpty()) {
      return Optional.empty();
    }
    int total = kinds.values().stream().mapToInt(Integer::intValue).sum();
    return Optional.of("not in the source: " + total + (total == 1 ? " relation" : " relations") + " (" + counted(kinds)
        + "; names withheld: the restore's code may have made them)");
  }

  /**
   * The catalog's differences, {@code source} before {@code restored}: a schema's counts (numbers),
   * {@code removed: key (source's line)}, {@code changed: key (source's line; …)}, then one line
   * counting what the restored side has alone, by kind.
   */
  static List<String> catalog(Baseline source, Baseline restored) {
    List<String> out = new ArrayList<>();
    SortedMap<String, Integer> added = new TreeMap<>();
    for (Map.Entry<String, SchemaCounts> e : source.schemas().entrySet()) {
      SchemaCounts a = restored.schemas().get(e.getKey());
      SchemaCounts b = e.getValue();
      if (a == null) {
        out.add("removed: schema " + Identifiers.quote(e.getKey()));
      } else if (!b.equals(a)) {
        out.add("counts of schema " + Identifiers.quote(e.getKey()) + ": constraints " + b.constraints() + " → "
            + a.constraints() + ", relations " + b.relations() + " → " + a.relations());
      }
    }
    restored.schemas().keySet().stream().filter(s -> !source.schemas().containsKey(s))
        .forEach(s -> added.merge("schema", 1, Integer::sum));
    var before = source.fingerprint();
    var after = restored.fingerprint();
    List<String> named = new ArrayList<>();
    if (!before.sha256().equals(after.sha256())) {
      if (before.objects().isEmpty() || after.objects().isEmpty()) {
        named.add("the catalog fingerprint differs (sha256 " + before.sha256() + " in the source)");
      }
      before.objects().forEach((k, b) -> {
        String a = after.objects().get(k);
        if (a == null) {
          named.add("removed: " + k + " (" + b + ")");
        } else if (!a.equals(b)) {
          named.add("changed: " + k + " (in the source: " + b + "; the restored definition is withheld)");
        }
      });
      after.objects().keySet().stream().filter(k -> !before.objects().containsKey(k))
          .forEach(k -> added.merge(objectKind(k), 1, Integer::sum));
    }
    named.stream().limit(SHOWN).forEach(out::add);
    if (named.size() > SHOWN) {
      out.add("and " + (named.size() - SHOWN) + " more");
    }
    if (!added.isEmpty()) {
      int total = added.values().stream().mapToInt(Integer::intValue).sum();
      out.add("not in the source: " + total + (total == 1 ? " object" : " objects") + " (" + counted(added)
          + "; names and definitions withheld: the restore's code may have made them)");
    }
    return out;
  }

  private static String counted(SortedMap<String, Integer> kinds) {
    List<String> parts = new ArrayList<>();
    kinds.forEach((kind, n) -> parts.add(n + " " + (n == 1 ? kind : kind.endsWith("x") ? kind + "es"
        : kind.endsWith("y") ? kind.substring(0, kind.length() - 1) + "ies" : kind + "s")));
    return String.join(", ", parts);
  }

  /** The kind of a {@code pg_class.relkind} letter; any other text is an "other" relation. */
  static String relkind(String letter) {
    return switch (letter) {
      case "r" -> "table";
      case "p" -> "partitioned table";
      case "v" -> "view";
      case "m" -> "materialized view";
      case "S" -> "sequence";
      case "f" -> "foreign table";
      case "c" -> "composite type";
      case "i", "I" -> "index";
      default -> "other relation";
    };
  }

  /**
   * The kind of a catalog fingerprint's key, read from its structure: {@code schema …},
   * {@code function …}, {@code type …}, or a relation's quoted {@code schema.name} alone (a
   * relation) or followed by {@code column}, {@code constraint}, {@code index}, {@code trigger} or
   * {@code policy} and a name. A key of another shape is an "object".
   */
  static String objectKind(String key) {
    for (String kind : List.of("schema", "function", "type")) {
      if (key.startsWith(kind + " ")) {
        return kind;
      }
    }
    int at = identifierEnd(key, 0);
    if (at < 0 || at >= key.length() || key.charAt(at) != '.') {
      return "object";
    }
    at = identifierEnd(key, at + 1);
    if (at < 0) {
      return "object";
    }
    if (at == key.length()) {
      return "relation";
    }
    for (String kind : List.of("column", "constraint", "index", "trigger", "policy")) {
      if (key.startsWith(" " + kind + " ", at)) {
        return kind;
      }
    }
    return "object";
  }

  /** Where the identifier {@code quote_ident} printed at {@code from} ends, or -1. */
  private static int identifierEnd(String s, int from) {
    if (from >= s.length()) {
      return -1;
    }
    if (s.charAt(from) != '"') {
      int i = from;
      while (i < s.length() && s.charAt(i) != '.' && s.charAt(i) != ' ' && s.charAt(i) != '"') {
        i++;
      }
      return i == from ? -1 : i;
    }
    int i = from + 1;
    while (i < s.length()) {
      if (s.charAt(i) == '"') {
        if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return -1;
  }
}
