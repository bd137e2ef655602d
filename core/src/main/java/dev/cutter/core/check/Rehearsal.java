package dev.cutter.core.check;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.cause.Causes;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.db.DbErrors.ServerError;
import dev.cutter.core.exec.ApplyEngine;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.lock.LockPlan;
import dev.cutter.core.lock.LockPlanRecorder;
import dev.cutter.core.model.ApplySettings;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Runs the artifact as apply_role exactly as apply will (the same engine: one statement at a
 * time over the simple query protocol, {@code SET LOCAL lock_timeout}/{@code statement_timeout}
 * from the package, stop at the first error) in a transaction that is always rolled back. Before
 * the rollback, {@code SET CONSTRAINTS ALL IMMEDIATE} makes deferred constraints that would fail
 * at COMMIT fail here. The only check that writes; what it writes never commits (sequence values
 * it draws stay drawn, as with any rolled-back transaction). Its session is one that no statement
 * can leave for a more privileged role (see {@link TargetAccess#openAs}), as apply's. After each
 * statement it measures the locks the session newly holds ({@link LockPlanRecorder}) and hands
 * the lock plan to the run ({@link CheckContext#recordLockPlan}).
 */
public final class Rehearsal {

  /** The journal hook's way to end the transaction: never a server error. */
  private static final String END = "cutter rehearsal ends here";
  private static final String END_STATE = "00000";

  /** The application name of the rehearsal's session. */
  public static final String PURPOSE = "cutter rehearse";

  /** The rehearsal's first look at its session: no way out of its rollback ({@link PackageQueries#refuseWaysOut}). */
  public static final RoleSessionsAhead.FirstLook WAYS_OUT = new WaysOut();

  /**
   * A named class rather than a method reference: the class-data archive holds it, where a lambda is
   * spun at run time. It notes on the session, before it looks, the server's snapshot then ({@link
   * #asLooked}): the other P1 checks run between the look and the rehearsal's first statement.
   */
  private static final class WaysOut implements RoleSessionsAhead.FirstLook {
    @Override
    public void look(java.sql.Connection c, String role) throws SQLException {
      try (Statement st = c.createStatement()) {
        st.execute("select pg_catalog.set_config('" + LOOKED_AT + "', pg_catalog.pg_current_snapshot()::pg_catalog.text,"
            + " false)");
      }
      PackageQueries.refuseWaysOut(c, role);
    }
  }

  /** The session's note of the server's snapshot taken right before its look for ways out. */
  private static final String LOOKED_AT = "cutter.ways_out_looked_at";

  /**
   * Whether nothing committed on the server since {@link #WAYS_OUT} looked at session {@code c}: the
   * snapshot then equals the snapshot now (any commit or abort since moves its xmax or leaves its
   * in-progress list), so every catalog row the look read (grants, memberships, functions, user
   * mappings) is as it was. False when there is no note (no look, or another look) on the session.
   */
  static boolean asLooked(java.sql.Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("select pg_catalog.current_setting('" + LOOKED_AT + "', true)"
            + " operator(pg_catalog.=) pg_catalog.pg_current_snapshot()::pg_catalog.text")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  private Rehearsal() {}

  /** A way out of the rollback found on the rehearsal's session, ahead or right before the first statement: not rehearsed. */
  private static CheckResult notRehearsed(CheckContext ctx, dev.cutter.core.CutterException refusal) {
    return ctx.error(refusal.typedCause(), "not rehearsed: " + refusal.getMessage());
  }

  public static CheckResult run(CheckContext ctx) throws SQLException {
    int n = ctx.statements().size();
    String role = ctx.applyRole();
    String expected = "all " + n + " statements run as apply_role " + Identifiers.quote(role) + " (rolled back)";
    if (n == 0) {
      return ctx.pass(expected, "no statements", null);
    }
    ApplySettings pkg = ctx.pkg().apply();
    // Always one transaction, also for mode: autocommit, so that nothing commits.
    ApplySettings tx = new ApplySettings(ApplySettings.Mode.TRANSACTION, pkg.lockTimeout(), pkg.statementTimeout());
    Outcome o;
    String how;
    TargetAccess.RoleSession s;
    try {
      // what the artifact does through a session of its own (dblink, a foreign table) or a file
      // commits there, whatever the rollback here: refused before its first statement (looked at
      // on the session right after its login, while the other checks run)
      s = ctx.openAs(role, PURPOSE, WAYS_OUT);
    } catch (TargetAccess.RoleRefused e) {
      return ctx.fail(new Cause.LoginRoleRefused(e.reason(), ctx.target().login().user(), role, e.excess()), expected,
          "no session that acts only as apply_role (" + e.reason() + ")", e.getMessage());
    } catch (RoleSessionsAhead.LookRefused refused) {
      return notRehearsed(ctx, refused.refusal());
    }
    LockPlanRecorder locks = new LockPlanRecorder(LockPlan.Source.REHEARSE, ctx.pkg().artifact().path(), ctx.statements());
    try (s) {
      // the look may have been taken ahead, while the other checks ran: if anything committed since, it is
      // taken again here, right before the first statement, as it was before the look was taken ahead
      if (!asLooked(s.connection())) {
        try {
          PackageQueries.refuseWaysOut(s.connection(), role);
        } catch (dev.cutter.core.CutterException refused) {
          return notRehearsed(ctx, refused);
        }
      }
      how = s.how();
      o = ApplyEngine.run(s.connection(), ctx.statements(), tx, c -> {
        locks.finish(c, ctx.connection());
        try (Statement st = c.createStatement()) {
          st.execute("set constraints all immediate");
        }
        throw new SQLException(END, END_STATE);
      }, ApplyEngine.NO_RECHECK, locks);
    }
    ServerError e = o.error();
    locks.finishAfterFailure(ctx.connection());
    ctx.recordLockPlan(locks.plan(LockPlanRecorder.failure(o)));
    if (e != null && o.failedIndex() != null && o.failedIndex() == -1 && END_STATE.equals(e.sqlstate())) {
      return ctx.pass(expected, "all " + n + " ran; rolled back", "rehearsed as " + how + " with lock_timeout "
          + pkg.lockTimeout().toMillis() + "ms");
    }
    if (e == null) {
      return ctx.error(new Cause.InternalError("rehearsal ended without rolling back"),
          "rehearsal ended without rolling back: report this as a bug");
    }
    String state = e.sqlstate() == null ? "" : " (SQLSTATE " + e.sqlstate() + ")";
    if (o.failedIndex() != null && o.failedIndex() == -1) {
      return ctx.fail(Causes.sql(e, Cause.ErrorSite.COMMIT, role), expected, "a deferred constraint fails at COMMIT: " + e.message() + state,
          "the artifact would fail at COMMIT: " + e.message() + state);
    }
    if (ctx.pkg().apply().mode() == ApplySettings.Mode.AUTOCOMMIT && "25001".equals(e.sqlstate())) {
      return ctx.skipped("statement " + o.failedIndex() + " (line " + o.failedLine() + ") cannot run inside a"
          + " transaction block, so it cannot be rehearsed; statements before it held");
    }
    String at = "statement " + o.failedIndex() + " (line " + o.failedLine() + ")";
    return ctx.fail(Causes.sql(e, Cause.ErrorSite.REHEARSAL, role).atStatement(o.failedIndex(), o.failedLine()),
        expected, at + " failed: " + e.message() + state, "apply would stop at " + at + ": " + e.message()
        + state + (e.hint() == null ? "" : "; hint: " + e.hint()) + "; rehearsed as " + how);
  }
}
