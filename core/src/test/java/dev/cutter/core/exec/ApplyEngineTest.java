package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ApplySettings.Mode;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

@WithPostgres
class ApplyEngineTest {

  private static final ApplySettings TX = ApplySettings.defaults();
  private static final ApplySettings AUTO = new ApplySettings(Mode.AUTOCOMMIT, Duration.ofSeconds(5), Duration.ofMinutes(1));

  /** Statement N starts on line 2N + 1 (never N, so a swap of index and line shows). */
  private static List<ExecStatement> stmts(String... texts) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.add(new ExecStatement(i + 1, 2 * i + 3, texts[i]));
    }
    return out;
  }

  private static Connection simple(TestDatabase db, String user) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("preferQueryMode", "simple");
    return DriverManager.getConnection(db.jdbcUrl(), p);
  }

  @Test
  void commitsEveryStatementAndTheJournalRowTogether(TestDatabase db) throws SQLException {
    try (Connection c = simple(db, "postgres")) {
      Journal.init(c, List.of());
      Outcome o = ApplyEngine.run(c, stmts("create table a(x int primary key)", "create table b(y int references a(x) deferrable)",
          "insert into a values (1)"), TX, conn -> Journal.recordCommit(conn, "p1", "a".repeat(64), "r1", List.of(),
              "postgres", "postgres", Instant.now()));
      assertThat(o.ending()).isEqualTo(Ending.COMMITTED);
      assertThat(o.executed()).isEqualTo(3);
    }
    assertThat(db.queryValue("select count(*) from cutter.journal where run_id = 'r1'")).isEqualTo("1");
    assertThat(db.queryValue("select to_regclass('public.b') is not null")).isEqualTo("t");
  }

  @Test
  void stopsAtTheFirstErrorAndLeavesNothingBehind(TestDatabase db) throws SQLException {
    try (Connection c = simple(db, "postgres")) {
      Journal.init(c, List.of());
      Outcome o = ApplyEngine.run(c, stmts("create table a(x int)", "create table b(x int)", "select * from missing",
          "create table d(x int)"), TX, conn -> Journal.recordCommit(conn, "p1", "a".repeat(64), "r2", List.of(),
              "postgres", "postgres", Instant.now()));
      assertThat(o.ending()).isEqualTo(Ending.ROLLED_BACK);
      assertThat(o.failedIndex()).isEqualTo(3);
      assertThat(o.failedLine()).isEqualTo(7);
      assertThat(o.executed()).isEqualTo(2);
      assertThat(o.error().sqlstate()).isEqualTo("42P01");
      assertThat(o.error().message()).contains("missing");
    }
    assertThat(db.queryValue("select count(*) from pg_class where relname in ('a','b','d')")).isEqualTo("0");
    assertThat(db.queryValue("select count(*) from cutter.journal")).as("no journal row without a commit").isEqualTo("0");
  }

  @Test
  void reportsADeferredConstraintFailingAtCommit(TestDatabase db) throws SQLException {
    db.execute("create table p(id int primary key); create table c(pid int references p(id) deferrable initially deferred)");
    try (Connection c = simple(db, "postgres")) {
      Outcome o = ApplyEngine.run(c, stmts("insert into c values (42)"), TX, conn -> { });
      assertThat(o.ending()).isEqualTo(Ending.ROLLED_BACK);
      assertThat(o.failedIndex()).as("0 means the COMMIT failed").isEqualTo(0);
      assertThat(o.error().sqlstate()).isEqualTo("23503");
    }
    assertThat(db.queryValue("select count(*) from c")).isEqualTo("0");
  }

  @Test
  void nonTransactionalStatementFailsInTransactionMode(TestDatabase db) throws SQLException {
    db.execute("create table t(x int)");
    try (Connection c = simple(db, "postgres")) {
      Outcome o = ApplyEngine.run(c, stmts("create index concurrently t_x on t(x)"), TX, conn -> { });
      assertThat(o.error().sqlstate()).isEqualTo("25001");
    }
  }

  @Test
  void lockTimeoutFromThePackageApplies(TestDatabase db) throws SQLException {
    db.execute("create table t(x int)");
    ApplySettings quick = new ApplySettings(Mode.TRANSACTION, Duration.ofMillis(200), Duration.ofMinutes(1));
    try (Connection holder = simple(db, "postgres"); Connection c = simple(db, "postgres")) {
      holder.setAutoCommit(false);
      holder.createStatement().execute("lock table t in access exclusive mode");
      Outcome o = ApplyEngine.run(c, stmts("alter table t add column y int"), quick, conn -> { });
      assertThat(o.error().sqlstate()).isEqualTo("55P03");
      holder.rollback();
    }
  }

  @Test
  void autocommitKeepsWhatCommittedBeforeTheError(TestDatabase db) throws SQLException {
    try (Connection c = simple(db, "postgres")) {
      Outcome o = ApplyEngine.run(c, stmts("create table a(x int)", "create table b(x int)", "create table a(x int)"),
          AUTO, conn -> { });
      assertThat(o.ending()).isEqualTo(Ending.PARTIALLY_COMMITTED);
      assertThat(o.committed()).containsExactly(1, 2);
      assertThat(o.error().sqlstate()).isEqualTo("42P07");
    }
    assertThat(db.queryValue("select count(*) from pg_class where relname in ('a','b')")).isEqualTo("2");
  }

  @Test
  void autocommitRecordsTheJournalRowBeforeTheFirstStatementSoAPartialRunConsumes(TestDatabase db) throws SQLException {
    try (Connection c = simple(db, "postgres")) {
      Journal.init(c, List.of());
      Outcome o = ApplyEngine.run(c, stmts(
          "do $$ begin if not exists (select 1 from cutter.journal where run_id = 'ra') then"
              + " raise exception 'no journal row yet'; end if; end $$",
          "create table a(x int)", "select * from missing"), AUTO,
          conn -> Journal.recordCommit(conn, "p", "e".repeat(64), "ra", List.of(), "postgres", "postgres", Instant.now()));
      assertThat(o.ending()).isEqualTo(Ending.PARTIALLY_COMMITTED);
      assertThat(o.committed()).containsExactly(1, 2);
    }
    assertThat(db.queryValue("select verdict from cutter.journal where run_id = 'ra'")).isEqualTo(Journal.COMMITTED);
  }

  @Test
  void switchesToTheApplyRoleOnlyWhenTheLoginRoleIsAMember(TestDatabase db) throws SQLException {
    String owner = db.createRole("owner", "nologin");
    String login = db.createRole("login");
    String stranger = db.createRole("stranger");
    db.execute("grant " + owner + " to " + login);
    try (Connection c = simple(db, login)) {
      RoleSwitch.Standing st = RoleSwitch.standing(c, owner);
      assertThat(st.leanMember()).as("a member holding nothing more").isTrue();
      RoleSwitch.setRole(c, owner);
      assertThat(RoleSwitch.currentUser(c)).isEqualTo(owner);
    }
    try (Connection c = simple(db, stranger)) {
      RoleSwitch.Standing st = RoleSwitch.standing(c, owner);
      assertThat(st.roleExists()).isTrue();
      assertThat(st.member()).isFalse();
      assertThat(RoleSwitch.currentUser(c)).isEqualTo(stranger);
    }
    try (Connection c = simple(db, login)) {
      assertThat(RoleSwitch.standing(c, "no_such_role_x").roleExists()).isFalse();
    }
  }

  @Test
  void onlyOneSessionHoldsTheRunLock(TestDatabase db) throws SQLException {
    try (Connection a = simple(db, "postgres"); Connection b = simple(db, "postgres")) {
      try (AdvisoryLock first = AdvisoryLock.acquire(a, Duration.ZERO)) {
        assertThat(first).isNotNull();
        assertThat(AdvisoryLock.acquire(b, Duration.ofMillis(300))).as("second run is refused").isNull();
        assertThat(AdvisoryLock.holder(b)).contains("pid");
      }
      try (AdvisoryLock again = AdvisoryLock.acquire(b, Duration.ZERO)) {
        assertThat(again).as("released lock can be taken").isNotNull();
      }
    }
  }

  @Test
  void lockOfADeadSessionIsReleased(TestDatabase db) throws SQLException {
    Connection a = simple(db, "postgres");
    assertThat(AdvisoryLock.acquire(a, Duration.ZERO)).isNotNull();
    a.close();
    try (Connection b = simple(db, "postgres"); AdvisoryLock l = AdvisoryLock.acquire(b, Duration.ofSeconds(5))) {
      assertThat(l).isNotNull();
    }
  }

  @Test
  void initIsIdempotentAndGrantsTheApplyRole(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    try (Connection c = simple(db, "postgres")) {
      Journal.init(c, List.of(app));
      Journal.init(c, List.of(app));
    }
    try (Connection c = simple(db, app)) {
      Journal.recordCommit(c, "p", "b".repeat(64), "r9", List.of("F1"), app, app, Instant.now());
      Journal.finish(c, "r9", "PASS", Instant.now(), "c".repeat(64));
      assertThat(Journal.consuming(c, "b".repeat(64))).get().extracting(Journal.Entry::verdict).isEqualTo("PASS");
      assertThat(Journal.consuming(c, "d".repeat(64))).isEmpty();
    }
  }

  /** Compares the session's search_path with {@code expected} before each statement after the first. */
  private static ApplyEngine.BetweenStatements pathStays(String expected) {
    return new ApplyEngine.BetweenStatements() {
      @Override
      public boolean compares(ExecStatement next, int last) {
        return true;
      }

      @Override
      public void check(ExecStatement next, int last, String searchPath, String user) throws SQLException {
        if (!searchPath.equals(expected)) {
          throw CreatedElsewhere.searchPathChangedUnseenBefore(last, searchPath, expected);
        }
      }
    };
  }

  private static int queries(QueryMessageCounter relay, Connection c, ApplyEngine.BetweenStatements between)
      throws SQLException {
    int before = relay.queries();
    Outcome o = ApplyEngine.run(c, stmts("select 1", "select 2", "select 3", "select 4", "select 5"), AUTO, x -> { },
        ApplyEngine.NO_RECHECK, ApplyEngine.NO_OBSERVER, ApplyEngine.Sending.ONE_AT_A_TIME, between);
    assertThat(o.ending()).isEqualTo(Ending.COMMITTED);
    return relay.queries() - before;
  }

  /**
   * R61 rides on O17's look: while the session holds the change key, the one query before each autocommit statement
   * after the first reads the key, the search_path and the role, and the comparison sends nothing of its own. Without
   * the key it is a query of its own before each, and it still keeps back the statement after a function that set the
   * path for the session.
   */
  @Test
  void theComparisonBetweenAutocommitStatementsSendsNoQueryOfItsOwnWhileTheKeyIsHeld(TestDatabase db) throws Exception {
    db.execute("create schema s1; create table s1.t (a int); create table public.t (a int)");
    db.execute("create function public.switch() returns void language plpgsql as $$ begin"
        + " perform set_config('search_path', 's1, public', false); end $$");
    try (QueryMessageCounter relay = new QueryMessageCounter(db.server().host(), db.server().port())) {
      Properties p = new Properties();
      p.setProperty("user", "postgres");
      p.setProperty("preferQueryMode", "simple");
      try (Connection c = DriverManager.getConnection(relay.jdbcUrl(db.name()), p)) {
        String path = db.queryValue("select current_setting('search_path')");
        assertThat(AdvisoryLock.holdForChange(c, false)).isTrue();
        int keyOnly = queries(relay, c, ApplyEngine.NOTHING_BETWEEN);
        assertThat(queries(relay, c, pathStays(path))).as("no query of its own while the key is held").isEqualTo(keyOnly);
        AdvisoryLock.releaseChange(c);
        int none = queries(relay, c, ApplyEngine.NOTHING_BETWEEN);
        assertThat(none).as("without the key nothing is looked at").isEqualTo(keyOnly - 4);
        assertThat(queries(relay, c, pathStays(path))).as("one query before each of statements 2-5").isEqualTo(keyOnly);
        Outcome o = ApplyEngine.run(c, stmts("select public.switch()", "insert into t values (1)"), AUTO, x -> { },
            ApplyEngine.NO_RECHECK, ApplyEngine.NO_OBSERVER, ApplyEngine.Sending.ONE_AT_A_TIME, pathStays(path));
        assertThat(o.ending()).isEqualTo(Ending.PARTIALLY_COMMITTED);
        assertThat(o.committed()).containsExactly(1);
        assertThat(o.failedIndex()).isEqualTo(2);
        assertThat(o.createdElsewhere().check()).isEqualTo(CreatedElsewhere.Check.SEARCH_PATH_CHANGED_UNSEEN);
        assertThat(o.timings().ran()).as("the statement kept back was not sent").hasSize(1);
      }
    }
    assertThat(db.queryValue("select count(*) from s1.t")).isEqualTo("0");
  }
}
