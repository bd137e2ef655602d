package dev.cutter.checks;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.Problems;
import dev.cutter.core.model.YamlFields;
import dev.cutter.core.model.YamlValue;
import dev.cutter.core.sql.CheckQuery;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code sql: { name?, query, expect }}: one read-only query whose first column of the first
 * row, as text, must equal {@code expect} (a scalar; {@code null} expects SQL NULL). It runs as
 * apply_role with search_path {@code pg_catalog, pg_temp}, so names are schema-qualified. The
 * report names the check by {@code name}, else by its query.
 */
public final class SqlCheck extends BuiltInCheck<SqlCheck.Args> {

  public static final String NAME = "sql";

  /** The first column of the first row, as text; null for SQL NULL. */
  private record FirstValue(String text) {}

  /** Valid arguments. */
  public record Args(Optional<String> name, String query, YamlValue.Scalar expect) {}

  public SqlCheck() {
    super(NAME, SqlCheck::read);
  }

  /** The arguments, when they are valid. */
  public static Optional<Args> read(YamlValue args, Problems problems) {
    YamlFields f = new YamlFields(problems);
    return f.mapping(args, problems.context(), List.of("query", "expect"), List.of("name")).flatMap(m -> {
      Optional<String> name = m.get("name").flatMap(v -> f.string(v, problems.field("name")));
      Optional<String> query = m.get("query").flatMap(v -> f.string(v, problems.field("query")))
          .filter(q -> isOneQuery(q, m.get("query").get(), f, problems.field("query")));
      Optional<YamlValue.Scalar> expect = m.get("expect").flatMap(v -> {
        if (v instanceof YamlValue.Scalar s) {
          return Optional.of(s);
        }
        f.report(v, problems.field("expect"), "expected a single value (string, number, boolean or null), got " + YamlFields.describe(v));
        return Optional.empty();
      });
      boolean nameOk = m.get("name").isEmpty() || name.isPresent();
      return query.isPresent() && expect.isPresent() && nameOk ? Optional.of(new Args(name, query.get(), expect.get())) : Optional.empty();
    });
  }

  /** Another session can change what it found between P1 and the apply: it runs again at BEGIN. */
  @Override
  public boolean rechecksAtBegin() {
    return true;
  }

  /**
   * A check is exactly one query ({@link CheckQuery}): a second statement, transaction control,
   * DO, CALL, SET, COPY or any other command is refused here, when the package loads, at the
   * query's position in package.yaml.
   */
  private static boolean isOneQuery(String query, YamlValue node, YamlFields f, String field) {
    if (CheckQuery.examine(query) instanceof CheckQuery.Refused r) {
      f.report(node, field, r.message());
      return false;
    }
    return true;
  }

  /**
   * Runs the query (from the signed package) through {@link CheckContext#packageQuery}: as
   * apply_role, READ ONLY, one statement over the extended protocol. A query that tries to write
   * fails with SQLSTATE 25006 and the check is an ERROR. Numbers compare by value ({@code 0}
   * equals {@code 0.0}), booleans by truth, everything else as text.
   */
  @Override
  protected CheckResult check(Args args, CheckContext ctx) throws SQLException {
    String label = args.name().orElse(args.query());
    YamlValue.Scalar expect = args.expect();
    String expected = expect.isNull() ? "NULL" : expect.value();
    Optional<FirstValue> first = ctx.packageQuery(args.query(),
        rs -> rs.next() ? Optional.of(new FirstValue(rs.getString(1))) : Optional.empty());
    if (first.isEmpty()) {
      return ctx.fail(new Cause.CheckQueryDiffers(ctx.id(), expected, null), expected, "no rows", label + ": the query returned no rows");
    }
    String actual = first.get().text();
    boolean held = matches(expect, actual);
    return ctx.result(held, () -> new Cause.CheckQueryDiffers(ctx.id(), expected, actual), expected, actual == null ? "NULL" : actual, held ? label
        : label + ": expected " + expected + ", got " + (actual == null ? "NULL" : actual) + booleanNote(expect, actual));
  }

  /**
   * The value compared is PostgreSQL's text output, which writes a boolean as {@code t} or
   * {@code f}: said when a boolean was expected, and when a quoted "true"/"false" (a string,
   * compared as text) met a boolean's {@code t}/{@code f}.
   */
  static String booleanNote(YamlValue.Scalar expect, String actual) {
    boolean tf = "t".equals(actual) || "f".equals(actual);
    if (YamlValue.Scalar.BOOL.equals(expect.tag())) {
      return tf ? " (" + ("t".equals(actual) ? "true" : "false") + ": PostgreSQL writes a boolean as t or f)" : "";
    }
    String quoted = expect.isNull() ? "" : expect.value().toLowerCase(Locale.ROOT);
    return tf && (quoted.equals("true") || quoted.equals("false"))
        ? " (PostgreSQL writes a boolean as t or f, and a quoted \"" + expect.value() + "\" is compared as text:"
            + " write expect: " + quoted + " without quotes to compare truth values)"
        : "";
  }

  static boolean matches(YamlValue.Scalar expect, String actual) {
    if (expect.isNull() || actual == null) {
      return expect.isNull() && actual == null;
    }
    if (YamlValue.Scalar.INT.equals(expect.tag()) || YamlValue.Scalar.FLOAT.equals(expect.tag())) {
      try {
        return new BigDecimal(expect.value()).compareTo(new BigDecimal(actual.strip())) == 0;
      } catch (NumberFormatException e) {
        return false;
      }
    }
    if (YamlValue.Scalar.BOOL.equals(expect.tag())) {
      String a = actual.toLowerCase(Locale.ROOT);
      boolean want = expect.value().toLowerCase(Locale.ROOT).equals("true");
      return want ? a.equals("t") || a.equals("true") : a.equals("f") || a.equals("false");
    }
    return expect.value().equals(actual);
  }
}
