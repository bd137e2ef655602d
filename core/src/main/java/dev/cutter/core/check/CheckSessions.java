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
  /** The pool being opened ahead ({@link #openAhead}), its endpoint and size; null when none is. */
  private java.util.concurrent.FutureTask<CheckPool> ahead;
  private Map<String, String> aheadFor;
  private int aheadSize;

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

  /**
   * Starts opening the run's pool for {@code target} on a thread of its own, so that its logins
   * overlap the run's other work (the run lock); the first {@link #lease} for the same endpoint,
   * login and size takes it, waiting for it and failing as opening it then would. Only for kept
   * sessions, and only before any pool is kept; a pool nobody takes is closed with the sessions.
   * A run calls it only once its integrity gate passed: nothing connects before.
   */
  public synchronized void openAhead(ConnectionSpec target, int size, String applicationName) {
    if (!keep || kept != null || ahead != null) {
      return;
    }
    aheadFor = Connections.endpoint(target);
    aheadSize = size;
    ahead = dev.cutter.core.Background.start("cutter-check-sessions", () -> CheckPool.open(target, size, applicationName));
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
    if (ahead != null && kept == null && endpoint.equals(aheadFor) && size == aheadSize) {
      java.util.concurrent.FutureTask<CheckPool> opening = ahead;
      ahead = null;
      kept = dev.cutter.core.Background.await(opening, RuntimeException.class); // CheckPool.open's refusal as it was
      keptFor = endpoint;
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
    if (ahead != null) {
      try {
        dev.cutter.core.Background.await(ahead, RuntimeException.class).close();
      } catch (RuntimeException e) {
        // it could not connect: nothing to close
      }
      ahead = null;
    }
    if (kept != null) {
      kept.close();
      kept = null;
    }
  }
}
