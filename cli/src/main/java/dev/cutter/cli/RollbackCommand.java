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

/** {@code cutter rollback PKG}: the way back, only when its precondition holds. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = "Check signatures and hashes, take the run lock, prove the target is the approved one and that this "
        + "package was applied there (its journal row), and run the rollback artifact as apply_role in one "
        + "transaction if, and only if, every precondition holds; the rollback records its own journal row. PASS (0) when it committed, BLOCKED (3) when a gate or "
        + "the precondition refused, FAILED (4) when it failed and was rolled back.")
final class RollbackCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin PackageArgument pkg;

  @Mixin ConnectionOptions connection;
  @Mixin ReportOptions report;
  @Mixin TrustOptions trust;

  @Mixin LockWaitOption lockWait;

  @Override
  public Integer call() throws Exception {
    return RunSupport.guarded(spec.commandLine().getErr(), dev.cutter.core.run.RunMode.ROLLBACK, report.dir(), this::run);
  }

  private Integer run() {
    GlobalOptions global = spec.root().commandLine().<CutterCommand>getCommand().global;
    RunSupport.Loaded loaded = RunSupport.load(pkg.path());
    RunSupport.requireWritableReportDir(report.dir(), loaded.pkg());
    ConnectionSpec login = connection.resolve();
    Clock clock = Clock.systemUTC();
    RunSupport.Passwords passwords = new RunSupport.Passwords(ConnectionResolver.fromProcess()::passwordFor);
    SideRuns runs = new SideRuns(RunSupport.integrity(trust, clock),
        RunSupport.checks(loaded, passwords, trust.privilegedLoginAllowed()), passwords, clock,
        trust.privilegedLoginAllowed());
    RunSupport.Sink sink = RunSupport.sink(report.dir(), global, spec.commandLine().getErr(), passwords, login);
    RunReport r = runs.rollback(loaded.pkg(), loaded.scripts().rollbackStatements(), login,
        lockWait.duration(), RunIds.next(clock), sink);
    return RunSupport.print(spec.commandLine().getOut(), global, sink, r);
  }
}
