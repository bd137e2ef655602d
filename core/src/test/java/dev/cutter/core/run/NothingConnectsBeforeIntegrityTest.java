package dev.cutter.core.run;

import static dev.cutter.core.run.ApplyRunTest.INTEGRITY_OK;
import static dev.cutter.core.run.ApplyRunTest.NO_BACKUP;
import static dev.cutter.core.run.ApplyRunTest.pkg;
import static dev.cutter.core.run.ApplyRunTest.stmts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckSessions;
import dev.cutter.core.check.Preflight;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.ConnectionCounter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * An apply of a package its integrity gate refuses opens no connection at all, also none of the
 * logins made ahead of use (P1's pool during the run lock, the rehearsal's, the apply's and the
 * journal's): the target is a listening socket that counts every connection made to it, and the
 * run is wired as the command line wires it (P1's sessions kept for the run).
 */
class NothingConnectsBeforeIntegrityTest {

  private static RunReport apply(Steps.Integrity integrity, int port) {
    ConnectionSpec target = new ConnectionSpec("127.0.0.1", port, "shop", "deployer", Optional.empty());
    try (CheckSessions kept = CheckSessions.forRun()) {
      Preflight p1 = new Preflight(Map.of(), x -> List.of(), (s, r) -> Optional.empty(), Preflight.DEFAULT_PARALLELISM)
          .keepingSessions(kept);
      ApplyRun.Request req = new ApplyRun.Request(pkg("e".repeat(64), List.of(), null, ApplySettings.Mode.TRANSACTION),
          stmts("create table t(a int)"), false, List.of(), target, (s, r) -> Optional.empty(), Duration.ZERO,
          RunMode.APPLY, RunIds.next(Clock.systemUTC()));
      return new ApplyRun(integrity, p1, NO_BACKUP, Clock.systemUTC()).execute(req, r -> "f".repeat(64));
    }
  }

  @Test
  void anApplyTheIntegrityGateRefusesMakesNoConnectionNotEvenAhead() throws Exception {
    Steps.Integrity refused = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.FAIL, null, null, "no valid signature", List.of())),
        List.of());
    try (ConnectionCounter target = new ConnectionCounter()) {
      RunReport r = apply(refused, target.port());
      Thread.sleep(300); // a login started on a thread of its own would have reached the socket by now
      assertThat(r.verdict()).isEqualTo(Verdict.BLOCKED);
      assertThat(target.accepted()).as("connections made to the target").isZero();
    }
  }

  @Test
  void theSameApplyWithTheGatePassingDoesReachTheListener() throws Exception {
    try (ConnectionCounter target = new ConnectionCounter()) {
      RunReport r = apply(INTEGRITY_OK, target.port());
      assertThat(r.verdict()).as("the stand-in is no server").isNotEqualTo(Verdict.PASS);
      assertThat(target.accepted()).as("the counter sees a run's connections").isPositive();
    }
  }
}
