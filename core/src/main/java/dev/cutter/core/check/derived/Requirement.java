package dev.cutter.core.check.derived;

import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.ObjectName;

/**
 * One thing a statement of the artifact needs from the catalog, found by {@link DdlAnalyzer}.
 * {@code statement} is the 1-based statement index, {@code line} the line in the artifact.
 */
public sealed interface Requirement {

  int statement();

  int line();

  /**
   * {@code CREATE <kind> name}: CREATE on the object's schema (the creation schema when unqualified);
   * {@code mayCreateNothing} for {@code IF NOT EXISTS} or {@code OR REPLACE}.
   */
  record CreateIn(ObjectKind kind, ObjectName object, int statement, int line, boolean mayCreateNothing) implements Requirement {
    public CreateIn(ObjectKind kind, ObjectName object, int statement, int line) {
      this(kind, object, statement, line, false);
    }
  }

  /** {@code CREATE SCHEMA name}: CREATE on the database. */
  record CreateSchema(String schema, int statement, int line) implements Requirement {}

  /** {@code CREATE INDEX … ON table}: CREATE on the table's schema and ownership of the table. */
  record CreateIndex(ObjectName table, int statement, int line) implements Requirement {}

  /** {@code ALTER}/{@code DROP} (and {@code PARTITION OF}/{@code INHERITS}): ownership of the object. */
  record Owns(ObjectKind kind, ObjectName object, boolean ifExists, String verb, int statement, int line)
      implements Requirement {}

  /** {@code REFERENCES table}: the REFERENCES privilege on the foreign-key target. */
  record References(ObjectName table, int statement, int line) implements Requirement {}

  /** {@code CREATE TEMP <kind> name}: TEMPORARY on the database. */
  record CreateTemporary(ObjectKind kind, ObjectName object, int statement, int line) implements Requirement {}

  /**
   * A statement whose privileges this analysis does not derive ({@code command} is its leading
   * words: {@code INSERT}, {@code GRANT}, {@code DO}, {@code CREATE TRIGGER}, …): the server checks
   * them when the statement runs. Said rather than passed over, so that no check claims "nothing needed".
   */
  record NotDerived(String command, int statement, int line) implements Requirement {}
}
