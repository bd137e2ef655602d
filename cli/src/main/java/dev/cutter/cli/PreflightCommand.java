package dev.cutter.cli;

import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.PreflightRun;
import dev.cutter.core.run.RunIds;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cutter preflight PKG}: the gates before any change, read-only: load, integrity
 * (signatures, hashes, expiry) and P1 (identity, journal, the package's checks, the privileges the
 * artifact needs). Prints one line per gate and check, writes the report, and exits 0 when every
 * one holds, 3 when any does not.
 */
@Command(name = "preflight", mixinStandardHelpOptions = true,
    description = "Run the integrity gates and the P1 preflight checks against the target, read-only; no backup, no "
        + "change. Writes a report. Exits 0 when everything holds, 3 when anything does not.")
final class PreflightCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PKG", description = "The package's package.yaml or its directory.")
  Path pkg;

  @Mixin ConnectionOptions connection;

  @Mixin TrustOptions trust;

  @Mixin ReportOptions report;

  @Option(names = "--sarif", paramLabel = "FILE",
      description = "Also write the failed checks, lock hazards and missing privileges as SARIF 2.1.0 to FILE (for code"
          + " scanning), located in the package's files.")
  Path sarif;

  @Option(names = "--unsigned",
      description = "Look at the target before the package is signed: signatures are reported, not required, and only"
          + " cutter's built-in catalog checks and the derived checks run (never sql checks, the rehearsal or installed"
          + " check types). The report says UNSIGNED: not an authorization.")
  boolean unsigned;

  @Override
  public Integer call() throws Exception {
    return RunSupport.guarded(spec.commandLine().getErr(), RunMode.PREFLIGHT, report.dir(), this::run);
  }

  private Integer run() {
    GlobalOptions global = spec.root().commandLine().<CutterCommand>getCommand().global;
    RunSupport.Loaded loaded = RunSupport.load(pkg);
    RunSupport.requireWritableReportDir(report.dir(), loaded.pkg());
    ConnectionSpec target = connection.resolve();
    Clock clock = Clock.systemUTC();
    RunSupport.Passwords passwords = new RunSupport.Passwords(ConnectionResolver.fromProcess()::passwordFor);
    dev.cutter.core.check.Preflight checks =
        RunSupport.checks(loaded, passwords, trust.privilegedLoginAllowed()).withLintFloor(trust.lintFloor());
    PreflightRun run = new PreflightRun(RunSupport.integrity(trust, clock), unsigned ? checks.unsigned() : checks, clock);
    RunReport r = run.run(loaded.pkg(), target, RunIds.next(clock),
        unsigned ? RunMode.UNSIGNED_PREFLIGHT : RunMode.PREFLIGHT);
    RunSupport.Sink sink = RunSupport.sink(report.dir(), global, spec.commandLine().getErr(), passwords, target);
    sink.write(r);
    if (sarif != null && sink.written() != null) {
      SarifOutput.write(sarif, SarifOutput.render(sink.written().scanned(), loaded.pkg(), r, sink.scanner()));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (unsigned && global.output() == GlobalOptions.OutputFormat.text) {
      out.println("UNSIGNED: not an authorization: " + PreflightRun.UNSIGNED_NOTE);
    }
    printChecks(out, global, sink);
    return RunSupport.print(out, global, sink, r);
  }

  /**
   * In text output, a line per gate and check of the written (masked) report, before the
   * summary: what preflight and verify show the operator at once.
   */
  static void printChecks(PrintWriter out, GlobalOptions global, RunSupport.Sink sink) {
    if (global.output() == GlobalOptions.OutputFormat.text && !global.quiet() && sink.written() != null) {
      for (GateResult g : sink.written().scanned().report().gates()) {
        if (g.checks().isEmpty()) {
          out.println(line(g.status().name(), g.id(), g.expected(), g.actual(), g.message()));
        }
        g.checks().forEach(c -> out.println(line(c)));
      }
    }
  }

  /** {@code PASS identity  expected … actual …}, then the message when there is one. */
  static String line(CheckResult r) {
    return line(r.status().name(), r.id(), r.expected(), r.actual(), r.message());
  }

  private static String line(String status, String id, String expected, String actual, String message) {
    StringBuilder b = new StringBuilder(String.format("%-7s %s", status, id));
    if (expected != null) {
      b.append("  expected ").append(expected);
    }
    if (actual != null) {
      b.append("  actual ").append(actual);
    }
    if (message != null) {
      b.append(expected == null && actual == null ? "  " : "  — ").append(message);
    }
    return b.toString();
  }
}
