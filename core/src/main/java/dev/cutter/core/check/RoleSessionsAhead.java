package dev.cutter.core.check;

import dev.cutter.core.Background;
import dev.cutter.core.CutterException;
import java.sql.Connection;
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
 *
 * <p>A session may come with a first look ({@link FirstLook}): a read-only look its taker needs on it
 * before anything else (the rehearsal's look for ways out of its rollback), taken on the same thread
 * right after the login, so that the taker does not wait for it. The taker names the look it needs;
 * one that was not taken ahead on that very session (another look, a session opened again in
 * place) is taken then, before the session is handed over.
 */
public final class RoleSessionsAhead implements AutoCloseable {

  /** A read-only look at a fresh session as {@code role}; it refuses the session by throwing a {@link CutterException}. */
  @FunctionalInterface
  public interface FirstLook {
    void look(Connection c, String role) throws SQLException;
  }

  /** The first look refused the session (its {@link CutterException}); the session was closed. */
  public static final class LookRefused extends Exception {
    private final CutterException refusal;

    LookRefused(CutterException refusal) {
      super(refusal.getMessage(), refusal);
      this.refusal = refusal;
    }

    public CutterException refusal() {
      return refusal;
    }
  }

  /** A login under way and the first look that follows it on the same thread (null: none). */
  private record Opening(FutureTask<TargetAccess.RoleSession> login, FirstLook first, FutureTask<Void> looked) {}

  private final TargetAccess access;
  private final Map<String, Opening> opening = new HashMap<>();

  public RoleSessionsAhead(TargetAccess access) {
    this.access = access;
  }

  /** Starts opening a session as {@code role} with application name {@code purpose} (once per pair). */
  public synchronized void start(String role, String purpose) {
    start(role, purpose, null);
  }

  /**
   * Starts opening a session as {@code role} with application name {@code purpose} (once per pair),
   * then taking {@code first} on it (null: no look) on the same thread.
   */
  public synchronized void start(String role, String purpose, FirstLook first) {
    String key = key(role, purpose);
    if (opening.containsKey(key)) {
      return;
    }
    FutureTask<TargetAccess.RoleSession> login = new FutureTask<>(new Login(access, role, purpose));
    FutureTask<Void> looked = first == null ? null : new FutureTask<>(new Look(login, first, role));
    Thread t = new Thread(new OpenThenLook(login, looked), "cutter-session-ahead");
    t.setDaemon(true);
    t.start();
    opening.put(key, new Opening(login, first, looked));
  }

  // named classes rather than lambdas (here and below): the class-data archive holds them, where a
  // lambda would be spun at run time

  /** The login. */
  private record Login(TargetAccess access, String role, String purpose)
      implements java.util.concurrent.Callable<TargetAccess.RoleSession> {
    @Override
    public TargetAccess.RoleSession call() throws SQLException {
      return access.openAs(role, purpose);
    }
  }

  /** The first look, on the session the login opened. */
  private record Look(FutureTask<TargetAccess.RoleSession> login, FirstLook first, String role)
      implements java.util.concurrent.Callable<Void> {
    @Override
    public Void call() throws Exception {
      first.look(login.get().connection(), role);
      return null;
    }
  }

  /** The opening thread's body: the login, then the first look. */
  private record OpenThenLook(FutureTask<TargetAccess.RoleSession> login, FutureTask<Void> looked) implements Runnable {
    @Override
    public void run() {
      login.run();
      if (looked != null) {
        looked.run();
      }
    }
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
      all = logins();
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
    for (FutureTask<TargetAccess.RoleSession> t : logins()) {
      if (!t.isDone()) {
        return true;
      }
    }
    return false;
  }

  /** Whether the login started for {@code role} and {@code purpose} has ended (opened or failed); for tests. */
  synchronized boolean done(String role, String purpose) {
    Opening o = opening.get(key(role, purpose));
    return o != null && o.login().isDone();
  }

  private List<FutureTask<TargetAccess.RoleSession>> logins() {
    List<FutureTask<TargetAccess.RoleSession>> out = new ArrayList<>();
    for (Opening o : opening.values()) {
      out.add(o.login());
    }
    return out;
  }

  /**
   * The session opened ahead as {@code role} for {@code purpose} (waiting for its login to end),
   * else one opened now through {@code access}; either way what {@link TargetAccess#openAs} throws.
   */
  public TargetAccess.RoleSession openAs(TargetAccess access, String role, String purpose) throws SQLException {
    try {
      return openAs(access, role, purpose, null);
    } catch (LookRefused e) {
      throw new IllegalStateException("no look was asked for", e);
    }
  }

  /**
   * As {@link #openAs(TargetAccess, String, String)}, on which {@code first} (null: none) has looked:
   * ahead, when it is the look this session was started with and the session is still the one it
   * looked at, else now. A refusal closes the session and is thrown as {@link LookRefused}.
   */
  public TargetAccess.RoleSession openAs(TargetAccess access, String role, String purpose, FirstLook first)
      throws SQLException, LookRefused {
    Opening ahead;
    synchronized (this) {
      ahead = opening.remove(key(role, purpose));
    }
    if (ahead == null) {
      return openNow(access, role, purpose, first);
    }
    TargetAccess.RoleSession s = Background.await(ahead.login(), SQLException.class);
    boolean lookedAhead = first != null && ahead.first() == first;
    if (lookedAhead) {
      passed(s, new AwaitLook(ahead.looked()));
    }
    TargetAccess.RoleSession live = s.aliveOrClosed();
    // the server ended it while it waited (idle_session_timeout, a restart): open one in place, as without it
    if (live == null) {
      return openNow(access, role, purpose, first);
    }
    return lookedAhead ? live : looked(live, role, first);
  }

  /** A session opened now through {@code access}, on which {@code first} (null: none) has looked; as {@link #openAs}. */
  public static TargetAccess.RoleSession openNow(TargetAccess access, String role, String purpose, FirstLook first)
      throws SQLException, LookRefused {
    return looked(access.openAs(role, purpose), role, first);
  }

  /** {@code s} once {@code first} (null: none) has looked at it; closed when it did not pass. */
  private static TargetAccess.RoleSession looked(TargetAccess.RoleSession s, String role, FirstLook first)
      throws SQLException, LookRefused {
    return first == null ? s : passed(s, new LookNow(first, s, role));
  }

  /** A look's step on a session: the look itself, or the wait for the look taken ahead. */
  private interface LookStep {
    void run() throws SQLException;
  }

  private record AwaitLook(FutureTask<Void> looked) implements LookStep {
    @Override
    public void run() throws SQLException {
      Background.await(looked, SQLException.class);
    }
  }

  private record LookNow(FirstLook first, TargetAccess.RoleSession s, String role) implements LookStep {
    @Override
    public void run() throws SQLException {
      first.look(s.connection(), role);
    }
  }

  /** {@code s} once {@code step} passed; a refusal (thrown as {@link LookRefused}) or a failure closes it. */
  private static TargetAccess.RoleSession passed(TargetAccess.RoleSession s, LookStep step)
      throws SQLException, LookRefused {
    try {
      step.run();
      return s;
    } catch (CutterException e) {
      closeQuietly(s);
      throw new LookRefused(e);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(s);
      throw e;
    }
  }

  private static void closeQuietly(TargetAccess.RoleSession s) {
    try {
      s.close();
    } catch (SQLException | RuntimeException e) {
      // closed or gone: nothing is left to use either way
    }
  }

  /** Waits for every login not taken to end and closes what it opened: nothing is left behind. */
  @Override
  public void close() {
    List<Opening> left;
    synchronized (this) {
      left = new ArrayList<>(opening.values());
      opening.clear();
    }
    for (Opening o : left) {
      try {
        if (o.looked() != null) {
          awaitQuietly(o.looked()); // its look ends before its session closes
        }
        Background.await(o.login(), SQLException.class).close();
      } catch (SQLException | RuntimeException e) {
        // nothing was opened, or closing failed: either way nothing is left to use
      }
    }
  }

  private static void awaitQuietly(FutureTask<Void> t) {
    try {
      Background.await(t, SQLException.class);
    } catch (SQLException | RuntimeException e) {
      // a failed look leaves nothing open of its own
    }
  }

  private static String key(String role, String purpose) {
    return role + "\u0000" + purpose;
  }
}
