package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.model.ApplyPackage;
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
import dev.cutter.report.RowsAhead;
import dev.cutter.report.SecretScanner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real apply of 600 statements against the server, its report written twice from the same run:
 * by the sink that made the statement rows ready once the statements ended ({@link RowsAhead}) and
 * by one that did not (every report before). The two files are the same bytes when the change
 * commits, when a statement fails and the transaction is rolled back, and when the server cancels a
 * statement; a known secret in the last statement's text is masked the same on both.
 */
@WithPostgres
class RowsAheadSinkTest {

  private static final Approver approver = Approver.forClass();
  private static final String SECRET = "Tbl_Secret_77";

  @TempDir Path dir;

  @Test
  void aCommittedApplyWritesTheSameReportWithTheRowsMadeAhead(TestDatabase db) throws Exception {
    Written w = apply(db, "rows-commit", statements(600, ""));
    assertThat(w.report.verdict()).isEqualTo(Verdict.PASS);
    assertThat(w.report.statements().ran()).hasSize(600);
    assertThat(w.yaml).contains("  committed_statements:\n    - 1\n");
  }

  @Test
  void aFailedStatementRolledBackWritesTheSameReportWithOnlyTheRowsThatRan(TestDatabase db) throws Exception {
    Written w = apply(db, "rows-failed", statements(600, "create table ahead_t" + SECRET + " (id int);\n"));
    assertThat(w.report.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(w.report.statements().ran()).hasSize(601);
    assertThat(w.report.apply().failedStatement().sqlstate()).isEqualTo("42P07");
  }

  @Test
  void aCancelledStatementWritesTheSameReport(TestDatabase db) throws Exception {
    Written w = apply(db, "rows-cancel", statements(600,
        "set local statement_timeout = '50ms';\nselect pg_sleep(5) as " + SECRET + ";\n"));
    assertThat(w.report.verdict()).isEqualTo(Verdict.FAILED);
    assertThat(w.report.apply().failedStatement().sqlstate()).isEqualTo("57014");
    assertThat(w.report.statements().ran()).hasSize(602);
  }

  /** {@code n} tables, the last one's name holding the known secret, then {@code tail} (its last statement kept in the report). */
  private static String statements(int n, String tail) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> "create table ahead_t" + (i == n ? SECRET : i) + " (id int);\n")
        .collect(Collectors.joining()) + tail;
  }

  /** What the two sinks wrote for one run: the same YAML (its text) and the report. */
  private record Written(RunReport report, String yaml) {}

  private Written apply(TestDatabase db, String id, String artifact) throws Exception {
    Cli init = Cli.run("init", "--target", db.uri("postgres"));
    assertThat(init.exit()).as(init.err()).isZero();
    RunSupport.Loaded loaded = RunSupport.load(approver.write(dir.resolve(id), id, db, "postgres", artifact, "[]", "[]",
        null));
    SecretScanner scanner = SecretScanner.patternsOnly().withSecret("connection password", SECRET);
    RunSupport.Sink ahead = new RunSupport.Sink(dir.resolve("ahead"), () -> scanner, false, null);
    RunSupport.Sink before = new RunSupport.Sink(dir.resolve("before"), () -> scanner, false, null);
    ApplyRun.ReportSink both = new ApplyRun.ReportSink() {
      @Override
      public void statementsEnded(StatementTimings timings, List<Integer> committed) {
        ahead.statementsEnded(timings, committed);
      }

      @Override
      public String write(RunReport report) {
        before.write(report);
        return ahead.write(report);
      }
    };
    ConnectionSpec login = new ConnectionSpec("localhost", db.server().port(), db.name(), "postgres", Optional.empty());
    ApplyRun run = new ApplyRun(INTEGRITY_OK, CHECKS_PASS, (t, pk, runId) -> null, Clock.systemUTC());
    RunReport report = run.execute(new ApplyRun.Request(loaded.pkg(), loaded.scripts().changeStatements(), false,
        List.of(), login, (spec, role) -> Optional.empty(), Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC())),
        both);

    assertThat(ahead.rowsAhead()).as("rows made ready once the statements ended").isNotNull();
    assertThat(ahead.rowsAhead().taken()).as("and taken by the report").isTrue();
    assertThat(before.rowsAhead()).isNull();
    String yaml = Files.readString(ahead.written().yaml());
    assertThat(yaml).isEqualTo(Files.readString(before.written().yaml()));
    assertThat(Files.readString(ahead.written().markdown())).isEqualTo(Files.readString(before.written().markdown()));
    assertThat(ahead.written().yamlSha256()).isEqualTo(before.written().yamlSha256());
    assertThat(yaml).doesNotContainIgnoringCase(SECRET).contains("****")
        .containsPattern("\nsecrets_recorded: \"masked: [0-9]+ \\(connection password\\)\"\n");
    return new Written(report, yaml);
  }

  private static final Steps.Integrity INTEGRITY_OK = (pk, required) -> new Steps.IntegrityOutcome(
      List.of(new GateResult(GateIds.SIGNATURE, GateStatus.PASS, null, null, null, List.of())), List.of("FPR1"));

  /** P1 and verify pass without reading anything: the statements meet the server only in the apply. */
  private static final Steps.Checks CHECKS_PASS = new Steps.Checks() {
    @Override
    public List<CheckResult> preflight(ConnectionSpec target, ApplyPackage pkg, boolean sandbox) {
      return List.of(CheckResult.pass("identity", "db", "db", null));
    }

    @Override
    public List<CheckResult> run(ConnectionSpec target, ApplyPackage pkg,
        List<dev.cutter.core.model.CheckSpec> specs) {
      return List.of();
    }
  };
}
