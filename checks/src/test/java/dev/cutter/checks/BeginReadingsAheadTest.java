package dev.cutter.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckType;
import dev.cutter.core.check.Preflight;
import dev.cutter.core.check.Problems;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.YamlValue;
import dev.cutter.core.run.ApplyRun;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunIds;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.Steps;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock session's readings for BEGIN (the touched relations' fingerprint, the baseline before)
 * are read while P1's parallel checks run, before the checks that run alone (the rehearsal): a
 * touched relation changed while such a check runs is refused at BEGIN, where a fingerprint read
 * after P1 took the changed catalog for the one P1 proved. The lock session is idle while a check
 * that runs alone runs.
 */
@WithPostgres
class BeginReadingsAheadTest {

  @TempDir
  Path dir;


  private String app;

  /** A check that runs alone (as the rehearsal does) and meanwhile has another session run {@code meanwhile}. */
  private static final class Meddling implements CheckType {
    private final TestDatabase db;
    private final String meanwhile;
    final List<String> lockSession = new ArrayList<>();

    Meddling(TestDatabase db, String meanwhile) {
      this.db = db;
      this.meanwhile = meanwhile;
    }

    @Override
    public String name() {
      return "meddling";
    }

    @Override
    public void validate(YamlValue args, Problems problems) {
    }

    @Override
    public boolean runsAlone() {
      return true;
    }

    @Override
    public CheckResult run(YamlValue args, CheckContext context) {
      lockSession.add(db.queryValue("select state || ' ' || coalesce(backend_xid::text, '-') from pg_stat_activity"
          + " where application_name like 'cutter lock %'"));
      db.execute(meanwhile);
      return context.pass("nothing", "nothing", null);
    }
  }

  private void seed(TestDatabase db) throws SQLException {
    app = Packages.seedFlagged(db);
  }

  /** The package with its sql check, then the meddling check; no backup. */
  private ApplyPackage pkg(TestDatabase db, String sql) throws Exception {
    ApplyPackage p = Packages.write(dir, db, app, sql, Packages.FLAGGED_CHECK);
    CheckSpec sqlCheck = p.preflight().get(0);
    List<CheckSpec> preflight = List.of(sqlCheck, new CheckSpec("meddling", sqlCheck.args(), sqlCheck.position()));
    BackupPolicy noBackup = new BackupPolicy(false, List.of(), dir.resolve("backups"), 0, List.of(), Optional.empty());
    return Packages.with(p, preflight, noBackup);
  }

  private static RunReport apply(TestDatabase db, ApplyPackage p, String sql, Meddling meddling) {
    ConnectionSpec login = new ConnectionSpec(db.server().host(), db.server().port(), db.name(), "postgres", Optional.empty());
    Map<String, CheckType> types = new LinkedHashMap<>(Preflight.installedTypes());
    types.put(meddling.name(), meddling);
    Preflight checks = new Preflight(types, x -> Packages.statements(sql), (s, r) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM);
    Steps.Integrity ok = (x, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR"));
    Steps.Backup none = (target, pk, runId) -> {
      throw new AssertionError("no backup in this package");
    };
    return new ApplyRun(ok, checks, none, Clock.systemUTC()).execute(new ApplyRun.Request(p, Packages.statements(sql),
        false, List.of(), login, (s, r) -> Optional.empty(), Duration.ZERO, RunMode.APPLY,
        RunIds.next(Clock.systemUTC())), r -> "f".repeat(64));
  }

  private static GateResult gate(RunReport r, String id) {
    return r.gates().stream().filter(g -> g.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void aColumnAddedToATouchedTableWhileACheckRunsAloneIsRefusedAtBegin(TestDatabase db) throws Exception {
    seed(db);
    String sql = "alter table app.t add column note text";
    Meddling meddling = new Meddling(db, "alter table app.t add column secret_ref int");
    RunReport r = apply(db, pkg(db, sql), sql, meddling);

    assertThat(gate(r, GateIds.PREFLIGHT).status()).as("P1 itself passed").isEqualTo(GateStatus.PASS);
    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(gate(r, GateIds.APPLY).message()).contains("begin:catalog").contains("added: app.t column secret_ref");
    assertThat(db.queryValue("select count(*) from pg_attribute where attrelid = 'app.t'::regclass and attname = 'note'"))
        .as("the change did not run").isEqualTo("0");
    assertThat(meddling.lockSession).as("the lock session idle, no transaction open, while the check ran alone")
        .containsExactly("idle -");
  }

  @Test
  void nothingChangedWhileTheChecksRanApplies(TestDatabase db) throws Exception {
    seed(db);
    String sql = "alter table app.t add column note text";
    Meddling meddling = new Meddling(db, "select 1");
    RunReport r = apply(db, pkg(db, sql), sql, meddling);

    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(meddling.lockSession).containsExactly("idle -");
    assertThat(r.verification().baselineBefore()).as("the baseline before, read ahead").isNotNull();
    assertThat(db.queryValue("select count(*) from pg_attribute where attrelid = 'app.t'::regclass and attname = 'note'"))
        .isEqualTo("1");
  }
}
