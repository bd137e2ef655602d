package dev.cutter.core.check;

import dev.cutter.core.Background;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.FutureTask;

/**
 * Sessions as a role opened on threads of their own before the check that needs them runs: the
 * rehearsal runs alone after the other P1 checks, and its logins (a probe as the login role,
 * then the login as apply_role) need not wait for them. Opening a session takes no lock on the
 * target, so it may overlap the other checks; only running the artifact may not. {@link #openAs}
 * gives the session opened ahead, or what kept it from being opened, exactly as {@link
 * TargetAccess#openAs} in place would; a session the server ended while it waited is replaced by
 * one opened in place. {@link #close} closes every session nobody took.
 */
public final class RoleSessionsAhead implements AutoCloseable {

  private final TargetAccess access;
  private final Map<String, FutureTask<TargetAccess.RoleSession>> opening = new HashMap<>();

  public RoleSessionsAhead(TargetAccess access) {
    this.access = access;
  }

  /** Starts opening a session as {@code role} with application name {@code purpose} (once per pair). */
  public synchronized void start(String role, String purpose) {
    opening.computeIfAbsent(key(role, purpose),
        k -> Background.start("cutter-session-ahead", () -> access.openAs(role, purpose)));
  }

  /** Whether a session as {@code role} for {@code purpose} is being opened ahead and not yet taken. */
  public synchronized boolean started(String role, String purpose) {
    return opening.containsKey(key(role, purpose));
  }

  /**
   * Waits until every login started has ended (opened or failed), taking none: what comes after
   * may then rely on the routes they found ({@link RoleRoutes}) instead of probing again.
   */
  public void awaitLogins() {
    List<FutureTask<TargetAccess.RoleSession>> all;
    synchronized (this) {
      all = new ArrayList<>(opening.values());
    }
    for (FutureTask<TargetAccess.RoleSession> t : all) {
      try {
        Background.await(t, SQLException.class);
      } catch (SQLException | RuntimeException e) {
        // its taker gets the failure
      }
    }
  }

  /** Whether a login started here has not ended yet (opened or failed). */
  public synchronized boolean loginsUnderWay() {
    for (FutureTask<TargetAccess.RoleSession> t : opening.values()) {
      if (!t.isDone()) {
        return true;
      }
    }
    return false;
  }

  /** Whether the login started for {@code role} and {@code purpose} has ended (opened or failed); for tests. */
  synchronized boolean done(String role, String purpose) {
    FutureTask<TargetAccess.RoleSession> t = opening.get(key(role, purpose));
    return t != null && t.isDone();
  }

  /**
   * The session opened ahead as {@code role} for {@code purpose} (waiting for its login to end),
   * else one opened now through {@code access}; either way what {@link TargetAccess#openAs} throws.
   */
  public TargetAccess.RoleSession openAs(TargetAccess access, String role, String purpose) throws SQLException {
    FutureTask<TargetAccess.RoleSession> ahead;
    synchronized (this) {
      ahead = opening.remove(key(role, purpose));
    }
    if (ahead == null) {
      return access.openAs(role, purpose);
    }
    TargetAccess.RoleSession live = Background.await(ahead, SQLException.class).aliveOrClosed();
    // the server ended it while it waited (idle_session_timeout, a restart): open one in place, as without it
    return live != null ? live : access.openAs(role, purpose);
  }

  /** Waits for every login not taken to end and closes what it opened: nothing is left behind. */
  @Override
  public void close() {
    List<FutureTask<TargetAccess.RoleSession>> left;
    synchronized (this) {
      left = new ArrayList<>(opening.values());
      opening.clear();
    }
    for (FutureTask<TargetAccess.RoleSession> t : left) {
      try {
        Background.await(t, SQLException.class).close();
      } catch (SQLException | RuntimeException e) {
        // nothing was opened, or closing failed: either way nothing is left to use
      }
    }
  }

  private static String key(String role, String purpose) {
    return role + "\u0000" + purpose;
  }
}
