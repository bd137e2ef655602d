package dev.cutter.core.lint;

import dev.cutter.core.catalog.ObjectName;
import java.util.Optional;
import java.util.Set;

/**
 * What the rules ask of the target's catalog as it is before the change. {@link LiveCatalog}
 * reads a server; {@link #textOnly()} answers without one, assuming the worst where only the
 * server could tell.
 */
public interface LintCatalog {

  /** A column as the catalog has it: its type's oid, type modifier, type name and NOT NULL. */
  record Column(long typeOid, int typmod, String typeName, boolean notNull) {}

  /** A type named in the script, resolved: its oid and name ({@code pg_type.typname}). */
  record TypeRef(long oid, String name) {}

  /**
   * The table (ordinary, partitioned, foreign, or materialized view) {@code name} resolves to,
   * schema-qualified, as apply_role's search_path would find it; empty when there is none.
   */
  Optional<ObjectName> table(ObjectName name);

  /** Where an unqualified CREATE would put a new relation, when known. */
  Optional<String> creationSchema();

  /** Column {@code column} of the (qualified) {@code table}, when it exists. */
  Optional<Column> column(ObjectName table, String column);

  /** The type {@code typeText} names (a type modifier is allowed and ignored), when it exists. */
  Optional<TypeRef> type(String typeText);

  /** Whether a cast from {@code from} to {@code to} is binary coercible ({@code pg_cast.castmethod = 'b'}). */
  boolean binaryCoercible(long from, long to);

  /** Whether some function called {@code name} is volatile ({@code pg_proc.provolatile}); empty when none is known. */
  Optional<Boolean> volatileFunction(ObjectName name);

  /** Whether {@code table} has a validated {@code CHECK (column IS NOT NULL)}. */
  boolean validatedNotNullCheck(ObjectName table, String column);

  /** True when answers come from a server; false when they are assumptions. */
  boolean live();

  /** Volatile functions known without a catalog (the common ones a default calls). */
  Set<String> KNOWN_VOLATILE = Set.of("random", "clock_timestamp", "gen_random_uuid", "uuid_generate_v1",
      "uuid_generate_v1mc", "uuid_generate_v4", "nextval", "timeofday", "txid_current", "setseed", "random_normal");

  /**
   * Answers without a server: every table the script did not create is assumed to exist, no
   * column or type is known (so a type change is assumed to rewrite), volatility comes from
   * {@link #KNOWN_VOLATILE}, and no validated check is known.
   */
  static LintCatalog textOnly() {
    return new LintCatalog() {
      @Override
      public Optional<ObjectName> table(ObjectName name) {
        return Optional.of(name);
      }

      @Override
      public Optional<String> creationSchema() {
        return Optional.empty();
      }

      @Override
      public Optional<Column> column(ObjectName table, String column) {
        return Optional.empty();
      }

      @Override
      public Optional<TypeRef> type(String typeText) {
        return Optional.empty();
      }

      @Override
      public boolean binaryCoercible(long from, long to) {
        return false;
      }

      @Override
      public Optional<Boolean> volatileFunction(ObjectName name) {
        return KNOWN_VOLATILE.contains(name.name()) ? Optional.of(true) : Optional.empty();
      }

      @Override
      public boolean validatedNotNullCheck(ObjectName table, String column) {
        return false;
      }

      @Override
      public boolean live() {
        return false;
      }
    };
  }
}
