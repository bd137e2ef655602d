package dev.cutter.core.check;

import static dev.cutter.core.check.TestPackages.login;
import static dev.cutter.core.check.TestPackages.pkg;
import static dev.cutter.core.check.TestPackages.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.model.YamlValue;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rehearsal runs alone after the other P1 checks, but its session as apply_role is logged in
 * while they run: a check running beside the others sees it on the server; a package whose
 * rehearsal is off opens none; the rehearsal on the session opened ahead is the same rehearsal.
 */
@WithPostgres
class RoleSessionsAheadTest {

  private static final List<ExecStatement> CHANGE = List.of(new ExecStatement(1, 1, "create table app.t (id int)"),
      new ExecStatement(2, 2, "create index on app.t (id)"));

  /** The rehearsal as the checks module installs it: alone, its session opened ahead when its argument is true. */
  private static final CheckType REHEARSE = new CheckType() {
    @Override
    public String name() {
      return "rehearse";
    }

    @Override
    public void validate(YamlValue args, Problems problems) {}

    @Override
    public boolean runsAlone() {
      return true;
    }

    @Override
    public String sessionAhead(YamlValue args) {
      return args instanceof YamlValue.Scalar s && s.value().equals("true") ? Rehearsal.PURPOSE : null;
    }

    @Override
    public CheckResult run(YamlValue args, CheckContext ctx) throws SQLException {
      return args instanceof YamlValue.Scalar s && s.value().equals("true") ? Rehearsal.run(ctx) : ctx.skipped("off");
    }
  };

  /**
   * Runs beside the other checks: how many sessions named like the rehearsal's are logged in,
   * waiting (at most the seconds its argument says) for one to appear.
   */
  private static final CheckType WATCH = new CheckType() {
    @Override
    public String name() {
      return "watch";
    }

    @Override
    public void validate(YamlValue args, Problems problems) {}

    @Override
    public CheckResult run(YamlValue args, CheckContext ctx) throws SQLException {
      long end = System.nanoTime() + Long.parseLong(((YamlValue.Scalar) args).value()) * 1_000_000_000L;
      String seen;
      try (Statement st = ctx.connection().createStatement()) {
        do {
          st.execute("select pg_stat_clear_snapshot()"); // a fresh look at pg_stat_activity in the same transaction
          try (ResultSet rs = st.executeQuery("select count(*) from pg_stat_activity where application_name = '"
              + Rehearsal.PURPOSE + "'")) {
            rs.next();
            seen = rs.getString(1);
          }
        } while (seen.equals("0") && System.nanoTime() < end && pause());
      }
      return ctx.pass("a rehearsal session", seen, null);
    }
  };

  private static boolean pause() {
    try {
      Thread.sleep(20);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static CheckSpec spec(String name, String value, String tag) {
    return new CheckSpec(name, new YamlValue.Scalar(value, true, tag, SourcePosition.UNKNOWN), SourcePosition.UNKNOWN);
  }

  private static List<CheckResult> preflight(TestDatabase db, String app, boolean rehearse, int watchSeconds) {
    Preflight p = new Preflight(Map.of("rehearse", REHEARSE, "watch", WATCH), x -> CHANGE, (s, role) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM);
    return p.run(login(db, app), pkg(target(db, app), BackupPolicy.none(), List.of(
        spec("watch", String.valueOf(watchSeconds), "tag:yaml.org,2002:int"),
        spec("rehearse", String.valueOf(rehearse), "tag:yaml.org,2002:bool"))), CHANGE, false).results();
  }

  private static CheckResult result(List<CheckResult> results, String idPrefix) {
    return results.stream().filter(r -> r.id().startsWith(idPrefix)).findFirst().orElseThrow();
  }

  @Test
  void theRehearsalsSessionIsLoggedInWhileTheOtherChecksRun(TestDatabase db) {
    String app = db.createRole("app");
    db.createSchema("app", app);
    List<CheckResult> results = preflight(db, app, true, 10);
    assertThat(result(results, "watch").actual()).as("seen from a check that runs beside the others").isEqualTo("1");
    CheckResult rehearse = result(results, "rehearse");
    assertThat(rehearse.status()).as(rehearse.toString()).isEqualTo(CheckStatus.PASS);
    assertThat(rehearse.actual()).isEqualTo("all 2 ran; rolled back");
    assertThat(db.queryValue("select to_regclass('app.t') is null")).as("rolled back").isEqualTo("t");
    assertThat(db.queryValue("select count(*) from pg_stat_activity where application_name = '" + Rehearsal.PURPOSE
        + "'")).as("closed").isEqualTo("0");
  }

  @Test
  void noSessionIsOpenedAheadForARehearsalThatIsOff(TestDatabase db) {
    String app = db.createRole("app");
    db.createSchema("app", app);
    List<CheckResult> results = preflight(db, app, false, 1);
    assertThat(result(results, "watch").actual()).isEqualTo("0");
    assertThat(result(results, "rehearse").status()).isEqualTo(CheckStatus.SKIPPED);
  }

  @Test
  void aSessionTheServerEndedWhileItWaitedIsReplacedByOneOpenedInPlace(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    TargetAccess access = new TargetAccess(login(db, app), (s, role) -> Optional.empty());
    try (RoleSessionsAhead ahead = new RoleSessionsAhead(access)) {
      ahead.start(app, "ahead-test");
      assertThat(ahead.started(app, "ahead-test")).isTrue();
      long end = System.nanoTime() + 10_000_000_000L;
      while (!ahead.done(app, "ahead-test") && System.nanoTime() < end && pause()) {
        // the login ends by itself
      }
      String killed = awaitPid(db, "ahead-test");
      assertThat(db.queryValue("select pg_terminate_backend(" + killed + ", 10000)")).isEqualTo("t");
      try (TargetAccess.RoleSession s = ahead.openAs(access, app, "ahead-test");
          Statement st = s.connection().createStatement();
          ResultSet rs = st.executeQuery("select pg_backend_pid()::text || ' ' || current_user")) {
        rs.next();
        assertThat(rs.getString(1)).as("a live session as the role, not the one the server ended")
            .isNotEqualTo(killed + " " + app).endsWith(" " + app);
        assertThat(ahead.started(app, "ahead-test")).as("taken").isFalse();
      }
    }
  }

  /** A first look that notes the backend it looked at and the thread it ran on, and refuses when told to. */
  private static final class Look implements RoleSessionsAhead.FirstLook {
    final List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    final boolean refuse;

    Look(boolean refuse) {
      this.refuse = refuse;
    }

    @Override
    public void look(java.sql.Connection c, String role) throws SQLException {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select pg_backend_pid()::text || ' ' || current_user")) {
        rs.next();
        seen.add(rs.getString(1) + " on " + Thread.currentThread().getName());
      }
      if (refuse) {
        throw new dev.cutter.core.CutterException(dev.cutter.core.ExitCodes.CHECKS_FAILED, "refused by the look", null,
            new dev.cutter.core.cause.Cause.InvalidCheck(null));
      }
    }
  }

  private static String pidOf(TargetAccess.RoleSession s) throws SQLException {
    try (Statement st = s.connection().createStatement(); ResultSet rs = st.executeQuery("select pg_backend_pid()::text")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void awaitDone(RoleSessionsAhead ahead, String role, String purpose) {
    long end = System.nanoTime() + 10_000_000_000L;
    while (!ahead.done(role, purpose) && System.nanoTime() < end && pause()) {
      // the login ends by itself
    }
  }

  /** The look started with the session is taken on it right after its login, on the opening thread, and once. */
  @Test
  void theFirstLookIsTakenOnTheSessionRightAfterItsLoginOnTheThreadThatOpenedIt(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    TargetAccess access = new TargetAccess(login(db, app), (s, role) -> Optional.empty());
    Look look = new Look(false);
    try (RoleSessionsAhead ahead = new RoleSessionsAhead(access)) {
      ahead.start(app, "look-test", look);
      try (TargetAccess.RoleSession s = ahead.openAs(access, app, "look-test", look)) {
        assertThat(look.seen).containsExactly(pidOf(s) + " " + app + " on cutter-session-ahead");
      }
    }
  }

  /**
   * A look the taker asks for that the session was not started with (none, or another) is taken
   * when the session is taken, on the taker's thread: a session is never handed over unlooked-at.
   */
  @Test
  void aLookTheSessionWasNotStartedWithIsTakenWhenTheSessionIsTaken(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    TargetAccess access = new TargetAccess(login(db, app), (s, role) -> Optional.empty());
    Look started = new Look(false);
    Look asked = new Look(false);
    try (RoleSessionsAhead ahead = new RoleSessionsAhead(access)) {
      ahead.start(app, "none", null);
      ahead.start(app, "other", started);
      try (TargetAccess.RoleSession s = ahead.openAs(access, app, "none", asked)) {
        assertThat(asked.seen).containsExactly(pidOf(s) + " " + app + " on " + Thread.currentThread().getName());
      }
      asked.seen.clear();
      try (TargetAccess.RoleSession s = ahead.openAs(access, app, "other", asked)) {
        assertThat(asked.seen).containsExactly(pidOf(s) + " " + app + " on " + Thread.currentThread().getName());
      }
    }
  }

  /** A look that refuses closes the session (nothing left on the server) and is thrown as LookRefused with its refusal. */
  @Test
  void aRefusingLookClosesTheSessionAndIsThrownWithItsRefusal(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    TargetAccess access = new TargetAccess(login(db, app), (s, role) -> Optional.empty());
    Look refuse = new Look(true);
    try (RoleSessionsAhead ahead = new RoleSessionsAhead(access)) {
      ahead.start(app, "refused-ahead", refuse);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ahead.openAs(access, app, "refused-ahead", refuse))
          .isInstanceOf(RoleSessionsAhead.LookRefused.class).hasMessage("refused by the look");
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RoleSessionsAhead.openNow(access, app, "refused-now", refuse))
        .isInstanceOfSatisfying(RoleSessionsAhead.LookRefused.class,
            e -> assertThat(e.refusal().getMessage()).isEqualTo("refused by the look"));
    assertThat(refuse.seen).hasSize(2);
    assertThat(db.queryValue("select count(*) from pg_stat_activity where application_name in ('refused-ahead',"
        + " 'refused-now')")).as("both sessions closed").isEqualTo("0");
  }

  /** A session the server ended after its look is opened again in place and looked at again: the look is the live session's. */
  @Test
  void aSessionOpenedAgainInPlaceIsLookedAtAgain(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    TargetAccess access = new TargetAccess(login(db, app), (s, role) -> Optional.empty());
    Look look = new Look(false);
    try (RoleSessionsAhead ahead = new RoleSessionsAhead(access)) {
      ahead.start(app, "look-again", look);
      awaitDone(ahead, app, "look-again");
      String killed = awaitPid(db, "look-again");
      long end = System.nanoTime() + 10_000_000_000L;
      while (look.seen.isEmpty() && System.nanoTime() < end && pause()) {
        // the look ends by itself
      }
      assertThat(db.queryValue("select pg_terminate_backend(" + killed + ", 10000)")).isEqualTo("t");
      try (TargetAccess.RoleSession s = ahead.openAs(access, app, "look-again", look)) {
        String live = pidOf(s);
        assertThat(live).isNotEqualTo(killed);
        assertThat(look.seen).containsExactly(killed + " " + app + " on cutter-session-ahead",
            live + " " + app + " on " + Thread.currentThread().getName());
      }
    }
  }

  private static String awaitPid(TestDatabase db, String name) {
    long end = System.nanoTime() + 10_000_000_000L;
    String pid = null;
    while (pid == null && System.nanoTime() < end) {
      pid = db.queryValue("select max(pid)::text from pg_stat_activity where application_name = '" + name + "'");
      if (pid == null && !pause()) {
        break;
      }
    }
    assertThat(pid).as("the session opened ahead logged in").isNotNull();
    return pid;
  }

  /**
   * A lookup of apply_role's password that holds the rehearsal's login ahead (a login as another role
   * than the login's asks it) until {@code identityHeld} was called, at most 10 s; {@link #ended} says
   * whether that login has been let go.
   */
  private static final class HeldLogin implements java.util.function.BiFunction<dev.cutter.core.db.ConnectionSpec, String,
      Optional<dev.cutter.core.db.ConnectionSpec.Secret>> {
    final java.util.concurrent.CountDownLatch identityHeld = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public Optional<dev.cutter.core.db.ConnectionSpec.Secret> apply(dev.cutter.core.db.ConnectionSpec login, String role) {
      if (Thread.currentThread().getName().equals("cutter-session-ahead")) {
        try {
          identityHeld.await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          ended.set(true);
        }
      }
      return Optional.empty();
    }
  }

  /** P1 whose password lookup is {@code held}. */
  private static Preflight heldBy(HeldLogin held) {
    return new Preflight(Map.of("rehearse", REHEARSE, "watch", WATCH), x -> CHANGE, held, Preflight.DEFAULT_PARALLELISM);
  }

  /** A package with the watch check (1 s) and a rehearsal, run as a new role app by the superuser's login. */
  private static dev.cutter.core.model.ApplyPackage rehearsing(TestDatabase db) {
    String app = db.createRole("app");
    db.createSchema("app", app);
    return pkg(target(db, app), BackupPolicy.none(), List.of(spec("watch", "1", "tag:yaml.org,2002:int"),
        spec("rehearse", "true", "tag:yaml.org,2002:bool")));
  }

  @Test
  void identityHeldIsCalledAtOnceWhileTheRehearsalsLoginIsStillUnderWay(TestDatabase db) {
    HeldLogin held = new HeldLogin();
    List<String> atCallback = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<CheckResult> results = heldBy(held).run(login(db, "postgres"), rehearsing(db), CHANGE, false,
        () -> {
          atCallback.add(held.ended.get() ? "after the rehearsal's login" : "while the rehearsal's login is under way");
          held.identityHeld.countDown();
        }).results();
    assertThat(atCallback).as("once, not waiting for the rehearsal's login (held until then)")
        .containsExactly("while the rehearsal's login is under way");
    CheckResult rehearse = result(results, "rehearse");
    assertThat(rehearse.status()).as(rehearse.toString()).isEqualTo(CheckStatus.PASS);
  }

  @Test
  void routesKnownIsCalledOnTheCallersThreadOnceTheRehearsalsLoginEnded(TestDatabase db) {
    HeldLogin held = new HeldLogin();
    List<String> atCallback = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<CheckResult> results = heldBy(held).run(login(db, "postgres"), rehearsing(db), CHANGE, false,
        () -> {
          atCallback.add("identity held");
          held.identityHeld.countDown();
        },
        () -> atCallback.add("routes known on " + Thread.currentThread().getName() + ", rehearsal sessions "
            + db.queryValue("select count(*) from pg_stat_activity where application_name = '" + Rehearsal.PURPOSE
                + "'"))).results();
    assertThat(atCallback).as("each once; the rehearsal's session already logged in when the routes are known")
        .containsExactly("identity held", "routes known on " + Thread.currentThread().getName() + ", rehearsal sessions 1");
    assertThat(result(results, "rehearse").status()).isEqualTo(CheckStatus.PASS);
  }

  @Test
  void withNoLoginAheadBothAreCalledOnTheCallersThread(TestDatabase db) {
    String app = db.createRole("app");
    db.createSchema("app", app);
    Preflight p = new Preflight(Map.of("rehearse", REHEARSE, "watch", WATCH), x -> CHANGE, (s, role) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM);
    List<String> atCallback = new java.util.concurrent.CopyOnWriteArrayList<>();
    p.run(login(db, app), pkg(target(db, app), BackupPolicy.none(), List.of(
        spec("watch", "0", "tag:yaml.org,2002:int"), spec("rehearse", "false", "tag:yaml.org,2002:bool"))), CHANGE, false,
        () -> atCallback.add("identity held on " + Thread.currentThread().getName()),
        () -> atCallback.add("routes known on " + Thread.currentThread().getName()));
    String caller = Thread.currentThread().getName();
    assertThat(atCallback).containsExactlyInAnyOrder("identity held on " + caller, "routes known on " + caller);
  }
}
