package dev.cutter.cli;

import dev.cutter.backup.BackupSettings;
import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.check.CheckSessions;
import dev.cutter.core.run.ApplyRun;
import dev.cutter.core.run.RunIds;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cutter apply PKG}: the full gated run against the target. */
@Command(name = "apply", mixinStandardHelpOptions = true,
    description = "Run every gate in order — signatures and hashes, lock, P1 preflight, P2 backup — then apply the "
        + "artifact as apply_role in one transaction, verify, and write the report. Exits with the verdict's code.")
final class ApplyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin PackageArgument pkg;

  @Mixin ConnectionOptions connection;
  @Mixin ReportOptions report;
  @Mixin TrustOptions trust;

  @Mixin LockWaitOption lockWait;

  @Mixin PgDumpViaOptions pgDumpVia;

  @Option(names = "--pg-bin", paramLabel = "DIR", description = "Directory of pg_dump and pg_restore (default: PATH).")
  Path pgBin;

  @Override
  public Integer call() throws Exception {
    return RunSupport.guarded(spec.commandLine().getErr(), dev.cutter.core.run.RunMode.APPLY, report.dir(), this::run);
  }

  private Integer run() {
    DriverWarmup.start(); // classes only: nothing connects before the integrity gate
    GlobalOptions global = spec.root().commandLine().<CutterCommand>getCommand().global;
    Duration wait = lockWait.duration();
    RunSupport.Loaded loaded = PackageReadAhead.load(pkg.path()); // read while picocli parsed, if it could be
    RunSupport.requireWritableReportDir(report.dir(), loaded.pkg());
    ConnectionResolver resolver = ConnectionResolver.fromProcess();
    RunSupport.Passwords passwords = new RunSupport.Passwords(resolver::passwordFor);
    ConnectionSpec login = connection.resolve();
    Clock clock = Clock.systemUTC();
    BackupSettings bs = BackupSettings.defaults().withEnvironment(RunSupport.env());
    if (pgBin != null) {
      bs = bs.withPgBin(pgBin);
    }
    bs = bs.withPgDumpVia(pgDumpVia.resolve(trust.policy(), login));
    if (System.console() != null && !global.quiet()) {
      bs = bs.withProgress(System.err);
    }
    // P1's check sessions, reset, serve verify: no new logins after the commit
    try (CheckSessions kept = CheckSessions.forRun()) {
      ApplyRun run = new ApplyRun(RunSupport.integrity(trust, clock),
          RunSupport.checks(loaded, passwords, trust.privilegedLoginAllowed()).withLintFloor(trust.lintFloor())
              .keepingSessions(kept), RunSupport.backup(bs), clock);
      ApplyRun.Request req = new ApplyRun.Request(loaded.pkg(), loaded.scripts().changeStatements(),
          loaded.scripts().change().absorbedWrapper().isPresent(), loaded.scripts().rollbackStatements(), login,
          passwords, wait, RunMode.APPLY, RunIds.next(clock), trust.privilegedLoginAllowed());
      RunSupport.Sink sink = RunSupport.sink(report.dir(), global, spec.commandLine().getErr(), passwords, login)
          .warmUpFor(loaded.scripts().changeStatements().size());
      RunReport r = run.execute(req, sink);
      return RunSupport.print(spec.commandLine().getOut(), global, sink, r);
    }
  }
}
