package dev.cutter.cli;

import dev.cutter.backup.BackupSettings;
import dev.cutter.cli.sandbox.EmbeddedSandbox;
import dev.cutter.cli.sandbox.SandboxServer;
import dev.cutter.cli.sandbox.SandboxSetup;
import dev.cutter.cli.sandbox.SandboxWarden;
import dev.cutter.cli.sandbox.TestcontainersSandbox;
import dev.cutter.cli.sandbox.UrlSandbox;
import dev.cutter.core.CutterException;
import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.core.integrity.ApproverKeys;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.run.ApplyRun;
import dev.cutter.core.run.RunIds;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.Steps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cutter dry-run PKG}: the whole pipeline against a throwaway server, plus a rollback rehearsal. */
@Command(name = "dry-run", mixinStandardHelpOptions = true,
    description = {"Start a throwaway PostgreSQL, run the package's sandbox.setup scripts there, then the full "
        + "pipeline (identity SKIPPED, signatures reported but not required, backup into a temporary directory) and a "
        + "rollback rehearsal. Exits with the sandbox run's verdict.",
        "A dry-run EXECUTES THE PACKAGE'S SQL, unsigned setup scripts included, on the sandbox server: setup runs as a "
        + "sandbox administrator (CREATEROLE, CREATEDB, owner of the sandbox database, not superuser) and may not "
        + "COPY to or from server-side files or programs; the artifact runs in a session logged in as apply_role."})
final class DryRunCommand implements Callable<Integer>, UsesEnvironment {

  /** The environment the backup reads (encrypt_to's ${VAR}, GNUPGHOME, HOME, PATH); tests hand their own. */
  private java.util.Map<String, String> env = System.getenv();

  @Override
  public void environment(java.util.Map<String, String> env) {
    this.env = env;
  }


  @Spec CommandSpec spec;

  @Mixin PackageArgument pkg;

  @Option(names = "--sandbox", paramLabel = "embedded|testcontainers|URL", defaultValue = "embedded",
      description = "Where to run: the embedded server (default, nothing to install), a postgres:<N> container, or a "
          + "libpq URI of a disposable server reached as a superuser (cutter creates and drops its own database and "
          + "roles, and leaves pg_execute_server_program and the server-file roles marked superuser-only there).")
  String sandbox;

  @Option(names = "--pg-version", paramLabel = "N", defaultValue = "0",
      description = "Server major for the sandbox (testcontainers: the image tag; embedded: must be the bundled major).")
  int pgVersion;

  @Option(names = "--pg-bin", paramLabel = "DIR", description = "Directory of pg_dump and pg_restore (default: PATH).")
  Path pgBin;

  @Mixin ReportOptions report;
  @Mixin TrustOptions trust;

  @Override
  public Integer call() throws Exception {
    return RunSupport.guarded(spec.commandLine().getErr(), dev.cutter.core.run.RunMode.DRY_RUN, report.dir(), this::run);
  }

  private Integer run() throws IOException {
    GlobalOptions global = spec.root().commandLine().<CutterCommand>getCommand().global;
    RunSupport.Loaded loaded = RunSupport.load(pkg.path());
    ApplyPackage p = loaded.pkg();
    RunSupport.requireWritableReportDir(report.dir(), p);
    Clock clock = Clock.systemUTC();
    String runId = RunIds.next(clock);
    Steps.Integrity integrity = RunSupport.integrity(trust, clock);
    if (!integrity.check(p, false).passed()) {
      // the hashes decide before any of the package's SQL runs, the sandbox's setup included: the
      // run stops at the integrity gate and connects nowhere, so no sandbox is started for it
      ConnectionSpec none = new ConnectionSpec("localhost", 5432, p.target().database(), p.target().applyRole(),
          Optional.empty());
      ApplyRun.Request req = new ApplyRun.Request(p, loaded.scripts().changeStatements(),
          loaded.scripts().change().absorbedWrapper().isPresent(), loaded.scripts().rollbackStatements(), none,
          (target, role) -> Optional.empty(), Duration.ZERO, RunMode.DRY_RUN, runId);
      RunSupport.Sink sink = RunSupport.sink(report.dir(), global, spec.commandLine().getErr(),
          new RunSupport.Passwords((target, role) -> Optional.empty()));
      RunReport r = new ApplyRun(integrity, null, null, clock).execute(req, sink);
      return RunSupport.print(spec.commandLine().getOut(), global, sink, r);
    }
    SandboxSetup setup = SandboxSetup.read(p);
    Path work = Files.createTempDirectory("cutter-dry-run-");
    try (SandboxServer server = start(p, runId);
        SandboxWarden warden = SandboxWarden.open(server.superuser(), roleTag(runId))) {
      server.dropAfterwards(warden.ownRoles());
      setup.run(warden.administrator(), warden);
      ConnectionSpec login = warden.afterSetup(p.target().applyRole(), p.target().backupRole());
      // the artifact, rehearsal and rollback log in as apply_role with this run's password: the
      // login is a member of no package role, so SET ROLE is never the way there
      BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor = (target, role) -> warden.passwordFor(role);
      ApplyPackage sandboxed = withSandboxBackup(p, work);
      BackupSettings bs = BackupSettings.defaults().withEnvironment(env);
      if (pgBin != null) {
        bs = bs.withPgBin(pgBin);
      } else if (server.pgBin().isPresent()) {
        bs = bs.withPgBin(Path.of(server.pgBin().get()));
      }
      ApplyRun run = new ApplyRun(integrity, RunSupport.checks(loaded, passwordFor).withLintFloor(trust.lintFloor()),
          RunSupport.backup(bs), clock);
      ApplyRun.Request req = new ApplyRun.Request(sandboxed, loaded.scripts().changeStatements(),
          loaded.scripts().change().absorbedWrapper().isPresent(), loaded.scripts().rollbackStatements(), login,
          passwordFor, Duration.ZERO, RunMode.DRY_RUN, runId);
      List<ConnectionSpec> secrets = new ArrayList<>(warden.secrets());
      secrets.add(server.superuser());
      RunSupport.Sink sink = RunSupport.sink(report.dir(), global, spec.commandLine().getErr(),
          new RunSupport.Passwords((s, role) -> Optional.empty()), secrets.toArray(ConnectionSpec[]::new));
      RunReport r = run.execute(req, sink);
      if (!global.quiet() && global.output() == GlobalOptions.OutputFormat.text) {
        spec.commandLine().getOut().println("sandbox: " + server.describe());
      }
      return RunSupport.print(spec.commandLine().getOut(), global, sink, r);
    } finally {
      deleteTree(work);
    }
  }

  private SandboxServer start(ApplyPackage p, String runId) {
    String db = p.target().database();
    return switch (sandbox) {
      case "embedded" -> EmbeddedSandbox.start(db, pgVersion);
      case "testcontainers" -> TestcontainersSandbox.start(db, pgVersion);
      default -> {
        if (!sandbox.startsWith("postgres")) {
          throw CutterException.invalid("--sandbox: expected embedded, testcontainers or a postgresql:// URI, got '"
              + sandbox + "'");
        }
        yield UrlSandbox.create(ConnectionResolver.fromProcess().resolve(sandbox), runId);
      }
    };
  }

  /** cutter's role names in the sandbox end with this: unique per run, as a shared URL server needs. */
  static String roleTag(String runId) {
    return runId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_");
  }

  /**
   * The smallest dump a dry-run accepts: the package's {@code min_bytes} is a floor for production,
   * which the sandbox (setup's data only) need not reach; the report gives the dump's real size.
   */
  static final long SANDBOX_MIN_BYTES = 1;

  /**
   * The backup of a dry-run goes to a temporary directory, encrypted to the package's own
   * recipients, resolved exactly as apply resolves them (recipient_keys, else the GnuPG keyring of
   * GNUPGHOME or ~/.gnupg; ${VAR} from the environment): a recipient apply could not find fails the
   * dry-run too. Its size floor is {@link #SANDBOX_MIN_BYTES}, not the production min_bytes.
   */
  private static ApplyPackage withSandboxBackup(ApplyPackage p, Path work) throws IOException {
    BackupPolicy b = p.backup();
    if (!b.required()) {
      return p;
    }
    Path dir = work.resolve("backups");
    BackupPolicy sandboxed = new BackupPolicy(true, b.schemas(), dir, Math.min(b.minBytes(), SANDBOX_MIN_BYTES),
        b.encryptTo(), b.recipientKeys(), b.verify()).withFormat(b.format(), b.jobs()).withCompression(b.compression());
    return new ApplyPackage(p.file(), p.directory(), p.sha256(), p.id(), p.title(), p.authorization(), p.target(),
        p.artifact(), p.preflight(), sandboxed, p.apply(), p.verify(), p.rollback(), p.sandbox(), p.source(), p.online(), p.lint());
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory; the OS cleans it
    }
  }
}
