package dev.cutter.checks;

import dev.cutter.core.check.Problems;
import dev.cutter.core.model.YamlFields;
import dev.cutter.core.model.YamlValue;
import java.util.List;
import java.util.Optional;

/**
 * {@code sql: { name?, query, expect }}: a read-only query whose first column of the first row,
 * as text, must equal {@code expect} (a scalar; {@code null} expects SQL NULL). The report names
 * the check by {@code name}, else by its query.
 */
public final class SqlCheck extends BuiltInCheck<SqlCheck.Args> {

  public static final String NAME = "sql";

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
      Optional<String> query = m.get("query").flatMap(v -> f.string(v, problems.field("query")));
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
}
