package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.fixtures.PrivateCluster;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a run records about its connections: TLS state, and the server its backup came from. */
@WithPostgres
class ApplyRunConnectionTest {

  @TempDir Path home;

  private static final Steps.Integrity OK = (pk, required) -> new Steps.IntegrityOutcome(
      List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));

  private static final Steps.Checks PASSING = new Steps.Checks() {
    @Override
    public List<CheckResult> preflight(ConnectionSpec target, ApplyPackage pkg, boolean sandbox) {
      return List.of(CheckResult.pass("identity", "db", "db", null));
    }

    @Override
    public List<CheckResult> run(ConnectionSpec target, ApplyPackage pkg, List<CheckSpec> specs) {
      return List.of();
    }
  };

  private static RunReport run(ConnectionSpec login, ApplyPackage p, Steps.Backup backup) {
    ApplyRun.Request req = new ApplyRun.Request(p, ApplyRunTest.stmts("create table t(a int)"), false, List.of(), login,
        (spec, role) -> Optional.empty(), Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()));
    return new ApplyRun(OK, PASSING, backup, Clock.systemUTC()).execute(req, r -> "f".repeat(64));
  }

  @Test
  void theReportSaysTheTargetConnectionWasEncryptedAndVerified() throws Exception {
    try (PrivateCluster server = PrivateCluster.startOrSkip(PrivateCluster.Options.tlsOnly())) {
      server.psql("postgres", "create database db");
      ConnectionSpec login = new ConnectionResolver(Map.of(), home).resolve("postgresql://postgres@localhost:"
          + server.port() + "/db?sslmode=verify-full&sslrootcert=" + server.caCertificate());
      try (Connection c = Connections.open(login, "test")) {
        Journal.init(c, List.of());
      }
      RunReport r = run(login, ApplyRunTest.pkg("1".repeat(64), List.of(), null, ApplySettings.Mode.TRANSACTION),
          (t, pk, id) -> null);

      assertThat(r.verdict()).isEqualTo(Verdict.PASS);
      assertThat(r.target().tls().encrypted()).isTrue();
      assertThat(r.target().tls().verified()).isTrue();
      assertThat(r.target().tls().sslmode()).isEqualTo("verify-full");

      ConnectionSpec prefer = login.withTls(ConnectionSpec.Tls.DEFAULT);
      RunReport p = run(prefer, ApplyRunTest.pkg("2".repeat(64), List.of(), null, ApplySettings.Mode.TRANSACTION),
          (t, pk, id) -> null);
      assertThat(p.target().tls().encrypted()).isTrue();
      assertThat(p.target().tls().verified()).as("prefer never checks the server").isFalse();
    }
  }

  @Test
  void aBackupFromAnotherServerBlocksTheApply(TestDatabase db) throws Exception {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    ConnectionSpec login = new ConnectionSpec("localhost", db.server().port(), db.name(), "postgres", Optional.empty());
    ApplyPackage base = ApplyRunTest.pkg("3".repeat(64), List.of(), null, ApplySettings.Mode.TRANSACTION);
    ApplyPackage p = new ApplyPackage(base.file(), base.directory(), base.sha256(), base.id(), base.title(), base.authorization(),
        base.target(), base.artifact(), base.preflight(), new BackupPolicy(true, List.of(), home, 1, List.of(),
            Optional.empty()), base.apply(), base.verify(), base.rollback(), base.sandbox(), base.source());
    Steps.Backup elsewhere = (t, pk, id) -> new RunReport.BackupInfo("PASS", "/b/x.dump", "custom", "1.14-0", 10L,
        "a".repeat(64), "a".repeat(64), List.of(), 5, 1, "15.18", Instant.now(), Instant.now(), null,
        "1234567890123456789", null);

    RunReport r = run(login, p, elsewhere);

    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(r.productionChanged()).isFalse();
    assertThat(r.rootCause()).contains("the backup came from server 1234567890123456789");
    assertThat(db.queryValue("select to_regclass('public.t') is null")).isEqualTo("t");
  }
}
