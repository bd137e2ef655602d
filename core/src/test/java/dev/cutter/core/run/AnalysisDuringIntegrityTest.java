package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.derived.StatementAnalysis;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplySettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The artifact's DDL analysis (offline, CPU only) is read while the integrity gate runs, not
 * after it; a run the gate refuses still stops there, BLOCKED, having connected nowhere (the
 * login below has no server: any attempt would fail the run otherwise).
 */
class AnalysisDuringIntegrityTest {

  @Test
  void theAnalysisIsReadWhileTheIntegrityGateRunsAndARefusedRunStillStopsThere() {
    List<ExecStatement> statements = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      statements.add(new ExecStatement(i + 1, i + 1, "create table analysed_during_integrity_" + i + " (id int)"));
    }
    AtomicBoolean readDuringTheGate = new AtomicBoolean();
    Steps.Integrity refusing = (pk, required) -> {
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!StatementAnalysis.holdsReadingOf(statements) && System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      readDuringTheGate.set(StatementAnalysis.holdsReadingOf(statements));
      return new Steps.IntegrityOutcome(
          List.of(new GateResult(GateIds.SIGNATURE, GateStatus.FAIL, null, null, "no signature", List.of())), List.of());
    };
    ConnectionSpec nowhere = new ConnectionSpec("localhost", 1, "db", "postgres", Optional.empty());
    ApplyRun.Request req = new ApplyRun.Request(ApplyRunTest.pkg("7".repeat(64), List.of(), null,
        ApplySettings.Mode.TRANSACTION), statements, false, List.of(), nowhere, (spec, role) -> Optional.empty(),
        Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()));
    List<String> sunk = new ArrayList<>();

    RunReport r = new ApplyRun(refusing, ApplyRunTest.checksOn(null), (t, pk, id) -> null, Clock.systemUTC())
        .execute(req, report -> {
          sunk.add(report.verdict().name());
          return "0".repeat(64);
        });

    assertThat(readDuringTheGate).isTrue();
    assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
    assertThat(sunk).containsExactly("BLOCKED");
    assertThat(r.gates()).filteredOn(g -> g.status() != GateStatus.NOT_RUN).extracting(GateResult::id)
        .containsExactly(GateIds.SIGNATURE);
  }
}
