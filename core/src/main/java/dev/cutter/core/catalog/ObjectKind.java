package dev.cutter.core.catalog;

import java.util.List;
import java.util.Optional;

/**
 * The kinds of object checks and derived privileges speak of, with the package key that lists
 * them ({@code tables}, {@code views}, …) and where the catalog keeps them.
 */
public enum ObjectKind {
  TABLE("tables", "table", List.of("r", "p", "f")),
  VIEW("views", "view", List.of("v")),
  MATERIALIZED_VIEW("materialized_views", "materialized view", List.of("m")),
  INDEX("indexes", "index", List.of("i", "I")),
  SEQUENCE("sequences", "sequence", List.of("S")),
  FUNCTION("functions", "function", List.of()),
  PROCEDURE("procedures", "procedure", List.of()),
  TYPE("types", "type", List.of()),
  DOMAIN("domains", "domain", List.of()),
  SCHEMA("schemas", "schema", List.of()),
  ROLE("roles", "role", List.of());

  private final String key;
  private final String sqlName;
  private final List<String> relkinds;

  ObjectKind(String key, String sqlName, List<String> relkinds) {
    this.key = key;
    this.sqlName = sqlName;
    this.relkinds = relkinds;
  }

  /** The key that lists objects of this kind in {@code objects_absent}/{@code objects_present}. */
  public String key() {
    return key;
  }

  /** As SQL names it: {@code materialized view}. */
  public String sqlName() {
    return sqlName;
  }

  /** The {@code pg_class.relkind} letters of a relation kind; empty for other kinds. */
  public List<String> relkinds() {
    return relkinds;
  }

  public boolean isRelation() {
    return !relkinds.isEmpty();
  }

  /** Roles live in the cluster, schemas in the database; everything else in a schema. */
  public boolean inSchema() {
    return this != ROLE && this != SCHEMA;
  }

  public static Optional<ObjectKind> byKey(String key) {
    for (ObjectKind k : values()) {
      if (k.key.equals(key)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}
