package dev.cutter.cli;

import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.run.RunIds;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.SideRuns;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cutter verify PKG}: did the change land as the package promises? */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Check signatures and hashes, prove the target is the approved one (system identifier, database), "
        + "then run the package's verify checks against it, read-only, and write a report. "
        + "Exits 0 when every check holds, 3 when a gate or any check does not.")
final class VerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin PackageArgument pkg;

  @Mixin ConnectionOptions connection;
  @Mixin ReportOptions report;
  @Mixin TrustOptions trust;

  @Override
  public Integer call() throws Exception {
    return RunSupport.guarded(spec.commandLine().getErr(), dev.cutter.core.run.RunMode.VERIFY, report.dir(), this::run);
  }

  private Integer run() {
    GlobalOptions global = spec.root().commandLine().<CutterCommand>getCommand().global;
    RunSupport.Loaded loaded = RunSupport.load(pkg.path());
    RunSupport.requireWritableReportDir(report.dir(), loaded.pkg());
    ConnectionSpec target = connection.resolve();
    Clock clock = Clock.systemUTC();
    RunSupport.Passwords passwords = new RunSupport.Passwords(ConnectionResolver.fromProcess()::passwordFor);
    SideRuns runs = new SideRuns(RunSupport.integrity(trust, clock), RunSupport.checks(loaded, passwords), passwords,
        clock);
    RunReport r = runs.verify(loaded.pkg(), target, RunIds.next(clock));
    RunSupport.Sink sink = RunSupport.sink(report.dir(), global, spec.commandLine().getErr(), passwords, target);
    sink.write(r);
    PreflightCommand.printChecks(spec.commandLine().getOut(), global, sink);
    return RunSupport.print(spec.commandLine().getOut(), global, sink, r);
  }
}
