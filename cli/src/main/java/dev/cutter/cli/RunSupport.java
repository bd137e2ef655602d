package dev.cutter.cli;

import dev.cutter.backup.BackupGate;
import dev.cutter.backup.BackupResult;
import dev.cutter.backup.BackupSettings;
import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.check.Preflight;
import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.core.exec.StatementTimings;
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
import dev.cutter.report.ReportWarmup;
import dev.cutter.report.ReportWriter;
import dev.cutter.report.RowValues;
import dev.cutter.report.RowsAhead;
import dev.cutter.report.SecretScanner;
import dev.cutter.report.WrittenReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Supplier;

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
    return checks(loaded, resolver::passwordFor, false);
  }

  static Preflight checks(Loaded loaded, BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor) {
    return checks(loaded, passwordFor, false);
  }

  /** @param privilegedLoginAllowed the trust policy's allow_privileged_login, for the rehearsal */
  static Preflight checks(Loaded loaded, BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor,
      boolean privilegedLoginAllowed) {
    return new Preflight(Preflight.installedTypes(), p -> loaded.scripts().changeStatements(),
        passwordFor, Preflight.DEFAULT_PARALLELISM, privilegedLoginAllowed);
  }

  /**
   * Proves, before anything connects, that the report of {@code pkg} can be written under
   * {@code reportDir}: a change must never commit without its report (SPEC section 5).
   *
   * @throws CutterException exit 2, naming the directory, when it cannot
   */
  static void requireWritableReportDir(Path reportDir, ApplyPackage pkg) {
    try {
      new ReportWriter(reportDir, SecretScanner.patternsOnly()).probe(pkg.id());
    } catch (IOException | SecurityException e) {
      String why = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
          : e instanceof AccessDeniedException || e instanceof SecurityException ? "permission denied"
          : e instanceof FileAlreadyExistsException ? "a file is in the way" : e.getClass().getSimpleName();
      throw CutterException.invalid("--report-dir " + reportDir + ": reports cannot be written there (" + why
          + "); nothing was run");
    }
  }

  /**
   * The resolver's {@code passwordFor} (the password file, for apply_role and backup_role), keeping
   * every password it handed out so that the report, stdout and stderr mask them.
   */
  static final class Passwords implements BiFunction<ConnectionSpec, String, Optional<Secret>>,
      dev.cutter.core.check.RoleRoutes.Remembering {
    private final BiFunction<ConnectionSpec, String, Optional<Secret>> lookup;
    private final Set<String> handedOut = ConcurrentHashMap.newKeySet();
    /** How this command's run reached apply_role: the rehearsal's route serves the apply and the journal. */
    private final dev.cutter.core.check.RoleRoutes routes = new dev.cutter.core.check.RoleRoutes();

    @Override
    public dev.cutter.core.check.RoleRoutes roleRoutes() {
      return routes;
    }

    Passwords(BiFunction<ConnectionSpec, String, Optional<Secret>> lookup) {
      this.lookup = lookup;
    }

    @Override
    public Optional<Secret> apply(ConnectionSpec server, String role) {
      Optional<Secret> found = lookup.apply(server, role);
      found.ifPresent(s -> handedOut.add(s.value()));
      return found;
    }

    /** {@code scanner}, also masking every password handed out so far. */
    SecretScanner addTo(SecretScanner scanner) {
      SecretScanner s = scanner;
      for (String value : handedOut) {
        s = s.withSecret("role password", value);
      }
      return s;
    }
  }

  static Steps.Backup backup(BackupSettings settings) {
    // the embedded server starts only when a package asks for the restore proof
    BackupGate gate = new BackupGate(settings.scratch().isPresent() ? settings : settings.withScratch(ProofScratch::embedded));
    return (target, pkg, runId) -> toInfo(gate.run(target, pkg.backup(), pkg.id(), runId));
  }

  static RunReport.BackupInfo toInfo(BackupResult r) {
    if (r instanceof BackupResult.Passed p) {
      return p.envelope().toBackupInfo();
    }
    BackupResult.Blocked b = (BackupResult.Blocked) r;
    String reason = b.reason() + (b.details() == null ? "" : ": " + b.details())
        + (b.quarantined().isPresent() ? " (partial file moved to " + b.quarantined().get() + ")" : "");
    return RunReport.BackupInfo.refused(reason, b.cause());
  }

  static SecretScanner scanner(ConnectionSpec... targets) {
    SecretScanner s = SecretScanner.forEnvironment(System.getenv(), System.getProperty("user.home"));
    for (ConnectionSpec t : targets) {
      if (t != null && t.password().isPresent()) {
        s = s.withSecret("connection password", t.password().get().value());
      }
      if (t != null && t.tls().keyPassword().isPresent()) {
        s = s.withSecret("sslpassword", t.tls().keyPassword().get().value());
      }
    }
    return s;
  }

  /**
   * A sink that classifies the failure, writes YAML and Markdown, and keeps what it wrote. When
   * the files cannot be written (the directory went away after the probe), the whole YAML report
   * goes to stderr instead and the run still ends with its verdict's code: a committed change is
   * never left without its report.
   */
  static final class Sink implements ApplyRun.ReportSink {
    private final Path dir;
    private final Supplier<SecretScanner> scanner;
    private final boolean showValues;
    private final PrintWriter err;
    private final AtomicReference<WrittenReport> written = new AtomicReference<>();
    /** How many statements the report's warm-up renders once the run waits on the server; 0: none. */
    private int warmUpStatements;
    private volatile ReportWarmup warmUp;
    /** The statement rows made ready once the apply's statements ended; null: none. */
    private volatile RowsAhead rowsAhead;

    /** A sink whose write failure is an error (the internal-error report of {@link #guarded}). */
    Sink(Path dir, SecretScanner scanner) {
      this(dir, () -> scanner, false, null);
    }

    /**
     * @param scanner the scanner at the time of writing (it learns the passwords the run used)
     * @param showValues keep row values quoted in server errors ({@code --show-values})
     * @param err where the report goes when it cannot be written; null: the failure is thrown
     */
    Sink(Path dir, Supplier<SecretScanner> scanner, boolean showValues, PrintWriter err) {
      this.dir = dir;
      this.scanner = scanner;
      this.showValues = showValues;
      this.err = err;
    }

    /** The run's report will list {@code statements} statements: the report's path is warmed up with as many (at most {@link ReportWarmup#MAX_STATEMENTS}). */
    Sink warmUpFor(int statements) {
      warmUpStatements = statements;
      return this;
    }

    @Override
    public void serverBusy() {
      if (warmUpStatements > 0 && warmUp == null && written.get() == null) {
        warmUp = ReportWarmup.start(warmUpStatements);
      }
    }

    @Override
    public void statementsEnded(StatementTimings timings, List<Integer> committed) {
      if (timings != null && timings.ran().size() >= RowsAhead.MIN_ROWS && written.get() == null) {
        rowsAhead = RowsAhead.start(timings, committed, scanner, showValues);
      }
    }

    /** The statement rows made ready for this sink's report, if any (tests). */
    RowsAhead rowsAhead() {
      return rowsAhead;
    }

    /** The warm-up started for this sink, if any (tests). */
    ReportWarmup warmUp() {
      return warmUp;
    }

    @Override
    public String write(RunReport run) {
      ReportWarmup warming = warmUp;
      if (warming != null) {
        warming.abandon(); // the run's own report now: the warm-up stops before its next step
      }
      // every report names the build that wrote it; a gated run adds what it measured
      RunReport report = run.provenance() != null ? run : run.withProvenance(dev.cutter.core.run.Provenance.ofBuild());
      RunReport diagnosed = new FailureClassifier().diagnose(showValues ? report : RowValues.mask(report));
      ReportWriter writer = new ReportWriter(dir, scanner(), showValues);
      ReportWriter.Rendered rendered = writer.render(diagnosed, rowsAhead);
      WrittenReport w;
      try {
        w = writer.write(rendered);
      } catch (CutterException e) {
        if (err == null) {
          throw e;
        }
        err.println(scanner().mask("cutter: " + e.getMessage()));
        err.println("cutter: the whole report follows (YAML, sha256 " + rendered.yamlSha256() + "):");
        err.print(rendered.yamlText());
        err.flush();
        w = new WrittenReport(null, null, rendered.yamlSha256(), rendered.scanned());
      }
      written.set(w);
      return w.yamlSha256();
    }

    WrittenReport written() {
      return written.get();
    }

    SecretScanner scanner() {
      return scanner.get();
    }
  }

  /** The sink of a gated verb: masks what the run's connections used, falls back to stderr. */
  static Sink sink(Path reportDir, GlobalOptions global, PrintWriter err, Passwords passwords,
      ConnectionSpec... targets) {
    warmReportClasses();
    return new Sink(reportDir, () -> passwords.addTo(scanner(targets)), global.showValues(), err);
  }

  /** Classes every gated run ends with (the YAML and JSON mappers, the renderers), loaded while the run waits on the server. */
  static final List<String> REPORT_CLASSES = List.of("dev.cutter.report.ReportCodec", "dev.cutter.report.ReportRenderer",
      "dev.cutter.report.FailureClassifier", "dev.cutter.report.ScannedReport", "dev.cutter.report.SecretScanner");

  /**
   * Initialises {@link #REPORT_CLASSES} on a daemon thread: the run spends most of its time
   * waiting for its connections, and the report's first rendering otherwise pays for loading
   * Jackson's YAML writer and the renderers after the change is done.
   */
  static Thread warmReportClasses() {
    Thread t = new Thread(() -> {
      try {
        for (String name : REPORT_CLASSES) {
          Class.forName(name, true, RunSupport.class.getClassLoader());
        }
        dev.cutter.report.ReportCodec.warm();
      } catch (ClassNotFoundException | RuntimeException | LinkageError e) {
        // nothing to do here: the report's own use of the class says what is wrong
      }
    }, "cutter-report-classes");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Prints the stdout summary (text or one JSON object) and returns the exit code. */
  static int print(PrintWriter out, GlobalOptions global, Sink sink, RunReport report) {
    WrittenReport w = sink.written();
    if (global.output() == GlobalOptions.OutputFormat.json) {
      String json = ReportCodec.summaryJson(w, sink.scanner());
      out.print(json.endsWith("\n") ? json : json + "\n");
    } else if (global.quiet()) {
      out.println(ReportRenderer.verdictLine(w.scanned().report()));
    } else {
      out.print(ReportRenderer.textSummary(w, sink.scanner()));
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
    } catch (dev.cutter.core.model.NotAPackageException e) {
      throw e; // PKG mistyped or not a package: no run to report on (no report under _unknown)
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
