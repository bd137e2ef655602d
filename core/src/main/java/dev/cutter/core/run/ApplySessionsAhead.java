package dev.cutter.core.run;

import dev.cutter.core.check.TargetAccess;

/**
 * The apply's and the journal's sessions as apply_role, logged in while the rest of P1 runs
 * (the other checks, then the rehearsal) rather than after it: {@link #start} is called once P1's
 * identity check held and P1's own logins ahead ended (the routes to apply_role they found are
 * then taken rather than probed again). Not when a backup comes between P1 and the apply (the sessions would idle
 * through the dump). A session the server ended while it waited is replaced by one opened in
 * place ({@link SessionOpening#startAhead}); a session nobody took is closed ({@link #discardUntaken}).
 * Taking either without {@link #start} opens it as before: the apply's in place, the journal's
 * on a thread beside it.
 */
final class ApplySessionsAhead {

  private final ApplyRun.Request req;
  private SessionOpening apply;
  private SessionOpening journal;

  ApplySessionsAhead(ApplyRun.Request req) {
    this.req = req;
  }

  /** P1's identity check held and its logins ahead ended: both logins start, unless a backup is to run before the apply. */
  void start() {
    if (apply != null || req.pkg().backup().required()) {
      return;
    }
    apply = SessionOpening.startAhead(() -> ApplyRun.applyConnection(req));
    journal = SessionOpening.startAhead(() -> ApplyRun.applyConnection(req, ApplyRun.journalPurpose(req)));
  }

  /** Whether the logins were started ahead. */
  boolean started() {
    return apply != null || journal != null;
  }

  /** The journal's session: the one opened ahead, else one opening now on its own thread. */
  SessionOpening takeJournal() {
    SessionOpening j = journal;
    journal = null;
    return j != null ? j : SessionOpening.start(() -> ApplyRun.applyConnection(req, ApplyRun.journalPurpose(req)));
  }

  /** The apply's session: the one opened ahead, else one opened now. */
  TargetAccess.RoleSession takeApply() throws ApplyRun.ApplyRoleException {
    SessionOpening a = apply;
    apply = null;
    return a != null ? a.await() : ApplyRun.applyConnection(req);
  }

  /** Closes every session opened ahead that the run did not take (it stopped before the apply). */
  void discardUntaken() {
    if (apply != null) {
      apply.discard();
      apply = null;
    }
    if (journal != null) {
      journal.discard();
      journal = null;
    }
  }
}
