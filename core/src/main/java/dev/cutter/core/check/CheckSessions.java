package dev.cutter.core.check;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import java.util.Map;

/**
 * The read-only check sessions of one run. Without it every list of checks (P1, verify, a
 * rollback precondition, the derived verify's schema lookup) opens a pool of its own and closes
 * it after; with it the first pool opened is kept for the run and lent again to every later list
 * for the same endpoint and login, so verify after the commit needs no new logins. Before a kept
 * session serves its next user it is reset ({@link CheckPool#resetBeforeNextUse}: {@code DISCARD ALL})
 * and it is still used only in READ ONLY transactions that are rolled back. Closed at the end of
 * the run; a pool for another endpoint is opened and closed per use, as without it.
 */
public final class CheckSessions implements AutoCloseable {

  /** A pool lent for one list of checks; closing gives it back (or closes a pool that is not kept). */
  public record Lease(CheckPool pool, boolean own) implements AutoCloseable {
    @Override
    public void close() {
      if (own) {
        pool.close();
      }
    }
  }

  private final boolean keep;
  private CheckPool kept;
  private Map<String, String> keptFor;

  private CheckSessions(boolean keep) {
    this.keep = keep;
  }

  /** Sessions kept for a run; close it when the run is over. */
  public static CheckSessions forRun() {
    return new CheckSessions(true);
  }

  /** A new pool per list of checks, closed after it (what a {@link Preflight} does unless told otherwise). */
  public static CheckSessions perUse() {
    return new CheckSessions(false);
  }

  /** A pool for {@code target}: the kept one, reset, when there is one for its endpoint and login; else a new one. */
  public synchronized Lease lease(ConnectionSpec target, int size, String applicationName) {
    if (!keep) {
      return new Lease(CheckPool.open(target, size, applicationName), true);
    }
    Map<String, String> endpoint = Connections.endpoint(target);
    if (kept != null && endpoint.equals(keptFor)) {
      kept.resetBeforeNextUse();
      return new Lease(kept, false);
    }
    CheckPool p = CheckPool.open(target, size, applicationName);
    if (kept != null) {
      return new Lease(p, true);
    }
    kept = p;
    keptFor = endpoint;
    return new Lease(p, false);
  }

  @Override
  public synchronized void close() {
    if (kept != null) {
      kept.close();
      kept = null;
    }
  }
}
