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

  private SessionOpening(FutureTask<TargetAccess.RoleSession> task) {
    this.task = task;
  }

  static SessionOpening start(Opener opener) {
    return new SessionOpening(Background.start("cutter-session-opening", opener::open));
  }

  /** The session, or what kept it from being opened. */
  TargetAccess.RoleSession await() throws ApplyRun.ApplyRoleException {
    // a login under way ends by itself: wait for it, then keep the interrupt
    return Background.await(task, ApplyRun.ApplyRoleException.class);
  }

  /** Waits for the login to end and closes the session it opened, if any: nothing is left behind. */
  void discard() {
    try {
      await().close();
    } catch (ApplyRun.ApplyRoleException | SQLException | RuntimeException e) {
      // nothing was opened, or closing failed: either way nothing is left to use
    }
  }
}
