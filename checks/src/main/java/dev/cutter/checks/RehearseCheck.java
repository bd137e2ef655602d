package dev.cutter.checks;

import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.Problems;
import dev.cutter.core.check.Rehearsal;
import dev.cutter.core.model.YamlFields;
import dev.cutter.core.model.YamlValue;
import java.sql.SQLException;
import java.util.Optional;

/**
 * {@code rehearse: true}: runs the artifact as {@code apply_role} in a transaction that is
 * rolled back, so that a statement that would fail is found before the backup and the apply.
 * {@code false} keeps the entry but skips the rehearsal.
 */
public final class RehearseCheck extends BuiltInCheck<Boolean> {

  public static final String NAME = "rehearse";

  public RehearseCheck() {
    super(NAME, RehearseCheck::read);
  }

  /** Whether to rehearse, when {@code args} is true or false. */
  public static Optional<Boolean> read(YamlValue args, Problems problems) {
    return new YamlFields(problems).bool(args, problems.context());
  }

  /** It writes (and rolls back), taking the locks its DDL takes: nothing else runs beside it. */
  @Override
  public boolean runsAlone() {
    return true;
  }

  /** What it locks and writes is the artifact's, whose statements {@code RehearsalBeside} judges. */
  @Override
  public boolean runsOnlyTheArtifact() {
    return true;
  }

  /** A rehearsal's session as apply_role is opened while the other P1 checks run. */
  @Override
  public String sessionAhead(YamlValue args) {
    return read(args, new Problems("package.yaml")).orElse(false) ? Rehearsal.PURPOSE : null;
  }

  /** Its session's look for ways out of the rollback is taken right after that session's login. */
  @Override
  public dev.cutter.core.check.RoleSessionsAhead.FirstLook firstLook() {
    return Rehearsal.WAYS_OUT;
  }

  @Override
  protected CheckResult check(Boolean rehearse, CheckContext ctx) throws SQLException {
    return rehearse ? Rehearsal.run(ctx) : ctx.skipped("rehearse: false");
  }
}
