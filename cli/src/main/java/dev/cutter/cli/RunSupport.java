package dev.cutter.cli;

import dev.cutter.backup.BackupGate;
import dev.cutter.backup.BackupResult;
import dev.cutter.backup.BackupSettings;
import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.check.Preflight;
import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.integrity.IntegrityGates;
import dev.cutter.core.integrity.TrustPolicy;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.run.ApplyRun;
import dev.cutter.core.run.PackageScripts;
import dev.cutter.core.run.RunIds;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.Steps;
import dev.cutter.report.FailureClassifier;
import dev.cutter.report.ReportCodec;
import dev.cutter.report.ReportRenderer;
import dev.cutter.report.ReportWriter;
import dev.cutter.report.SecretScanner;
import dev.cutter.report.WrittenReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** What the gated verbs share: loading, the steps, and writing and printing the report. */
final class RunSupport {

  private RunSupport() {}

  /** A loaded package and its judged scripts. */
  record Loaded(ApplyPackage pkg, PackageScripts scripts) {}

  static Loaded load(Path pkgPath) {
    ApplyPackage pkg = PackageLoader.withInstalledChecks().load(pkgPath);
    return new Loaded(pkg, PackageScripts.of(pkg));
  }

  static Steps.Integrity integrity(TrustOptions trust, Clock clock) {
    TrustPolicy.Location where = trust.locate();
    Optional<TrustPolicy> policy = trust.policy();
    return new IntegrityGates(policy, where.describeSearch(), clock);
  }

  static Preflight checks(Loaded loaded, ConnectionResolver resolver) {
    return checks(loaded, resolver, false);
  }

  /** @param privilegedLoginAllowed the trust policy's allow_privileged_login, for the rehearsal */
  static Preflight checks(Loaded loaded, ConnectionResolver resolver, boolean privilegedLoginAllowed) {
    return new Preflight(Preflight.installedTypes(), p -> loaded.scripts().changeStatements(),
        resolver::passwordFor, Preflight.DEFAULT_PARALLELISM, privilegedLoginAllowed);
  }

  static Steps.Backup backup(BackupSettings settings) {
    BackupGate gate = new BackupGate(settings);
    return (target, pkg, runId) -> toInfo(gate.run(target, pkg.backup(), pkg.id(), runId));
  }

  static RunReport.BackupInfo toInfo(BackupResult r) {
    if (r instanceof BackupResult.Passed p) {
      return p.envelope().toBackupInfo();
    }
    BackupResult.Blocked b = (BackupResult.Blocked) r;
    String reason = b.reason() + (b.details() == null ? "" : ": " + b.details())
        + (b.quarantined().isPresent() ? " (partial file moved to " + b.quarantined().get() + ")" : "");
    return new RunReport.BackupInfo("FAIL", null, null, null, null, null, null, null, null, null, null, null, null, reason);
  }

  static SecretScanner scanner(ConnectionSpec... targets) {
    SecretScanner s = SecretScanner.forEnvironment(System.getenv(), System.getProperty("user.home"));
    for (ConnectionSpec t : targets) {
      if (t != null && t.password().isPresent()) {
        s = s.withSecret("connection password", t.password().get().value());
      }
    }
    return s;
  }

  /** A sink that classifies the failure, writes YAML and Markdown, and keeps what it wrote. */
  static final class Sink implements ApplyRun.ReportSink {
    private final Path dir;
    private final SecretScanner scanner;
    private final AtomicReference<WrittenReport> written = new AtomicReference<>();

    Sink(Path dir, SecretScanner scanner) {
      this.dir = dir;
      this.scanner = scanner;
    }

    @Override
    public String write(RunReport report) {
      WrittenReport w = new ReportWriter(dir, scanner).write(new FailureClassifier().diagnose(report));
      written.set(w);
      return w.yamlSha256();
    }

    WrittenReport written() {
      return written.get();
    }
  }

  /** Prints the stdout summary (text or one JSON object) and returns the exit code. */
  static int print(PrintWriter out, GlobalOptions global, Sink sink, RunReport report) {
    WrittenReport w = sink.written();
    if (global.output() == GlobalOptions.OutputFormat.json) {
      String json = ReportCodec.summaryJson(w, sink.scanner);
      out.print(json.endsWith("\n") ? json : json + "\n");
    } else if (global.quiet()) {
      out.println(ReportRenderer.verdictLine(w.scanned().report()));
    } else {
      out.print(ReportRenderer.textSummary(w, sink.scanner));
    }
    out.flush();
    return report.exitCode();
  }

  /**
   * Runs a gated verb so that a report is written even when it ends in invalid input or an
   * internal error (SPEC 3 step 9); the exception then goes on to the command line's handler.
   */
  static int guarded(PrintWriter err, RunMode mode, Path reportDir,
      Callable<Integer> body) throws Exception {
    Instant started = Instant.now();
    try {
      return body.call();
    } catch (RuntimeException e) {
      int code = e instanceof CutterException ce ? ce.exitCode() : ExitCodes.INTERNAL;
      String cause = (code == ExitCodes.INTERNAL ? "internal error: " + e : e.getMessage());
      RunReport r = new RunReport(RunIds.next(Clock.systemUTC()), mode, null, null, null, code, false,
          List.of(), null, null, null, null, cause, List.of(), null, started, Instant.now());
      try {
        Sink sink = new Sink(reportDir, scanner());
        sink.write(r);
        err.println("report: " + sink.written().yaml());
      } catch (RuntimeException ignored) {
        // the report is best effort here: the error itself is what the operator must see
      }
      throw e;
    }
  }

  static Map<String, String> env() {
    return System.getenv();
  }
}
