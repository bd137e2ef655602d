package dev.cutter.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.check.CheckType;
import dev.cutter.core.check.Preflight;
import dev.cutter.core.check.Problems;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.YamlValue;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * P1's rehearsal starts as soon as its session is open, beside the checks still running, when every
 * other check reads only the catalog and the artifact takes no lock such a read waits for; otherwise
 * it runs after them, alone, as before. Where running beside could change a result (a lock or a
 * timeout between the two), the sequential order's result is what P1 reports. Each test holds a
 * lock the rehearsal's first statement waits for, in a session of its own, so that the rehearsal is
 * seen running (or not) while a catalog check is still under way.
 */
@WithPostgres
class RehearsalBesideTest {

  /** Waits for an index on app.t (SHARE): the held ROW EXCLUSIVE lock stops it. */
  private static final String CREATES = "create index on app.t (id)\ncreate table app.u (id int primary key references app.t (id))";

  @TempDir
  Path dir;

  /**
   * A check under way while the rehearsal may run: it looks for the rehearsal's session waiting
   * for {@link #held}'s lock for up to {@code lookMs}, holds the lock {@code holdMs} longer, then
   * lets it go; its actual value says whether it saw the rehearsal running.
   */
  private static final class Watching extends TestType {
    private final TestDatabase db;
    private final Connection held;
    private final long lookMs;
    private final long holdMs;

    Watching(TestDatabase db, Connection held, boolean catalogOnly, long lookMs, long holdMs) {
      super("watching", catalogOnly);
      this.db = db;
      this.held = held;
      this.lookMs = lookMs;
      this.holdMs = holdMs;
    }

    @Override
    public CheckResult run(YamlValue args, CheckContext context) throws SQLException {
      long end = System.nanoTime() + lookMs * 1_000_000L;
      boolean seen = false;
      while (!seen && System.nanoTime() < end) {
        seen = db.queryValue("select count(*) from pg_stat_activity where application_name = 'cutter rehearse'"
            + " and wait_event_type = 'Lock'").equals("1");
        sleep(10);
      }
      sleep(holdMs);
      held.commit();
      return context.pass("the rehearsal looked for", seen ? "running beside" : "not running", null);
    }
  }

  /** A check type of this test: its name, no arguments to validate, and whether it reads only the catalog. */
  private abstract static class TestType implements CheckType {
    private final String name;
    private final boolean catalogOnly;
    private final boolean alone;

    TestType(String name, boolean catalogOnly) {
      this(name, catalogOnly, false);
    }

    TestType(String name, boolean catalogOnly, boolean alone) {
      this.name = name;
      this.catalogOnly = catalogOnly;
      this.alone = alone;
    }

    @Override
    public boolean runsAlone() {
      return alone;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void validate(YamlValue args, Problems problems) {
    }

    @Override
    public boolean readsOnlyTheCatalog() {
      return catalogOnly;
    }
  }

  /**
   * A check type from another jar that runs alone (it may write or lock, as the rehearsal does) but is
   * not the rehearsal, whose statements {@code RehearsalBeside} judges: its actual value says whether
   * {@link #holding}'s session, which a {@link Watching} check lets go at its end, still held its lock.
   */
  private static final class AloneElsewhere extends TestType {
    private final TestDatabase db;

    AloneElsewhere(TestDatabase db) {
      super("alone_elsewhere", false, true);
      this.db = db;
    }

    @Override
    public CheckResult run(YamlValue args, CheckContext context) {
      boolean under = db.queryValue("select count(*) from pg_locks where relation = 'app.t'::regclass"
          + " and mode = 'RowExclusiveLock' and granted").equals("1");
      return context.pass("the other checks", under ? "one still under way" : "all done", null);
    }
  }

  /** A catalog check stopped by a lock the first time it runs (as one a rehearsal beside it held up would be). */
  private static final class StoppedOnce extends TestType {
    final AtomicInteger runs = new AtomicInteger();

    StoppedOnce() {
      super("stopped_once", true);
    }

    @Override
    public CheckResult run(YamlValue args, CheckContext context) {
      if (runs.incrementAndGet() == 1) {
        return context.error(Cause.SqlError.of("55P03", Cause.ErrorSite.CHECK, "app"), "canceling statement due to lock timeout");
      }
      return context.pass("one run", "the second", null);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A session holding ROW EXCLUSIVE on app.t until a check commits it. */
  private static Connection holding(TestDatabase db) throws SQLException {
    Connection c = db.superuser();
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("lock table app.t in row exclusive mode");
    }
    return c;
  }

  /**
   * P1 of a package whose artifact is {@code sql}, whose preflight is {@code extra} (by type), the
   * package's own list (from {@code preflightYaml}), then the rehearsal; with {@code lockTimeout}.
   */
  private List<CheckResult> p1(TestDatabase db, String app, String sql, String preflightYaml, Duration lockTimeout,
      CheckType... extra) throws Exception {
    ApplyPackage p = Packages.write(dir, db, app, sql, preflightYaml + "  - rehearse: true\n");
    CheckSpec rehearse = p.preflight().get(p.preflight().size() - 1);
    List<CheckSpec> preflight = new ArrayList<>();
    Map<String, CheckType> types = new LinkedHashMap<>(Preflight.installedTypes());
    for (CheckType t : extra) {
      preflight.add(new CheckSpec(t.name(), rehearse.args(), rehearse.position()));
      types.put(t.name(), t);
    }
    preflight.addAll(p.preflight());
    ApplySettings a = p.apply();
    ApplyPackage pkg = new ApplyPackage(p.file(), p.directory(), p.sha256(), p.id(), p.title(), p.authorization(),
        p.target(), p.artifact(), preflight, p.backup(), new ApplySettings(a.mode(), lockTimeout, a.statementTimeout()),
        p.verify(), p.rollback(), p.sandbox(), p.source());
    ConnectionSpec login = new ConnectionSpec(db.server().host(), db.server().port(), db.name(), "postgres", Optional.empty());
    return new Preflight(types, x -> Packages.statements(sql), (s, r) -> Optional.empty(), Preflight.DEFAULT_PARALLELISM)
        .run(login, pkg, Packages.statements(sql), false).results();
  }

  @Test
  void theRehearsalRunsWhileACatalogCheckIsStillUnderWay(TestDatabase db) throws Exception {
    String app = Packages.seedFlagged(db);
    try (Connection held = holding(db)) {
      List<CheckResult> r = p1(db, app, CREATES, "", Duration.ofSeconds(5), new Watching(db, held, true, 10_000, 0));
      assertThat(Packages.byId(r, "watching#1").actual()).isEqualTo("running beside");
      assertThat(Packages.byId(r, "rehearse#2").status()).isEqualTo(CheckStatus.PASS);
      assertThat(r).noneMatch(x -> x.status() == CheckStatus.ERROR);
    }
  }

  @Test
  void aCheckThatMayReadMoreThanTheCatalogKeepsTheRehearsalAfterIt(TestDatabase db) throws Exception {
    String app = Packages.seedFlagged(db);
    try (Connection held = holding(db)) {
      List<CheckResult> r = p1(db, app, CREATES, "", Duration.ofSeconds(5), new Watching(db, held, false, 1_500, 0));
      assertThat(Packages.byId(r, "watching#1").actual()).isEqualTo("not running");
      assertThat(Packages.byId(r, "rehearse#2").status()).isEqualTo(CheckStatus.PASS);
    }
  }

  @Test
  void aSqlCheckKeepsTheRehearsalAfterTheOthers(TestDatabase db) throws Exception {
    String app = Packages.seedFlagged(db);
    try (Connection held = holding(db)) {
      List<CheckResult> r = p1(db, app, CREATES, Packages.FLAGGED_CHECK, Duration.ofSeconds(5),
          new Watching(db, held, true, 1_500, 0));
      assertThat(Packages.byId(r, "watching#1").actual()).isEqualTo("not running");
      assertThat(Packages.byId(r, "sql#2").status()).isEqualTo(CheckStatus.PASS);
      assertThat(Packages.byId(r, "rehearse#3").status()).isEqualTo(CheckStatus.PASS);
    }
  }

  @Test
  void anArtifactThatAltersAnExistingTableKeepsTheRehearsalAlone(TestDatabase db) throws Exception {
    String app = Packages.seedFlagged(db);
    try (Connection held = holding(db)) {
      List<CheckResult> r = p1(db, app, "alter table app.t add column note text\n" + CREATES, "", Duration.ofSeconds(5),
          new Watching(db, held, true, 1_500, 0));
      assertThat(Packages.byId(r, "watching#1").actual()).isEqualTo("not running");
      assertThat(Packages.byId(r, "rehearse#2").status()).isEqualTo(CheckStatus.PASS);
    }
  }

  @Test
  void aRehearsalBesideThatALockStoppedRunsAgainAloneAndPasses(TestDatabase db) throws Exception {
    String app = Packages.seedFlagged(db);
    try (Connection held = holding(db)) {
      // the lock is kept 1.5 s after the rehearsal was seen waiting: beside, it stops on its 200 ms lock_timeout
      List<CheckResult> r = p1(db, app, CREATES, "", Duration.ofMillis(200), new Watching(db, held, true, 10_000, 1_500));
      assertThat(Packages.byId(r, "watching#1").actual()).isEqualTo("running beside");
      CheckResult rehearse = Packages.byId(r, "rehearse#2");
      assertThat(rehearse.status()).as("run again alone, once the lock was gone: %s", rehearse).isEqualTo(CheckStatus.PASS);
    }
  }

  @Test
  void aRehearsalBesideThatFailsOnItsOwnGivesTheResultItGivesAlone(TestDatabase db) throws Exception {
    String app = Packages.seedFlagged(db);
    String failing = CREATES + "\ncreate table app.t (x int)";
    CheckResult beside;
    try (Connection held = holding(db)) {
      List<CheckResult> r = p1(db, app, failing, "", Duration.ofSeconds(5), new Watching(db, held, true, 10_000, 0));
      assertThat(Packages.byId(r, "watching#1").actual()).isEqualTo("running beside");
      beside = Packages.byId(r, "rehearse#2");
    }
    CheckResult alone;
    try (Connection held = holding(db)) {
      alone = Packages.byId(p1(db, app, failing, "", Duration.ofSeconds(5), new Watching(db, held, false, 0, 0)),
          "rehearse#2");
    }
    assertThat(beside.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(beside).isEqualTo(alone);
    assertThat(beside.cause()).isInstanceOfSatisfying(Cause.SqlError.class, e -> assertThat(e.sqlstate()).isEqualTo("42P07"));
  }

  @Test
  void aCheckALockStoppedBesideTheRehearsalRunsAgainAfterIt(TestDatabase db) throws Exception {
    String app = Packages.seedFlagged(db);
    StoppedOnce beside = new StoppedOnce();
    try (Connection held = holding(db)) {
      List<CheckResult> r = p1(db, app, CREATES, "", Duration.ofSeconds(5), new Watching(db, held, true, 10_000, 0), beside);
      assertThat(Packages.byId(r, "watching#1").actual()).isEqualTo("running beside");
      assertThat(Packages.byId(r, "stopped_once#2").status()).isEqualTo(CheckStatus.PASS);
      assertThat(beside.runs).hasValue(2);
    }
    // with the rehearsal alone nothing ran beside it: the check's result stands
    StoppedOnce alone = new StoppedOnce();
    try (Connection held = holding(db)) {
      List<CheckResult> r = p1(db, app, "alter table app.t add column note text\n" + CREATES, "", Duration.ofSeconds(5),
          new Watching(db, held, true, 0, 0), alone);
      assertThat(Packages.byId(r, "stopped_once#2").status()).isEqualTo(CheckStatus.ERROR);
      assertThat(alone.runs).hasValue(1);
    }
  }

  @Test
  void aCheckTypeFromAnotherJarThatRunsAloneKeepsTheChecksThatRunAloneAfterTheOthers(TestDatabase db) throws Exception {
    String app = Packages.seedFlagged(db);
    try (Connection held = holding(db)) {
      List<CheckResult> r = p1(db, app, CREATES, "", Duration.ofSeconds(5), new Watching(db, held, true, 1_500, 0),
          new AloneElsewhere(db));
      assertThat(Packages.byId(r, "alone_elsewhere#2").actual()).isEqualTo("all done");
      assertThat(Packages.byId(r, "watching#1").actual()).isEqualTo("not running");
      assertThat(Packages.byId(r, "rehearse#3").status()).isEqualTo(CheckStatus.PASS);
    }
  }

  /**
   * {@code CREATE SCHEMA} with elements is not the bare form C41 allows: its {@code CREATE TABLE …
   * PARTITION OF} an existing table takes ACCESS EXCLUSIVE on that table, which a catalog reading
   * waits for ({@code pg_get_indexdef}, {@code pg_get_constraintdef}, {@code pg_get_viewdef} take ACCESS
   * SHARE on the relation they print). Held here: ACCESS SHARE, as such a reading holds it.
   */
  @Test
  void aSchemaWhoseElementsMakeAPartitionOfAnExistingTableKeepsTheRehearsalAlone(TestDatabase db) throws Exception {
    String app = Packages.seedFlagged(db);
    db.execute("create table app.parts (id int) partition by list (id)");
    db.execute("alter table app.parts owner to " + app);
    db.execute("grant create on database " + db.name() + " to " + app);
    try (Connection held = db.superuser()) {
      held.setAutoCommit(false);
      try (Statement st = held.createStatement()) {
        st.execute("lock table app.parts in access share mode");
      }
      List<CheckResult> r = p1(db, app, "create schema s create table one partition of app.parts for values in (1)", "",
          Duration.ofSeconds(5), new Watching(db, held, true, 1_500, 0));
      assertThat(Packages.byId(r, "watching#1").actual()).isEqualTo("not running");
      assertThat(Packages.byId(r, "rehearse#2").status()).isEqualTo(CheckStatus.PASS);
    }
  }
}
