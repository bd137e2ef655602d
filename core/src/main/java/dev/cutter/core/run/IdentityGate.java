package dev.cutter.core.run;

import dev.cutter.core.cause.Causes;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.CutterException;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.IdentityCheck;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.model.ApplyPackage;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The identity gate of the verbs that connect without a P1 (verify, rollback, backup): the
 * target's system identifier, database and pinned server major are the approved ones, or nothing
 * of the package runs there. The same check as P1's first.
 */
public final class IdentityGate {

  private IdentityGate() {}

  /** The gate on an open session (read-only queries only). */
  public static GateResult check(Connection c, ApplyPackage pkg) throws SQLException {
    CheckResult r = IdentityCheck.run(new CheckContext(IdentityCheck.ID, c, pkg, List.of(), null));
    return new GateResult(GateId.IDENTITY, r.status().blocks() ? GateStatus.FAIL : GateStatus.PASS, r.expected(),
        r.actual(), r.message(), List.of(r), r.status().blocks() ? ApplyRun.firstCause(List.of(r)) : null);
  }

  /** The gate on a session of its own; a connection that fails is a failed gate. */
  public static GateResult check(ConnectionSpec target, ApplyPackage pkg, String applicationName) {
    try (Connection c = Connections.openCatalog(target, applicationName)) {
      return check(c, pkg);
    } catch (CutterException e) {
      return failed(target, e.getMessage(), e.typedCause() != null ? e.typedCause()
          : new Cause.CannotConnect(target.display(), null));
    } catch (SQLException e) {
      return failed(target, "reading the target's identity: " + DbErrors.oneLine(e),
          Causes.sql(e, Cause.ErrorSite.CHECK, target.user()));
    }
  }

  private static GateResult failed(ConnectionSpec target, String message, Cause cause) {
    return GateResult.fail(GateId.IDENTITY, cause, "connection to " + target.display(), null, message,
        List.of());
  }
}
