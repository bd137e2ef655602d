package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The report sink hears once, when P1's parallel checks ended (before the checks that run alone
 * and the apply), that the run now waits on the server (it warms the report's path then), and
 * not at all for a run that stops before it holds the run lock.
 */
@WithPostgres
class ReportSinkServerBusyTest {

  /** A sink that writes down what it was told, in order. */
  static final class Recording implements ApplyRun.ReportSink {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public String write(RunReport report) {
      calls.add("write " + report.verdict());
      return "0".repeat(64);
    }

    @Override
    public void serverBusy() {
      calls.add("server busy");
    }
  }

  private static ApplyRun.Request request(TestDatabase db) {
    ConnectionSpec login = new ConnectionSpec("localhost", db.server().port(), db.name(), "postgres", Optional.empty());
    return new ApplyRun.Request(
        ApplyRunTest.pkg("6".repeat(64), List.of(ApplyRunTest.TABLE_T_EXISTS), null, ApplySettings.Mode.TRANSACTION),
        ApplyRunTest.stmts("create table t(a int)"), false, List.of(), login, (spec, role) -> Optional.empty(),
        Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()));
  }

  @Test
  void aGatedRunTellsItsSinkOnceAndWritesAfter(TestDatabase db) throws SQLException {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    Steps.Integrity ok = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));
    Recording sink = new Recording();

    new ApplyRun(ok, ApplyRunTest.checksOn(db), (t, pk, id) -> null, Clock.systemUTC()).execute(request(db), sink);

    assertThat(sink.calls).containsExactly("server busy", "write PASS");
  }

  @Test
  void aRunRefusedAtItsIntegrityGateNeverTellsItsSinkTheServerIsBusy(TestDatabase db) {
    Steps.Integrity refused = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.FAIL, null, null, "no signature", List.of())), List.of());
    Recording sink = new Recording();

    new ApplyRun(refused, ApplyRunTest.checksOn(db), (t, pk, id) -> null, Clock.systemUTC()).execute(request(db), sink);

    assertThat(sink.calls).containsExactly("write BLOCKED");
  }

  @Test
  void theSinkHearsOnlyOnceP1sParallelChecksEndedNotWhileTheyRun(TestDatabase db) throws SQLException {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    Steps.Integrity ok = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));
    Recording sink = new Recording();
    Steps.Checks real = ApplyRunTest.checksOn(db);
    Steps.Checks checks = new Steps.Checks() {
      @Override
      public List<dev.cutter.core.check.CheckResult> preflight(ConnectionSpec target, dev.cutter.core.model.ApplyPackage pkg,
          boolean sandbox) {
        return real.preflight(target, pkg, sandbox);
      }

      @Override
      public Steps.P1 preflightWithLint(ConnectionSpec target, dev.cutter.core.model.ApplyPackage pkg, boolean sandbox,
          Runnable identityHeld, Runnable parallelEnded) {
        sink.calls.add("identity");
        identityHeld.run();
        sink.calls.add("parallel checks");
        parallelEnded.run();
        sink.calls.add("checks that run alone");
        return new Steps.P1(real.preflight(target, pkg, sandbox), null, null);
      }

      @Override
      public List<dev.cutter.core.check.CheckResult> run(ConnectionSpec target, dev.cutter.core.model.ApplyPackage pkg,
          List<dev.cutter.core.model.CheckSpec> specs) {
        return real.run(target, pkg, specs);
      }
    };

    new ApplyRun(ok, checks, (t, pk, id) -> null, Clock.systemUTC()).execute(request(db), sink);

    assertThat(sink.calls).containsExactly("identity", "parallel checks", "server busy", "checks that run alone",
        "write PASS");
  }
}
