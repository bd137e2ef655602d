package dev.cutter.core.check;

import static dev.cutter.core.check.TestPackages.REHEARSE;
import static dev.cutter.core.check.TestPackages.login;
import static dev.cutter.core.check.TestPackages.pkg;
import static dev.cutter.core.check.TestPackages.rehearse;
import static dev.cutter.core.check.TestPackages.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.lock.LockMode;
import dev.cutter.core.lock.LockPlan;
import dev.cutter.core.lock.LockPlan.RelationHold;
import dev.cutter.core.lock.LockPlan.StatementLocks;
import dev.cutter.core.lock.MeasuredLock;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.run.PreflightRun;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.Steps;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The lock plan P1's rehearsal measures on a real server: modes as pg_locks names them, which
 * relations existed before, rewrites (relfilenode changed), and the summary's "taken at statement
 * N, held for M statements". Statements sit on lines that differ from their indexes.
 */
@WithPostgres
class RehearsalLockPlanTest {

  /** An apply role owning schema app with app.orders (1,000 rows, analyzed) and app.customers. */
  private static String setUp(TestDatabase db) {
    String app = db.createRole("app");
    db.createSchema("app", app);
    db.execute("set role " + app + ";"
        + " create table app.customers (id int primary key);"
        + " insert into app.customers select g from generate_series(1, 10) g;"
        + " create table app.orders (id int primary key, cid int, n int, v text);"
        + " insert into app.orders select g, 1 + g % 10, g, 'v' || g from generate_series(1, 1000) g;"
        + " analyze app.orders; analyze app.customers");
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


  private static Preflight.Outcome preflight(TestDatabase db, String app, List<ExecStatement> statements) {
    Preflight p = new Preflight(Map.of("rehearse", REHEARSE), x -> statements, (s, role) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM);
    return p.run(login(db, app), pkg(target(db, app), BackupPolicy.none(), List.of(rehearse())), statements, false);
  }

  private static LockPlan plan(TestDatabase db, String app, List<ExecStatement> statements) {
    Preflight.Outcome o = preflight(db, app, statements);
    CheckResult r = o.results().stream().filter(x -> x.id().startsWith("rehearse")).findFirst().orElseThrow();
    assertThat(r.status()).as(r.toString()).isEqualTo(CheckStatus.PASS);
    assertThat(o.lockPlan()).isNotNull();
    assertThat(o.lockPlan().complete()).as(String.valueOf(o.lockPlan().note())).isTrue();
    return o.lockPlan();
  }

  private static List<MeasuredLock> locksOf(LockPlan p, int index) {
    return p.perStatement().stream().filter(s -> s.index() == index).findFirst().map(StatementLocks::locks)
        .orElse(List.of());
  }

  private static MeasuredLock lock(LockPlan p, int index, String relation, LockMode mode) {
    return locksOf(p, index).stream().filter(l -> l.relation().equals(relation) && l.mode() == mode).findFirst()
        .orElseThrow(() -> new AssertionError(relation + " " + mode + " not among " + locksOf(p, index)));
  }

  private static RelationHold hold(LockPlan p, String relation) {
    return p.summary().stream().filter(h -> h.relation().equals(relation)).findFirst()
        .orElseThrow(() -> new AssertionError(relation + " not in " + p.summary()));
  }

  private static long size(TestDatabase db, String relation) {
    return Long.parseLong(db.queryValue("select pg_relation_size('" + relation + "')"));
  }

  @Test
  void addColumnWithAConstantDefaultTakesAccessExclusiveWithoutARewrite(TestDatabase db) {
    String app = setUp(db);
    LockPlan p = plan(db, app, script("select 1", "alter table app.orders add column c int default 5"));
    MeasuredLock l = lock(p, 2, "app.orders", LockMode.ACCESS_EXCLUSIVE);
    assertThat(l.preExisting()).isTrue();
    assertThat(l.rewritten()).as("PostgreSQL 11+ stores a constant default without rewriting").isFalse();
    assertThat(l.kind()).isEqualTo("r");
    assertThat(l.estimatedRows()).isEqualTo(1000.0);
    assertThat(l.sizeBytes()).isEqualTo(size(db, "app.orders"));
    RelationHold h = hold(p, "app.orders");
    assertThat(h.strongest()).isEqualTo(LockMode.ACCESS_EXCLUSIVE);
    assertThat(h.takenAt()).isEqualTo(2);
    assertThat(h.line()).isEqualTo(23);
    assertThat(h.rewritten()).isFalse();
    assertThat(locksOf(p, 1)).as("select 1 locks no relation; the recording's own catalog reads are not listed")
        .isEmpty();
  }

  @Test
  void aDroppedTablesToastRelationsAreLeftOutLikeEveryOtherToastRelation(TestDatabase db) {
    // app.orders has a text column, so a TOAST table: once dropped in the rehearsal, the session can no
    // longer name it, and only the committed catalog shows it lives in pg_toast
    String app = setUp(db);
    LockPlan p = plan(db, app, script("select 1", "drop table app.orders"));
    assertThat(lock(p, 2, "app.orders", LockMode.ACCESS_EXCLUSIVE).preExisting()).isTrue();
    assertThat(p.perStatement()).flatExtracting(StatementLocks::locks).extracting(MeasuredLock::relation)
        .noneMatch(r -> r.startsWith("pg_toast"));
    assertThat(p.summary()).extracting(RelationHold::relation).noneMatch(r -> r.startsWith("pg_toast"))
        .contains("app.orders");
  }

  @Test
  void addColumnWithAVolatileDefaultRewritesTheTable(TestDatabase db) {
    String app = setUp(db);
    String before = db.queryValue("select relfilenode::text from pg_class where oid = 'app.orders'::regclass");
    LockPlan p = plan(db, app, script("alter table app.orders add column r float8 default random()"));
    MeasuredLock l = lock(p, 1, "app.orders", LockMode.ACCESS_EXCLUSIVE);
    assertThat(l.rewritten()).as("relfilenode changed").isTrue();
    assertThat(hold(p, "app.orders").rewritten()).as(p.toString()).isTrue();
    assertThat(db.queryValue("select relfilenode::text from pg_class where oid = 'app.orders'::regclass"))
        .as("rolled back").isEqualTo(before);
  }

  @Test
  void aCopyWithItsDataIsRehearsedAndMeasuredAsItsOwnStatement(TestDatabase db) {
    String app = setUp(db);
    List<ExecStatement> statements = new ArrayList<>(script("select 1"));
    statements.add(new ExecStatement(2, 23, "copy app.orders (id, cid, n, v) from stdin;",
        new dev.cutter.core.sql.CopyData(24, 26, true, "5001\t1\t1\tcopied\n5002\t2\t2\t\\N\n\\.\n")));
    statements.addAll(List.of(new ExecStatement(3, 33, "alter table app.customers add column c int")));
    LockPlan p = plan(db, app, statements);
    assertThat(locksOf(p, 2)).extracting(MeasuredLock::relation, MeasuredLock::mode)
        .contains(org.assertj.core.groups.Tuple.tuple("app.orders", LockMode.ROW_EXCLUSIVE));
    assertThat(hold(p, "app.orders").takenAt()).isEqualTo(2);
    assertThat(hold(p, "app.orders").line()).isEqualTo(23);
    assertThat(db.queryValue("select count(*) from app.orders where id > 5000")).as("rolled back").isEqualTo("0");
  }

  @Test
  void createIndexTakesShareLockOnTheTable(TestDatabase db) {
    String app = setUp(db);
    LockPlan p = plan(db, app, script("create index orders_v on app.orders (v)"));
    assertThat(locksOf(p, 1)).extracting(MeasuredLock::relation, MeasuredLock::mode, MeasuredLock::preExisting)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("app.orders", LockMode.SHARE, true),
            org.assertj.core.groups.Tuple.tuple("app.orders_v", LockMode.ACCESS_EXCLUSIVE, false));
    assertThat(p.summary()).extracting(RelationHold::relation, RelationHold::strongest)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("app.orders", LockMode.SHARE));
    assertThat(lock(p, 1, "app.orders", LockMode.SHARE).rewritten()).isFalse();
  }

  @Test
  void addForeignKeyTakesShareRowExclusiveOnBothTables(TestDatabase db) {
    String app = setUp(db);
    LockPlan p = plan(db, app, script("select 2",
        "alter table app.orders add constraint orders_cid_fk foreign key (cid) references app.customers (id)"));
    assertThat(lock(p, 2, "app.orders", LockMode.SHARE_ROW_EXCLUSIVE).preExisting()).isTrue();
    assertThat(lock(p, 2, "app.customers", LockMode.SHARE_ROW_EXCLUSIVE).preExisting()).isTrue();
    assertThat(hold(p, "app.orders").strongest()).isEqualTo(LockMode.SHARE_ROW_EXCLUSIVE);
    assertThat(hold(p, "app.customers").strongest()).isEqualTo(LockMode.SHARE_ROW_EXCLUSIVE);
    assertThat(hold(p, "app.customers").takenAt()).isEqualTo(2);
    assertThat(hold(p, "app.customers").line()).isEqualTo(23);
  }

  @Test
  void aTypeChangeThatRewritesChangesTheRelfilenode(TestDatabase db) {
    String app = setUp(db);
    LockPlan p = plan(db, app, script("alter table app.orders alter column cid set not null",
        "alter table app.orders alter column n type bigint"));
    MeasuredLock first = lock(p, 1, "app.orders", LockMode.ACCESS_EXCLUSIVE);
    assertThat(first.rewritten()).as("SET NOT NULL scans, it does not rewrite").isFalse();
    assertThat(locksOf(p, 2)).as("the lock was already held: nothing new after statement 2").noneMatch(
        l -> l.relation().equals("app.orders") && l.mode() == LockMode.ACCESS_EXCLUSIVE);
    RelationHold h = hold(p, "app.orders");
    assertThat(h.strongest()).isEqualTo(LockMode.ACCESS_EXCLUSIVE);
    assertThat(h.takenAt()).isEqualTo(1);
    assertThat(h.rewritten()).as("int to bigint rewrote it: its relfilenode at the end differs from before").isTrue();

    LockPlan alone = plan(db, app, script("select 3", "alter table app.orders alter column n type bigint"));
    assertThat(lock(alone, 2, "app.orders", LockMode.ACCESS_EXCLUSIVE).rewritten()).isTrue();
  }

  @Test
  void aTableCreatedByTheChangeIsNotPreExistingAndNotInTheSummary(TestDatabase db) {
    String app = setUp(db);
    LockPlan p = plan(db, app, script("create table app.fresh (id int)", "insert into app.fresh values (1)"));
    MeasuredLock created = lock(p, 1, "app.fresh", LockMode.ACCESS_EXCLUSIVE);
    assertThat(created.preExisting()).isFalse();
    assertThat(created.rewritten()).isFalse();
    assertThat(lock(p, 2, "app.fresh", LockMode.ROW_EXCLUSIVE).preExisting()).isFalse();
    assertThat(p.summary()).isEmpty();
    assertThat(db.queryValue("select count(*)::text from pg_class where relname = 'fresh'")).isEqualTo("0");
  }

  @Test
  void theSummarySaysExactlyWhereTheStrongestLockWasTakenAndHowLongItWasHeld(TestDatabase db) {
    String app = setUp(db);
    LockPlan p = plan(db, app, script(
        "create table app.fresh (id int)",
        "select count(*) from app.orders",
        "insert into app.fresh values (1)",
        "alter table app.orders add column z int",
        "comment on table app.fresh is 'made here'"));
    assertThat(p.statements()).isEqualTo(5);
    assertThat(p.executed()).isEqualTo(5);
    assertThat(p.file()).isEqualTo("change.sql");
    assertThat(p.source()).isEqualTo(LockPlan.Source.REHEARSE);
    assertThat(p.perStatement()).extracting(StatementLocks::index, StatementLocks::line)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 13), org.assertj.core.groups.Tuple.tuple(2, 23),
            org.assertj.core.groups.Tuple.tuple(3, 33), org.assertj.core.groups.Tuple.tuple(4, 43),
            org.assertj.core.groups.Tuple.tuple(5, 53));
    assertThat(locksOf(p, 2)).as("a query locks the table and its indexes").extracting(MeasuredLock::relation,
        MeasuredLock::mode).containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("app.orders", LockMode.ACCESS_SHARE),
            org.assertj.core.groups.Tuple.tuple("app.orders_pkey", LockMode.ACCESS_SHARE));
    assertThat(locksOf(p, 4)).extracting(MeasuredLock::relation, MeasuredLock::mode)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("app.orders", LockMode.ACCESS_EXCLUSIVE));
    assertThat(locksOf(p, 5)).extracting(MeasuredLock::relation, MeasuredLock::mode)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("app.fresh", LockMode.SHARE_UPDATE_EXCLUSIVE));
    assertThat(p.summary()).extracting(RelationHold::relation).containsExactly("app.orders_pkey", "app.orders");
    RelationHold index = p.summary().get(0);
    assertThat(index.strongest()).isEqualTo(LockMode.ACCESS_SHARE);
    assertThat(index.takenAt()).isEqualTo(2);
    assertThat(index.line()).isEqualTo(23);
    assertThat(index.heldStatements()).as("statements 2 to 5").isEqualTo(4);
    RelationHold h = p.summary().get(1);
    assertThat(h.strongest()).as("the strongest of AccessShareLock (2) and AccessExclusiveLock (4)")
        .isEqualTo(LockMode.ACCESS_EXCLUSIVE);
    assertThat(h.takenAt()).isEqualTo(4);
    assertThat(h.line()).isEqualTo(43);
    assertThat(h.heldStatements()).as("statements 4 and 5").isEqualTo(2);
    long[] d = p.perStatement().stream().mapToLong(StatementLocks::durationMicros).toArray();
    assertThat(h.heldMicros()).isEqualTo(d[3] + d[4]);
    assertThat(index.heldMicros()).isEqualTo(d[1] + d[2] + d[3] + d[4]);
  }

  @Test
  void aStatementThatResetsEverySettingDoesNotMakeOldLocksLookNew(TestDatabase db) {
    String app = setUp(db);
    LockPlan p = plan(db, app, script("alter table app.orders add column q int", "reset all",
        "select count(*) from app.customers"));
    assertThat(locksOf(p, 2)).isEmpty();
    assertThat(locksOf(p, 3)).extracting(MeasuredLock::relation, MeasuredLock::mode).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple("app.customers", LockMode.ACCESS_SHARE),
        org.assertj.core.groups.Tuple.tuple("app.customers_pkey", LockMode.ACCESS_SHARE));
  }

  @Test
  void aFailedStatementLeavesAnIncompletePlanOfTheStatementsBeforeIt(TestDatabase db) {
    String app = setUp(db);
    Preflight.Outcome o = preflight(db, app, script("alter table app.orders add column y int",
        "select count(*) from app.customers", "alter table app.nosuch add column y int"));
    LockPlan p = o.lockPlan();
    assertThat(p.complete()).isFalse();
    assertThat(p.executed()).isEqualTo(2);
    assertThat(p.note()).isEqualTo("statement 3 (line 33) failed: the plan covers the statements before it");
    assertThat(p.summary()).extracting(RelationHold::relation, RelationHold::strongest, RelationHold::heldStatements)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("app.orders", LockMode.ACCESS_EXCLUSIVE, 2),
            org.assertj.core.groups.Tuple.tuple("app.customers", LockMode.ACCESS_SHARE, 1),
            org.assertj.core.groups.Tuple.tuple("app.customers_pkey", LockMode.ACCESS_SHARE, 1));
  }

  @Test
  void preflightReportsCarryThePlan(TestDatabase db) {
    String app = setUp(db);
    List<ExecStatement> statements = script("create index orders_n on app.orders (n)");
    Preflight p = new Preflight(Map.of("rehearse", REHEARSE), x -> statements, (s, role) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM);
    RunReport r = new PreflightRun((pkg, required) -> new Steps.IntegrityOutcome(List.of(), List.of()), p,
        Clock.systemUTC()).run(pkg(target(db, app), BackupPolicy.none(), List.of(rehearse())), login(db, app), "run-1");
    assertThat(r.lockPlan()).hasSize(1);
    assertThat(r.lockPlan().get(0).summary()).extracting(RelationHold::relation, RelationHold::strongest)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("app.orders", LockMode.SHARE));
  }
}
