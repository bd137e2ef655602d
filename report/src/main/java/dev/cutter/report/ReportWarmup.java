package dev.cutter.report;

import dev.cutter.core.Verdict;
import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.model.Sha256;
import dev.cutter.core.run.GateId;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.Provenance;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The report's whole path taken once ahead, in memory, while a run waits on the server: a made-up
 * report of {@code statements} statements is masked, diagnosed, scanned, rendered as Markdown and
 * YAML, scanned again and summed, as a run's own report is at its end. Its classes are then loaded
 * and initialised, Jackson's serializers built and the hot methods compiled before the run renders
 * the report it writes. The made-up report is thrown away: nothing is written anywhere, nothing is
 * shared with the run's report but the JVM's state, and it holds no value of the run.
 *
 * <p>It runs on a daemon thread of the lowest priority and stops between two steps once
 * {@link #abandon} is called (the run renders its own report then), so it never holds the run up
 * for longer than one step of a small report.
 */
public final class ReportWarmup {

  /** The warm-up thread's name. */
  public static final String THREAD = "cutter-report-warmup";
  /** How many steps a whole warm-up takes. */
  static final int STEPS = 8;
  /** How many statements a warm-up renders at most: enough for the per-statement code to be compiled. */
  public static final int MAX_STATEMENTS = 500;
  /** A made-up secret the made-up report holds, so that masking is taken too. */
  static final String SECRET = "warm-up-secret-0f3c";

  private final AtomicBoolean abandoned = new AtomicBoolean();
  private volatile int stepsDone;
  private final Thread thread;

  private ReportWarmup(int statements) {
    thread = new Thread(() -> {
      try {
        render(statements, abandoned::get, () -> stepsDone++);
      } catch (RuntimeException | LinkageError e) {
        // nothing to do: the run's own report meets whatever failed here, and says so
      }
    }, THREAD);
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
  }

  /** Starts a warm-up of a report of {@code statements} statements (at most {@link #MAX_STATEMENTS}). */
  public static ReportWarmup start(int statements) {
    ReportWarmup w = new ReportWarmup(Math.max(1, Math.min(statements, MAX_STATEMENTS)));
    w.thread.start();
    return w;
  }

  /** The run renders its own report now: the warm-up stops before its next step. */
  public void abandon() {
    abandoned.set(true);
  }

  Thread thread() {
    return thread;
  }

  /** Waits up to {@code millis} for the warm-up to end; whether it has (tests, benchmarks). */
  public boolean awaitEnd(long millis) throws InterruptedException {
    thread.join(millis);
    return !thread.isAlive();
  }

  int stepsDone() {
    return stepsDone;
  }

  /** What a warm-up rendered (the tests read it); null where it stopped before. */
  record Rendered(String yaml, String markdown, String summary) {}

  /**
   * The steps of a run's report, in the order a run takes them ({@code RunSupport.Sink.write},
   * {@link ReportWriter#render}), each skipped once {@code abandoned} holds.
   */
  static Rendered render(int statements, BooleanSupplier abandoned, Runnable stepDone) {
    String[] out = new String[3];
    RunReport[] r = new RunReport[1];
    SecretScanner[] scanner = new SecretScanner[1];
    ScannedReport[] scanned = new ScannedReport[1];
    List<Runnable> steps = List.of(
        () -> r[0] = report(statements).withProvenance(Provenance.ofBuild()),
        () -> r[0] = new FailureClassifier().diagnose(RowValues.mask(r[0])),
        () -> scanner[0] = SecretScanner.forEnvironment(Map.of(), "/home/warm-up").withSecret("warm-up", SECRET),
        () -> scanned[0] = ScannedReport.scan(r[0], scanner[0], false),
        () -> out[1] = scanner[0].mask(ReportRenderer.markdown(scanned[0])),
        () -> out[0] = scanner[0].mask(ReportCodec.yaml(scanned[0])),
        () -> Sha256.of(out[0].getBytes(StandardCharsets.UTF_8)),
        () -> out[2] = ReportRenderer.textSummary(new WrittenReport(Path.of("/home/warm-up/r.yaml"),
            Path.of("/home/warm-up/r.md"), "", scanned[0]), scanner[0]));
    for (Runnable step : steps) {
      if (abandoned.getAsBoolean()) {
        break;
      }
      step.run();
      stepDone.run();
    }
    return new Rendered(out[0], out[1], out[2]);
  }

  /** A report of a passing apply of {@code n} statements, with every section a gated run's report has. */
  static RunReport report(int n) {
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    String sha = "0".repeat(64);
    RunReport.PackageInfo pkg = new RunReport.PackageInfo("warm-up", sha, "warm-up: made up, never written",
        List.of("0123456789ABCDEF0123456789ABCDEF01234567"), "WARM-UP", at.plusSeconds(3600), "low", List.of());
    TlsState tls = new TlsState(false, false, "prefer", null);
    RunReport.TargetInfo target = new RunReport.TargetInfo("warm_up", "7000000000000000000", "15.0", "warm_login",
        "warm_owner", tls, "a separate login as warm_owner", false);
    List<CheckResult> checks = List.of(
        CheckResult.pass("identity", "system_identifier 7000000000000000000, database warm_up",
            "system_identifier 7000000000000000000, database warm_up", null),
        CheckResult.pass("apply_role_privileges", "apply_role warm_owner: CREATE on database (statement 1, line 1)",
            "all held", "unqualified names resolve through search_path \"$user\", public"),
        CheckResult.pass("rehearse#1", "artifact runs as warm_owner", n + " statements ran; rolled back",
            "password=" + SECRET));
    Map<String, SchemaCounts> before = Map.of("warm", new SchemaCounts("warm", Map.of("p", 1), Map.of("r", 1)));
    Map<String, SchemaCounts> after = Map.of("warm", new SchemaCounts("warm", Map.of("p", n + 1), Map.of("r", n + 1)));
    List<CheckResult> verify = List.of(CheckResult.pass("objects_present#1", "warm.t1", "all present",
        "made up with " + SECRET));
    List<StatementTiming> ran = new ArrayList<>(n);
    List<Integer> committed = new ArrayList<>(n);
    for (int i = 1; i <= n; i++) {
      String text = i <= StatementTimings.TEXTS_KEPT ? "CREATE TABLE warm.t" + i + " (id bigint PRIMARY KEY, v text)"
          : null;
      ran.add(new StatementTiming(i, 2 * i - 1, text, i % 7));
      committed.add(i);
    }
    List<GateResult> gates = List.of(
        new GateResult(GateId.SIGNATURE, GateStatus.PASS, "1 distinct approver(s)", "1 valid", null, List.of())
            .withDuration(1L),
        new GateResult(GateId.LOCK, GateStatus.PASS, "run lock", "lock taken", null, List.of()).withDuration(1L),
        new GateResult(GateId.PREFLIGHT, GateStatus.PASS, null, null, null, checks).withDuration(1L),
        new GateResult(GateId.APPLY, GateStatus.PASS, null, null, n + " of " + n + " statements; committed", List.of())
            .withDuration(1L),
        new GateResult(GateId.VERIFY, GateStatus.PASS, null, null, null, verify).withDuration(1L),
        GateResult.notRun(GateId.ROLLBACK));
    return new RunReport("20260101T000000Z-0000", RunMode.APPLY, pkg, target, Verdict.PASS, 0, true, gates, null,
        new RunReport.ApplyInfo("PASS", n, n, "committed", false, committed, null),
        new RunReport.VerificationInfo("PASS", verify, new Baseline(before), new Baseline(after), null),
        new RunReport.RollbackInfo("NOT_RUN", "verification passed"), null, List.of(), null, at, at.plusSeconds(1),
        new RunReport.ApplySettingsInfo("transaction", "5000ms", "1800000ms", 0), new StatementTimings(ran, 1L), null,
        null, null, null, null);
  }
}
