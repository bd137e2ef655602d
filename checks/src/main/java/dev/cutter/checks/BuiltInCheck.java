package dev.cutter.checks;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.Diagnostic;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckType;
import dev.cutter.core.check.Problems;
import dev.cutter.core.model.YamlValue;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * A built-in check type whose load-time validation is reading its arguments with {@code reader};
 * running it reads them the same way and hands the typed arguments to {@link #check}.
 */
abstract class BuiltInCheck<A> implements CheckType {

  private final String name;
  private final BiFunction<YamlValue, Problems, Optional<A>> reader;

  BuiltInCheck(String name, BiFunction<YamlValue, Problems, Optional<A>> reader) {
    this.name = name;
    this.reader = reader;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final void validate(YamlValue args, Problems problems) {
    reader.apply(args, problems);
  }

  @Override
  public final CheckResult run(YamlValue args, CheckContext context) throws SQLException {
    Problems problems = new Problems(context.pkg().file() == null ? "package.yaml" : context.pkg().file().toString());
    Optional<A> read = reader.apply(args, problems);
    if (read.isEmpty()) {
      return context.error(new Cause.InvalidCheck(context.id()), "invalid arguments: " + problems.diagnostics().stream().map(Diagnostic::toString)
          .collect(Collectors.joining("; ")));
    }
    return check(read.get(), context);
  }

  /** Runs the check with valid arguments, on {@code context}'s read-only connection. */
  protected abstract CheckResult check(A args, CheckContext context) throws SQLException;
}
