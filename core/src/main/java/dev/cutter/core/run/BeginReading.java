package dev.cutter.core.run;

import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.BaselineSnapshot;
import dev.cutter.core.check.BeginRecheck;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplyPackage;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What the run reads on the lock session between P1 and BEGIN: the re-check's fingerprint of the
 * relations the change acts on ({@link BeginRecheck#prepare}) and the baseline before the change.
 * Both are read-only catalog reads on the lock session, which P1 does not use. {@link #readAhead}
 * reads them as soon as P1's identity check held, while P1's parallel checks run (the main thread
 * would only wait), on a thread of P1's while P1's own logins ahead are under way (the apply's
 * logins, which take their route, start once they ended; neither waits for the other), always
 * before P1's checks that run alone (the rehearsal takes the change's locks, so nothing reads
 * beside it); {@link #take} hands them over once P1 held, reading them then if nobody read them
 * ahead. Both methods are synchronized: the thread that took the readings hands them over whole.
 *
 * <p>Read earlier, the fingerprint covers more, not less: whatever changes the touched relations
 * after it was read, during the rest of P1 included, differs at BEGIN and refuses the apply. A
 * failure to read is kept and reported by {@link #take}, after P1's own verdict, as before.
 */
final class BeginReading {

  /** The two readings. */
  record Read(BeginRecheck recheck, Baseline before) {}

  private final Connection lockConn;
  private final ApplyPackage pkg;
  private final List<ExecStatement> statements;
  private final String loginRole;
  private final BeginRecheck.PackageChecks packageChecks;
  private Read read;
  private SQLException failed;
  private RuntimeException broke;
  private boolean done;

  BeginReading(Connection lockConn, ApplyPackage pkg, List<ExecStatement> statements, String loginRole,
      BeginRecheck.PackageChecks packageChecks) {
    this.lockConn = lockConn;
    this.pkg = pkg;
    this.statements = statements;
    this.loginRole = loginRole;
    this.packageChecks = packageChecks;
  }

  /** Reads both now, on the calling thread, once; a failure is kept for {@link #take}. */
  synchronized void readAhead() {
    if (done) {
      return;
    }
    done = true;
    try {
      BeginRecheck recheck = BeginRecheck.prepare(lockConn, pkg, statements, loginRole, packageChecks);
      read = new Read(recheck, BaselineSnapshot.read(lockConn, recheck.touchedSchemas()));
    } catch (SQLException e) {
      failed = e;
    } catch (RuntimeException e) {
      broke = e;
    }
  }

  /** The readings, read now if nobody read them ahead; the reading's failure as it was thrown. */
  synchronized Read take() throws SQLException {
    readAhead();
    if (failed != null && dev.cutter.core.check.RehearsalBeside.stoppedByALock(failed)) {
      // read beside P1 (and its rehearsal, which may run beside the checks): a lock or a timeout then is read again now
      done = false;
      failed = null;
      readAhead();
    }
    if (failed != null) {
      throw failed;
    }
    if (broke != null) {
      throw broke;
    }
    return read;
  }
}
