package dev.cutter.core.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.cutter.core.exec.ApplyEngine;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.lock.LockPlan.RelationHold;
import dev.cutter.core.lock.LockPlan.StatementLocks;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * A rehearsal does not read the lock table after statements that name only relations the script
 * created ({@link CreatedOnly}): on a real server, the plan of the relations that existed before the
 * change is the same as when every statement is measured, and a statement that only looks as if it
 * touched nothing that existed cannot hide a lock: the next measurement sees it and gives it to the
 * statements measured together, never to one of them.
 */
@WithPostgres
class LockPlanWindowsTest {

  /** An apply role owning schema app with app.orders, app.customers and app.audit; it may create schemas. */
  private static String setUp(TestDatabase db) {
    String app = db.createRole("app");
    db.createSchema("app", app);
    db.execute("grant create on database " + db.name() + " to " + app);
    db.execute("set role " + app + ";"
        + " create table app.customers (id int primary key);"
        + " create table app.orders (id int primary key, cid int, n int, v text);"
        + " insert into app.orders select g, 1 + g % 10, g, 'v' || g from generate_series(1, 100) g;"
        + " create table app.audit (id int, what text);");
    return app;
  }

  /** Statement i on line 10 * i + 3. */
  private static List<ExecStatement> script(String... sql) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 0; i < sql.length; i++) {
      out.add(new ExecStatement(i + 1, 10 * (i + 1) + 3, sql[i]));
    }
    return out;
  }

  private record Rehearsed(LockPlan plan, int measurements, ApplyEngine.Outcome outcome) {}

  /** As P1's rehearse: one transaction through the apply engine, the end hook, a rollback. */
  private static Rehearsed rehearse(TestDatabase db, String role, List<ExecStatement> statements, boolean everyStatement)
      throws SQLException {
    ApplySettings tx = new ApplySettings(ApplySettings.Mode.TRANSACTION, Duration.ofSeconds(5), Duration.ofMinutes(1));
    // a session as the rehearsal's: the simple query protocol, so the engine may pipeline between measurements
    java.util.Properties simple = new java.util.Properties();
    simple.setProperty("user", role);
    simple.setProperty("preferQueryMode", "simple");
    try (Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), simple);
        Connection committed = db.connectAs(role)) {
      LockPlanRecorder rec = new LockPlanRecorder(LockPlan.Source.REHEARSE, "change.sql", statements, everyStatement);
      int[] during = new int[1];
      ApplyEngine.Outcome o = ApplyEngine.run(c, statements, tx, conn -> {
        during[0] = rec.measurements();
        rec.finish(conn, committed);
        throw new SQLException("rehearsal ends here", "00000");
      }, ApplyEngine.NO_RECHECK, rec);
      if (o.failedIndex() != null && o.failedIndex() != -1) {
        during[0] = rec.measurements();
      }
      rec.finishAfterFailure(committed);
      return new Rehearsed(rec.plan(LockPlanRecorder.failure(o)), during[0], o);
    }
  }

  /** The locks on pre-existing relations, per measured entry: (index, through, relation, mode). */
  private static List<Tuple> preExisting(LockPlan p) {
    List<Tuple> out = new ArrayList<>();
    for (StatementLocks s : p.perStatement()) {
      for (MeasuredLock l : s.locks()) {
        if (l.preExisting()) {
          out.add(tuple(s.index(), s.through(), l.relation(), l.mode(), l.rewritten()));
        }
      }
    }
    return out;
  }

  /** The summary without the run times (which differ between two runs). */
  private static List<Tuple> summary(LockPlan p) {
    return p.summary().stream().map(h -> tuple(h.relation(), h.kind(), h.strongest(), h.takenAt(), h.takenThrough(),
        h.line(), h.heldStatements(), h.sizeBytes(), h.rewritten())).toList();
  }

  /** Every lock of the plan, created relations included, as relation and mode. */
  private static Set<String> allLocks(LockPlan p) {
    Set<String> out = new TreeSet<>();
    p.perStatement().forEach(s -> s.locks().forEach(l -> out.add(l.relation() + " " + l.mode())));
    return out;
  }

  private static final List<ExecStatement> CORPUS = script(
      /* 1 */ "create schema app2",
      /* 2 */ "create table app2.a (id int primary key, v text not null default 'x', n numeric(12,2) check (n > 0))",
      /* 3 */ "create index a_v on app2.a (v)",
      /* 4 */ "create view app2.av as select a.id, b.v from app2.a a join app2.a b on a.id = b.id where a.n > 0",
      /* 5 */ "comment on column app2.a.v is 'the v'",
      /* 6 */ "alter table app.orders add column z int",
      /* 7 */ "create table app2.b (like app.customers including all)",
      /* 8 */ "create table app2.c (id int)",
      /* 9 */ "create sequence app2.s",
      /* 10 */ "create view app2.ov as select id, what from app.audit",
      /* 11 */ "create table app2.d (id int, cid int references app.customers (id))",
      /* 12 */ "create table app2.e (k int)",
      /* 13 */ "create unique index e_k on app2.e (k)",
      /* 14 */ "do $$ begin perform count(*) from app.orders; end $$",
      /* 15 */ "create function app2.f() returns bigint language sql as $$ select count(*) from app.audit $$",
      /* 16 */ "select app2.f()",
      /* 17 */ "create table app2.g () inherits (app.customers)",
      /* 18 */ "create index orders_n on app.orders (n)",
      /* 19 */ "create table app2.h (x int)",
      /* 20 */ "create index on app2.h (x)",
      /* 21 */ "comment on table app2.h is 'last'");

  @Test
  void theClassificationOfTheCorpusIsTheOneTheTestExpects() {
    // 1-5, 8-9, 12-13 and 19-21 name only what the script created; the rest is measured alone
    assertThat(CreatedOnly.of(CORPUS)).containsExactly(true, true, true, true, true, false, false, true, true, false,
        false, true, true, false, false, false, false, false, true, true, true);
  }

  @Test
  void withWindowsThePlanOfPreExistingRelationsIsThePlanOfMeasuringEveryStatement(TestDatabase db) throws Exception {
    String app = setUp(db);

    Rehearsed full = rehearse(db, app, CORPUS, true);
    Rehearsed windows = rehearse(db, app, CORPUS, false);

    assertThat(full.plan().complete()).as(String.valueOf(full.plan().note())).isTrue();
    assertThat(windows.plan().complete()).as(String.valueOf(windows.plan().note())).isTrue();
    assertThat(windows.plan().note()).isNull();
    assertThat(full.measurements()).isEqualTo(21);
    // after 5 (closing 1-5), 6, 7, 9 (closing 8-9), 10, 11, 13 (closing 12-13), 14 to 18; 19-21 at the end
    assertThat(windows.measurements()).isEqualTo(12);
    // sent in windows that end at each measured statement: 1-5, 6, 7, 8-9, 10, 11, 12-13, 14, 15, 16, 17, 18, 19-21
    assertThat(windows.outcome().pipelining()).as("pipelined between measurements").isNotNull();
    assertThat(windows.outcome().pipelining().windows()).isEqualTo(13);
    assertThat(full.outcome().pipelining().windows()).as("a window per statement when each is measured").isEqualTo(21);
    assertThat(summary(windows.plan())).isNotEmpty().isEqualTo(summary(full.plan()));
    assertThat(preExisting(windows.plan())).isEqualTo(preExisting(full.plan()));
    assertThat(allLocks(windows.plan())).as("created relations' locks are all there too")
        .isEqualTo(allLocks(full.plan()));
    for (int i = 1; i <= 21; i++) {
      assertThat(windows.plan().strongestAt(i)).as("statement " + i).isEqualTo(full.plan().strongestAt(i));
    }
    // the relations the corpus reaches that existed, each measured alone after its statement
    assertThat(windows.plan().summary()).extracting(RelationHold::relation, RelationHold::strongest,
        RelationHold::takenAt, RelationHold::takenThrough).contains(
            tuple("app.orders", LockMode.ACCESS_EXCLUSIVE, 6, 6),
            tuple("app.customers", LockMode.SHARE_ROW_EXCLUSIVE, 11, 11),
            tuple("app.audit", LockMode.ACCESS_SHARE, 10, 10));
    assertThat(preExisting(windows.plan())).contains(tuple(7, 7, "app.customers", LockMode.ACCESS_SHARE, false),
        tuple(18, 18, "app.orders", LockMode.SHARE, false));
    // windows of created relations only: their locks are given to the window
    assertThat(windows.plan().perStatement()).extracting(StatementLocks::index, StatementLocks::through)
        .contains(tuple(1, 5), tuple(8, 9), tuple(12, 13), tuple(19, 21));
  }

  @Test
  void anOperatorPlantedBeforeTheCatalogCannotHideALockFromThePlan(TestDatabase db) throws Exception {
    // the rehearsal's session keeps the search_path apply_role gave the database (A4): the plan's
    // reads of pg_locks and pg_class must use the catalog's operators and types, not look-alikes
    String app = setUp(db);
    db.execute("create function app.never(a text, b text) returns boolean language sql as 'select false';"
        + " create operator app.= (leftarg = text, rightarg = text, function = app.never);"
        + " alter database " + db.name() + " set search_path = app, pg_catalog");

    Rehearsed r = rehearse(db, app, script("alter table app.orders add column z int"), true);

    assertThat(r.plan().complete()).as(String.valueOf(r.plan().note())).isTrue();
    assertThat(r.plan().summary()).extracting(RelationHold::relation, RelationHold::strongest)
        .contains(tuple("app.orders", LockMode.ACCESS_EXCLUSIVE));
  }

  @Test
  void aCreationThatOnlyLooksLikeItTouchesNothingOldCannotHideALock(TestDatabase db) throws Exception {
    // the hardest case: CREATE TABLE of a new name is taken to touch nothing that existed, but an event
    // trigger (any superuser may have installed one) makes it lock an existing table
    String app = setUp(db);
    db.execute("create function app.grab() returns event_trigger language plpgsql as"
        + " $$ begin lock table app.orders in share mode; end $$;"
        + " create event trigger grab on ddl_command_end when tag in ('CREATE TABLE') execute function app.grab()");
    List<ExecStatement> s = script("create table app.n1 (id int)", "create index n1_id on app.n1 (id)",
        "create table app.n2 (id int)");
    assertThat(CreatedOnly.of(s)).containsExactly(true, true, true);

    Rehearsed full = rehearse(db, app, s, true);
    Rehearsed windows = rehearse(db, app, s, false);

    assertThat(windows.measurements()).as("no measurement during the statements").isZero();
    assertThat(full.plan().summary()).extracting(RelationHold::relation, RelationHold::strongest,
        RelationHold::takenAt, RelationHold::takenThrough)
        .containsExactly(tuple("app.orders", LockMode.SHARE, 1, 1));
    // measured at the end, with the window: one of statements 1 to 3 took it, held from the first
    assertThat(windows.plan().summary()).extracting(RelationHold::relation, RelationHold::strongest,
        RelationHold::takenAt, RelationHold::takenThrough, RelationHold::line, RelationHold::heldStatements)
        .containsExactly(tuple("app.orders", LockMode.SHARE, 1, 3, 13, 3));
    assertThat(preExisting(windows.plan())).containsExactly(tuple(1, 3, "app.orders", LockMode.SHARE, false));
    assertThat(windows.plan().strongestAt(1)).as("not given to one statement of the window").isNull();
    assertThat(full.plan().strongestAt(1)).isEqualTo("ShareLock");
    assertThat(windows.plan().complete()).isTrue();
  }

  @Test
  void namesThatOnlyLookCreatedAreMeasuredAlone(TestDatabase db) throws Exception {
    // app.audit exists; the script creates another audit elsewhere, then search_path makes "audit" the old one
    String app = setUp(db);
    db.execute("create schema other authorization " + app);
    List<ExecStatement> s = script("set search_path = other", "create table audit (id int)",
        "set search_path = app", "create index audit_id on audit (id)",
        "create view v as select id from audit", "create table app.copy (like app.audit)");
    assertThat(CreatedOnly.of(s)).containsExactly(false, true, false, false, false, false);

    LockPlan p = rehearse(db, app, s, false).plan();

    assertThat(preExisting(p)).containsExactly(tuple(4, 4, "app.audit", LockMode.SHARE, false),
        tuple(5, 5, "app.audit", LockMode.ACCESS_SHARE, false));
  }

  @Test
  void pastTheMeasurementLimitTheRestIsMeasuredTogetherAtTheEndAndThePlanSaysSo(TestDatabase db) throws Exception {
    String app = setUp(db);
    List<String> sql = new ArrayList<>();
    for (int i = 0; i < LockPlanRecorder.MEASURED_UP_TO + 2; i++) {
      sql.add("select " + i);
    }
    sql.add("alter table app.orders add column q int");
    sql.add("select 0");
    List<ExecStatement> s = script(sql.toArray(String[]::new));

    Rehearsed r = rehearse(db, app, s, false);

    assertThat(r.measurements()).isEqualTo(LockPlanRecorder.MEASURED_UP_TO);
    LockPlan p = r.plan();
    assertThat(p.complete()).isTrue();
    assertThat(p.executed()).isEqualTo(1004);
    assertThat(p.note()).isEqualTo("statements from 1001 on were measured together at the end: a rehearsal reads"
        + " the lock table at most 1000 times");
    assertThat(p.summary()).extracting(RelationHold::relation, RelationHold::strongest, RelationHold::takenAt,
        RelationHold::takenThrough, RelationHold::heldStatements)
        .containsExactly(tuple("app.orders", LockMode.ACCESS_EXCLUSIVE, 1001, 1004, 4));
  }

  @Test
  void aFailureInsideAWindowSaysWhichStatementsLocksWereNotRead(TestDatabase db) throws Exception {
    String app = setUp(db);
    List<ExecStatement> s = script("alter table app.orders add column y int", "create table app.n1 (id int)",
        "create table app.n2 (id int)", "create table app.n1 (id int)");

    LockPlan p = rehearse(db, app, s, false).plan();

    assertThat(p.complete()).isFalse();
    assertThat(p.executed()).isEqualTo(3);
    assertThat(p.note()).isEqualTo("statement 4 (line 43) failed: the plan covers the statements before it;"
        + " statements 2 to 3 ran after the last measurement, before the failure: their locks were not read");
    assertThat(p.summary()).extracting(RelationHold::relation, RelationHold::strongest, RelationHold::takenAt)
        .containsExactly(tuple("app.orders", LockMode.ACCESS_EXCLUSIVE, 1));
  }
}
