package dev.cutter.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.Preflight;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.run.ApplyRun;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunIds;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.SideRuns;
import dev.cutter.core.run.Steps;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19.12: an empty {@code verify} list is no evidence. cutter derives checks from the DDL
 * (created objects present, dropped ones absent) and says so; when nothing can be derived the
 * verification is NOT_VERIFIED, never "verified".
 */
@WithPostgres
class NoVacuousPassTest {

  @TempDir
  Path dir;

  private static final Steps.Integrity SIGNED = (x, required) -> new Steps.IntegrityOutcome(
      List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR"));

  /**
   * Schema {@code app} with a table, owned by a fresh apply role that may record runs in the
   * journal but is not its owner (P1 refuses an apply_role that could rewrite the journal).
   */
  private static String seed(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    db.createSchema("app", app);
    db.execute("create table app.old (id int)");
    db.execute("alter table app.old owner to " + app);
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    return app;
  }

  private static ConnectionSpec login(TestDatabase db) {
    return new ConnectionSpec(db.server().host(), db.server().port(), db.name(), "postgres", Optional.empty());
  }

  private static Preflight checks(String sql) {
    return new Preflight(Preflight.installedTypes(), x -> Packages.statements(sql), (s, r) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM);
  }

  private static RunReport apply(TestDatabase db, ApplyPackage p, String sql) {
    ApplyRun run = new ApplyRun(SIGNED, checks(sql), (t, x, id) -> null, Clock.systemUTC());
    return run.execute(new ApplyRun.Request(p, Packages.statements(sql), false, List.of(), login(db),
        (s, r) -> Optional.empty(), Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC())), r -> "f".repeat(64));
  }

  private static GateResult verifyGate(RunReport r) {
    return r.gates().stream().filter(g -> g.id().equals(GateIds.VERIFY)).findFirst().orElseThrow();
  }

  @Test
  void anEmptyVerifyListIsReplacedByChecksDerivedFromTheDdl(TestDatabase db) throws Exception {
    String app = seed(db);
    String sql = "create table app.fresh (id int)\ncreate view app.fresh_v as select id from app.fresh\ndrop table app.old";
    RunReport r = apply(db, Packages.write(dir, db, app, sql, "  - schema_exists: app\n"), sql);

    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(verifyGate(r).checks()).extracting(CheckResult::id).containsExactly("objects_present#1", "objects_absent#2");
    assertThat(verifyGate(r).checks()).extracting(CheckResult::expected).containsExactly(
        "present in schema app: tables fresh; views fresh_v", "absent in schema app: tables old");
    assertThat(r.verification().note()).startsWith("the package lists no verify checks; derived from its DDL");
  }

  @Test
  void nothingDerivableIsNotVerifiedRatherThanVerified(TestDatabase db) throws Exception {
    String app = seed(db);
    String sql = "insert into app.old values (1)";
    RunReport r = apply(db, Packages.write(dir, db, app, sql, "  - schema_exists: app\n"), sql);

    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(r.verification().status()).isEqualTo(dev.cutter.core.run.RunStatus.Verification.NOT_VERIFIED);
    assertThat(r.verification().notVerified()).isTrue();
    assertThat(verifyGate(r).status()).isEqualTo(GateStatus.SKIPPED);
    assertThat(verifyGate(r).message()).startsWith("not verified");
  }

  @Test
  void cutterVerifyWithAnEmptyListChecksTheDerivedFactsOnTheTarget(TestDatabase db) throws Exception {
    String app = seed(db);
    String sql = "create table app.fresh (id int)";
    ApplyPackage p = Packages.write(dir, db, app, sql, "  - schema_exists: app\n");
    // the change never ran: an empty verify list used to say PASS here
    RunReport r = new SideRuns(SIGNED, checks(sql), (s, x) -> Optional.empty(), Clock.systemUTC())
        .verify(p, login(db), RunIds.next(Clock.systemUTC()));

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(verifyGate(r).message()).contains("objects_present#1").contains("fresh");
  }
}
