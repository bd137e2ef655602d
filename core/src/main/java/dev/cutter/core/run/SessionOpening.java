package dev.cutter.core.run;

import dev.cutter.core.Background;
import dev.cutter.core.check.TargetAccess;
import java.sql.SQLException;
import java.util.concurrent.FutureTask;

/**
 * A session as apply_role being opened on a thread of its own while the run opens another: the
 * run waits for the slower login only. {@link #await} gives the session or the reason it could
 * not be had, exactly as opening it in place would; {@link #discard} closes a session nobody
 * will use before the run goes on.
 */
final class SessionOpening {

  /** Opens the session; the reasons are those of {@link ApplyRun#applyConnection}. */
  @FunctionalInterface
  interface Opener {
    TargetAccess.RoleSession open() throws ApplyRun.ApplyRoleException;
  }

  private final FutureTask<TargetAccess.RoleSession> task;
  /** Set for a session opened ahead of its use: what opens it again when the server ended it meanwhile. */
  private final Opener again;

  private SessionOpening(FutureTask<TargetAccess.RoleSession> task, Opener again) {
    this.task = task;
    this.again = again;
  }

  static SessionOpening start(Opener opener) {
    return new SessionOpening(Background.start("cutter-session-opening", opener::open), null);
  }

  /**
   * A session opened well ahead of its use (while P1 runs): {@link #await} proves it still alive
   * with one round trip, and opens one in place when the server ended it meanwhile
   * (idle_session_timeout, a terminated backend).
   */
  static SessionOpening startAhead(Opener opener) {
    return new SessionOpening(Background.start("cutter-session-ahead", opener::open), opener);
  }

  /** The session, or what kept it from being opened. */
  TargetAccess.RoleSession await() throws ApplyRun.ApplyRoleException {
    // a login under way ends by itself: wait for it, then keep the interrupt
    TargetAccess.RoleSession s = Background.await(task, ApplyRun.ApplyRoleException.class);
    if (again == null) {
      return s;
    }
    TargetAccess.RoleSession live = s.aliveOrClosed();
    return live != null ? live : again.open();
  }

  /**
   * Waits for the login to end and closes the session it opened, if any: nothing is left behind,
   * and nothing logs in again (a session the server ended is not replaced just to be closed).
   */
  void discard() {
    try {
      Background.await(task, ApplyRun.ApplyRoleException.class).close();
    } catch (ApplyRun.ApplyRoleException | SQLException | RuntimeException e) {
      // nothing was opened, or closing failed: either way nothing is left to use
    }
  }
}
