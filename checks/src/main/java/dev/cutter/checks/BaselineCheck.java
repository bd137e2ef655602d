package dev.cutter.checks;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.BaselineBlock;
import dev.cutter.core.catalog.BaselineReader;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.Problems;
import dev.cutter.core.model.YamlFields;
import dev.cutter.core.model.YamlValue;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code baseline: { schema, constraints: {p: 12, f: 19}, relations: {r: 12, i: 18} }}: the
 * schema holds exactly these numbers of constraints per {@code pg_constraint.contype} and of
 * relations per {@code pg_class.relkind}. Letters not listed are not compared. It is also what
 * the executor re-reads after a failure to prove the target unchanged.
 */
public final class BaselineCheck extends BuiltInCheck<BaselineCheck.Args> {

  public static final String NAME = "baseline";

  /** pg_constraint.contype: primary key, foreign key, unique, check, exclusion, constraint trigger, not-null (PG 18). */
  public static final List<String> CONSTRAINT_TYPES = List.of("p", "f", "u", "c", "x", "t", "n");

  /**
   * pg_class.relkind: table, partitioned table, view, materialized view, sequence, index,
   * partitioned index, foreign table, composite type, TOAST table.
   */
  public static final List<String> RELATION_KINDS = List.of("r", "p", "v", "m", "S", "i", "I", "f", "c", "t");

  /** Valid arguments; the maps keep the file's order. */
  public record Args(String schema, Map<String, Long> constraints, Map<String, Long> relations) {
    public Args {
      constraints = Collections.unmodifiableMap(new LinkedHashMap<>(constraints));
      relations = Collections.unmodifiableMap(new LinkedHashMap<>(relations));
    }
  }

  public BaselineCheck() {
    super(NAME, BaselineCheck::read);
  }

  /** The arguments, when they are valid. */
  public static Optional<Args> read(YamlValue args, Problems problems) {
    YamlFields f = new YamlFields(problems);
    return f.mapping(args, problems.context(), List.of("schema"), List.of("constraints", "relations")).flatMap(m -> {
      int before = problems.count();
      Optional<String> schema = m.get("schema").flatMap(v -> f.identifier(v, problems.field("schema")));
      Map<String, Long> constraints = m.get("constraints").map(v -> counts(f, v, problems.field("constraints"), CONSTRAINT_TYPES))
          .orElse(Map.of());
      Map<String, Long> relations = m.get("relations").map(v -> counts(f, v, problems.field("relations"), RELATION_KINDS))
          .orElse(Map.of());
      if (m.get("constraints").isEmpty() && m.get("relations").isEmpty()) {
        problems.add(m.position(), problems.context() + ": list constraints or relations (or both)");
      }
      return problems.count() == before && schema.isPresent()
          ? Optional.of(new Args(schema.get(), constraints, relations))
          : Optional.empty();
    });
  }

  private static Map<String, Long> counts(YamlFields f, YamlValue v, String field, List<String> letters) {
    Map<String, Long> counts = new LinkedHashMap<>();
    f.mapping(v, field, List.of(), letters).ifPresent(m -> {
      if (m.entries().isEmpty()) {
        f.report(m, field, "list at least one of " + String.join(" ", letters));
      }
      m.entries().forEach((letter, count) -> {
        if (letters.contains(letter)) {
          f.integer(count, field + "." + letter, 0, Integer.MAX_VALUE).ifPresent(n -> counts.put(letter, n));
        }
      });
    });
    return counts;
  }

  /**
   * Every listed letter is compared for equality and every difference is reported (expected vs
   * actual); constraints a partition clones from its parent are counted as the catalog holds them.
   */
  @Override
  protected CheckResult check(Args args, CheckContext ctx) throws SQLException {
    String schema = args.schema();
    Baseline live = BaselineReader.read(ctx.connection(), List.of(schema));
    String expected = describe(args.constraints(), args.relations());
    SchemaCounts counts = live.schemas().get(Identifiers.truncate(schema));
    if (counts == null) {
      return ctx.fail(new Cause.ObjectsAbsent(List.of("schema " + Identifiers.quote(schema))), expected, "no schema " + Identifiers.quote(schema), "schema " + Identifiers.quote(schema) + " does not exist");
    }
    Map<String, Long> actualConstraints = actual(args.constraints(), counts.constraints());
    Map<String, Long> actualRelations = actual(args.relations(), counts.relations());
    List<String> diffs = new ArrayList<>();
    diff("constraints", args.constraints(), actualConstraints, diffs);
    diff("relations", args.relations(), actualRelations, diffs);
    return ctx.result(diffs.isEmpty(), () -> new Cause.BaselineDiffers(diffs), expected, describe(actualConstraints, actualRelations), diffs.isEmpty() ? null
        : "schema " + Identifiers.quote(schema) + " drifted from the baseline: " + String.join("; ", diffs));
  }

  /** The live counts of the letters {@code expected} lists, in its order. */
  private static Map<String, Long> actual(Map<String, Long> expected, Map<String, Integer> live) {
    Map<String, Long> out = new LinkedHashMap<>();
    expected.keySet().forEach(letter -> out.put(letter, (long) live.getOrDefault(letter, 0)));
    return out;
  }

  private static void diff(String section, Map<String, Long> expected, Map<String, Long> actual, List<String> out) {
    expected.forEach((letter, n) -> {
      if (!n.equals(actual.get(letter))) {
        out.add(section + "." + letter + " expected " + n + ", actual " + actual.get(letter));
      }
    });
  }

  private static String describe(Map<String, Long> constraints, Map<String, Long> relations) {
    List<String> parts = new ArrayList<>();
    if (!constraints.isEmpty()) {
      parts.add("constraints " + BaselineBlock.flow(constraints));
    }
    if (!relations.isEmpty()) {
      parts.add("relations " + BaselineBlock.flow(relations));
    }
    return String.join(", ", parts);
  }

  /** Catalog reads only (cutter's own queries): the rehearsal may run beside it. */
  @Override
  public boolean readsOnlyTheCatalog() {
    return true;
  }
}
