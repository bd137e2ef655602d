package dev.cutter.checks;

import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.JournalCheck;
import dev.cutter.core.check.Problems;
import dev.cutter.core.model.YamlFields;
import dev.cutter.core.model.YamlValue;
import java.sql.SQLException;
import java.util.Optional;

/**
 * {@code journal_writable: true}: {@code apply_role} may insert into cutter's journal (P1 checks
 * this anyway; listing it makes the expectation explicit in the report). Only {@code true}.
 */
public final class JournalWritableCheck extends BuiltInCheck<Boolean> {

  public static final String NAME = "journal_writable";

  public JournalWritableCheck() {
    super(NAME, JournalWritableCheck::read);
  }

  /** True when {@code args} is {@code true}, the only value allowed. */
  public static Optional<Boolean> read(YamlValue args, Problems problems) {
    Optional<Boolean> b = new YamlFields(problems).bool(args, problems.context());
    if (b.equals(Optional.of(false))) {
      problems.add(args.position(), problems.context() + ": takes only true (the journal is always checked)");
      return Optional.empty();
    }
    return b;
  }

  @Override
  protected CheckResult check(Boolean args, CheckContext ctx) throws SQLException {
    return JournalCheck.run(ctx);
  }

  /** Catalog reads only (cutter's own queries): the rehearsal may run beside it. */
  @Override
  public boolean readsOnlyTheCatalog() {
    return true;
  }
}
