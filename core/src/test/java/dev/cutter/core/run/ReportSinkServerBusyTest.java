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
 * The report sink hears once, when P1 held, that the run now waits on the server (it warms the
 * report's path then, while the backup and the apply wait on the server; P1 keeps the client busy
 * with its checks and the rehearsal beside them), and not at all for a run that stops before.
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

  /** The journal made on {@code db}; an integrity gate that passes. */
  private static Steps.Integrity journalAndASignedPackage(TestDatabase db) throws SQLException {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    return (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));
  }

  @Test
  void aGatedRunTellsItsSinkOnceP1HeldAndWritesAfter(TestDatabase db) throws SQLException {
    Steps.Integrity ok = journalAndASignedPackage(db);
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
  void aRunP1BlocksNeverTellsItsSinkTheServerIsBusy(TestDatabase db) throws SQLException {
    Steps.Integrity ok = journalAndASignedPackage(db);
    Steps.Checks failing = new IdentityOnlyChecks() {
      @Override
      public Steps.P1 preflightWithLint(dev.cutter.core.db.ConnectionSpec target, dev.cutter.core.model.ApplyPackage pkg,
          boolean sandbox, Runnable identityHeld, Runnable routesKnown) {
        identityHeld.run();
        routesKnown.run();
        return new Steps.P1(List.of(dev.cutter.core.check.CheckResult.fail("objects_absent#1",
            new dev.cutter.core.cause.Cause.ObjectsPresent(List.of("table t")), "absent", "present", "t exists")), null, null);
      }
    };
    Recording sink = new Recording();

    new ApplyRun(ok, failing, (t, pk, id) -> null, Clock.systemUTC()).execute(request(db), sink);

    assertThat(sink.calls).containsExactly("write BLOCKED");
  }
}
