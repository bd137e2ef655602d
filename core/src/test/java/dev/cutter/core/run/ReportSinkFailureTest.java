package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.api.Test;

/** A report sink that fails after the commit does not leave the journal row at COMMITTED. */
@WithPostgres
class ReportSinkFailureTest {

  @Test
  void theJournalRowIsFinishedEvenWhenTheReportCannotBeWritten(TestDatabase db) throws SQLException {
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
    ConnectionSpec login = new ConnectionSpec("localhost", db.server().port(), db.name(), "postgres", Optional.empty());
    Steps.Integrity ok = (pk, required) -> new Steps.IntegrityOutcome(
        List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));
    ApplyRun run = new ApplyRun(ok, ApplyRunTest.checksOn(db), (t, pk, id) -> null, Clock.systemUTC());
    ApplyRun.Request req = new ApplyRun.Request(
        ApplyRunTest.pkg("5".repeat(64), List.of(ApplyRunTest.TABLE_T_EXISTS), null, ApplySettings.Mode.TRANSACTION),
        ApplyRunTest.stmts("create table t(a int)"), false, List.of(), login, (spec, role) -> Optional.empty(),
        Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()));

    assertThatThrownBy(() -> run.execute(req, r -> {
      throw new IllegalStateException("report directory vanished");
    })).hasMessage("report directory vanished");

    assertThat(db.queryValue("select verdict || ' ' || (finished is not null) from cutter.journal"))
        .as("the run's verdict is recorded although its report is not").isEqualTo("PASS true");
  }
}
