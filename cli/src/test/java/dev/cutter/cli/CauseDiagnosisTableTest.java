package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunReport;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import dev.cutter.report.ReportCodec;
import dev.cutter.report.SecretScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link Cause} type, produced for real (the embedded server, the file system, real
 * signatures) through the real verb, with the verdict, the exit code, the cause the first failed
 * gate carries, the report's root cause and its first remediation option. Object names carry the
 * words the old diagnosis matched on (journal, lock, backup, signature, expired, already), so that
 * a diagnosis by words would show. A cause type without a row fails {@link #everyCauseHasARow}.
 */
@WithPostgres
class CauseDiagnosisTableTest {

  /** A name full of the words a diagnosis by words would trip on. */
  static final String TRAP = "journal_lock_backup_already_expired";

  /** Causes no real run can produce without a bug in cutter, with the reason. */
  static final Map<Class<?>, String> NOT_PRODUCIBLE = Map.of(
      Cause.InternalError.class, "an internal error is a bug in cutter; FailureClassifierTest covers its diagnosis",
      Cause.StatementAmongFailed.class, "the raw parser of the supported servers gives every error a position; only"
          + " running out of memory while parsing a joined message leaves none; FailureClassifierTest covers its"
          + " diagnosis");

  @TempDir static Path keys;
  @TempDir static Path otherKeys;
  static Approver approver;
  /** A key the trust policy does not list. */
  static Approver stranger;

  @TempDir Path dir;

  @BeforeAll
  static void approver() {
    approver = Approver.create(keys);
    stranger = Approver.create(otherKeys);
  }

  /** One row: the cause a real run ends with and what the report says about it. */
  record Row(Class<? extends Cause> cause, Scenario scenario, Verdict verdict, String rootCauseStart,
      String firstOption) {
    @Override
    public String toString() {
      return cause.getSimpleName();
    }
  }

  /** Sets up the target and runs the verb; returns the run's output. */
  interface Scenario {
    Cli run(Case c) throws Exception;
  }

  /** What a scenario works with: the database, a directory, an apply role made for it. */
  static final class Case {
    final TestDatabase db;
    final Path dir;
    final String role;
    /** Another role a scenario made, named {other} in the expectations. */
    String other = "";

    Case(TestDatabase db, Path dir) {
      this.db = db;
      this.dir = dir;
      this.role = db.createRole("app");
      db.execute("grant create on schema public to " + role);
    }

    String fill(String expected) {
      return expected.replace("{role}", role).replace("{other}", other);
    }

    void init() {
      Cli r = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
      assertThat(r.exit()).as(r.err()).isZero();
    }

    /** A signed package: the default YAML below with {@code edit} applied, the artifact as given. */
    Path pkg(String artifact, UnaryOperator<String> edit) {
      Path pkg = dir.resolve("pkg");
      try {
        Files.createDirectories(pkg);
        Files.writeString(pkg.resolve("change.sql"), artifact);
        String yaml = """
            apiVersion: cutter/v1
            kind: ApplyPackage
            id: causes
            title: causes
            authorization:
              ref: CHG-CAUSES
              expires_at: 2100-01-01T00:00:00Z
              risk: low
            target:
              database: %s
              system_identifier: "%s"
              apply_role: %s
            artifact:
              path: change.sql
              sha256: "%s"
            preflight: []
            backup:
              required: false
            apply:
              mode: transaction
              lock_timeout: 3s
              statement_timeout: 5min
            verify: []
            """.formatted(db.name(), Approver.systemIdentifier(db), role, Approver.sha256(artifact));
        Files.writeString(pkg.resolve("package.yaml"), edit.apply(yaml));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      approver.sign(pkg);
      return pkg;
    }

    Path pkg(String artifact) {
      return pkg(artifact, y -> y);
    }

    Cli verb(String verb, Path pkg, String... extra) {
      return verbWith(approver.trust(), verb, pkg, extra);
    }

    /** After init and {@code setup}: apply of a package with one {@code sql} check; {@code cleanup} runs after, whatever happened. */
    Cli applyWithOneSqlCheck(String cleanup, String... setup) {
      init();
      for (String sql : setup) {
        db.execute(sql);
      }
      try {
        return verb("apply", pkg(CREATE_TRAP, y -> y.replace("preflight: []",
            "preflight:\n  - sql: { name: rows, query: \"select true\", expect: true }")));
      } finally {
        db.execute(cleanup);
      }
    }

    Cli verbWith(Path trust, String verb, Path pkg, String... extra) {
      List<String> args = new ArrayList<>(List.of(verb, pkg.toString(), "--target", db.uri("postgres"), "--trust",
          trust.toString(), "--report-dir", dir.resolve("reports").toString()));
      args.addAll(List.of(extra));
      return Cli.run(args.toArray(String[]::new));
    }

    /** The trust policy with {@code extra} lines appended (and {@code require: 1} replaced as asked). */
    Path trust(UnaryOperator<String> edit) throws IOException {
      Path t = dir.resolve("trust-" + System.nanoTime() + ".yaml");
      Files.writeString(t, edit.apply(Files.readString(approver.trust())));
      return t;
    }
  }

  static void replaceIn(Path file, String from, String to) {
    try {
      String s = Files.readString(file);
      assertThat(s).contains(from);
      Files.writeString(file, s.replace(from, to));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final String CREATE_TRAP = "create table public." + TRAP + " (id int);\n";

  static Stream<Row> rows() {
    return Stream.of(
        new Row(Cause.QuorumNotMet.class, c -> {
          c.init();
          Path pkg = c.pkg(CREATE_TRAP);
          Files.delete(pkg.resolve("package.yaml.asc"));
          stranger.sign(pkg);
          return c.verb("apply", pkg);
        }, Verdict.BLOCKED,
            "The signatures on package.yaml do not meet the trust policy: 0 of 1 required distinct approvers signed"
                + " validly.",
            "Collect the missing approvals: each approver signs the exact package.yaml (cutter package sign)."),
        new Row(Cause.SignatureRefused.class, c -> {
          c.init();
          Path pkg = c.pkg(CREATE_TRAP);
          replaceIn(pkg.resolve("package.yaml"), "title: causes", "title: causes signature " + TRAP);
          return c.verb("apply", pkg);
        }, Verdict.BLOCKED,
            "Signature 1 on package.yaml is refused: an approver's key made it over other bytes of package.yaml (the file"
                + " changed after it was signed).",
            "If the change is intended: cutter package hash --drop-signatures PKG, then have it reviewed and signed again."),
        new Row(Cause.ArtifactHashMismatch.class, c -> {
          c.init();
          Path pkg = c.pkg(CREATE_TRAP);
          Files.writeString(pkg.resolve("change.sql"), CREATE_TRAP + "-- already signed, lock the journal\n");
          return c.verb("apply", pkg);
        }, Verdict.BLOCKED, "Artifact change.sql has sha256 ",
            "Restore the approved artifact (the one whose sha256 package.yaml pins) and re-run."),
        new Row(Cause.AuthorizationExpired.class, c -> {
          c.init();
          return c.verb("apply", c.pkg(CREATE_TRAP, y -> y.replace("2100-01-01T00:00:00Z", "2020-01-01T00:00:00Z")));
        }, Verdict.BLOCKED, "Authorization CHG-CAUSES expired at 2020-01-01T00:00:00Z (checked at ",
            "Obtain a fresh authorization (a new expires_at), have the package signed again, and re-run."),
        new Row(Cause.TimeoutsForbidden.class, c -> {
          c.init();
          return c.verbWith(c.trust(t -> t + "allow_timeouts_off: false\n"), "apply",
              c.pkg(CREATE_TRAP, y -> y.replace("lock_timeout: 3s", "lock_timeout: off")));
        }, Verdict.BLOCKED,
            "The trust policy forbids disabling an apply timeout (allow_timeouts_off: false), and the package sets ",
            "Set lock_timeout and statement_timeout in the package's apply section, and have it signed again."),
        new Row(Cause.TlsRequirementNotMet.class, c -> {
          Path pkg = c.pkg(CREATE_TRAP);
          String uri = c.db.uri("postgres").replace("localhost", "127.0.0.2").replace("127.0.0.1", "127.0.0.2");
          return Cli.run("apply", pkg.toString(), "--target", uri, "--trust",
              c.trust(t -> t + "tls: verify-full\n").toString(), "--report-dir", c.dir.resolve("reports").toString());
        }, Verdict.BLOCKED,
            "The trust policy requires a verified TLS connection to a target that is not local, and the connection"
                + " to 127.0.0.2 uses sslmode ",
            "Add sslmode=verify-full and sslrootcert=FILE to --target (or the service, or PGSSLMODE and"
                + " PGSSLROOTCERT)."),
        new Row(Cause.CannotConnect.class, c -> {
          Path pkg = c.pkg(CREATE_TRAP);
          String uri = c.db.uri("postgres").replace("/" + c.db.name(), "/" + c.db.name() + "_" + TRAP);
          return Cli.run("apply", pkg.toString(), "--target", uri, "--trust", approver.trust().toString(),
              "--report-dir", c.dir.resolve("reports").toString());
        }, Verdict.BLOCKED, "cutter could not connect to ",
            "Check that --target (or PGHOST, PGPORT, PGDATABASE, PGUSER) names the intended server and database."),
        new Row(Cause.RunLockHeld.class, c -> {
          c.init();
          Path pkg = c.pkg(CREATE_TRAP);
          try (Connection holder = c.db.superuser(); Statement st = holder.createStatement()) {
            st.execute("set application_name = 'backup " + TRAP + "'");
            st.execute("select pg_advisory_lock(" + 0x637574746572L + ")");
            return c.verb("apply", pkg);
          }
        }, Verdict.BLOCKED, "Another cutter run holds the advisory lock on this target (",
            "Re-run after the other run has ended."),
        new Row(Cause.PackageAlreadyConsumed.class, c -> {
          c.init();
          Path pkg = c.pkg(CREATE_TRAP);
          Cli first = c.verb("apply", pkg);
          assertThat(first.exit()).as(first.out() + first.err()).isZero();
          return c.verb("apply", pkg);
        }, Verdict.BLOCKED, "This package (sha256 ",
            "If the earlier run is the intended change, nothing is left to do: confirm it with cutter verify PKG."),
        new Row(Cause.IdentityMismatch.class, c -> {
          c.init();
          return c.verb("apply", c.pkg(CREATE_TRAP, y -> y.replace("system_identifier: \"" + Approver.systemIdentifier(
              c.db) + "\"", "system_identifier: \"7300000000000000001\"")));
        }, Verdict.BLOCKED,
            "The target is not the database the package was written for: its system_identifier is ",
            "Point --target (or the PG* environment) at the database the package names and re-run."),
        new Row(Cause.LoginRoleRefused.class, c -> {
          c.db.execute("alter role " + c.role + " nologin");
          c.init();
          return c.verb("apply", c.pkg(CREATE_TRAP));
        }, Verdict.BLOCKED, "The login role postgres holds what apply_role {role} lacks (superuser",
            "Give {role} LOGIN and a password file entry, so that cutter logs in as it."),
        new Row(Cause.MissingPrivilege.class, c -> {
          // the case: the backup role may read the journal but not its sequence
          c.init();
          String backup = c.db.createRole("backup_" + "lock");
          c.other = backup;
          c.db.execute("grant usage on schema public, cutter to " + backup + "; grant select on cutter.journal to "
              + backup + "; revoke select on sequence cutter.journal_id_seq from " + backup);
          return c.verb("preflight", c.pkg(CREATE_TRAP, y -> y
              .replace("  apply_role: " + c.role, "  apply_role: " + c.role + "\n  backup_role: " + backup)
              .replace("  required: false", "  required: true\n  scope: database\n  dir: " + c.dir.resolve("b")
                  + "\n  min_bytes: 64")));
        }, Verdict.BLOCKED, "backup_role {other} lacks SELECT on sequence cutter.journal_id_seq: pg_dump would stop"
            + " there, and a backup without those objects is no backup.",
            "Grant it: GRANT SELECT ON SEQUENCE cutter.journal_id_seq TO {other};"),
        new Row(Cause.UnwantedPrivilege.class, c -> {
          c.init();
          return c.verb("apply", c.pkg(CREATE_TRAP, y -> y.replace("preflight: []",
              "preflight:\n  - privilege: { role: " + c.role + ", lacks: [ CREATE ], schema: public }")));
        }, Verdict.BLOCKED, "Role ",
            "Revoke it as a separate approved change, then re-run this package."),
        new Row(Cause.JournalNotReady.class, c -> c.verb("apply", c.pkg(CREATE_TRAP)), Verdict.BLOCKED,
            "The target has no cutter journal (cutter.journal): cutter init was not run there.",
            "Run cutter init --grant {role} (an administrator's one-time step), then re-run this package."),
        new Row(Cause.ObjectsPresent.class, c -> {
          c.init();
          c.db.execute(CREATE_TRAP);
          return c.verb("apply", c.pkg(CREATE_TRAP, y -> y.replace("preflight: []",
              "preflight:\n  - objects_absent: { schema: public, tables: [ " + TRAP + " ] }")));
        }, Verdict.BLOCKED,
            "Objects the package creates already exist on the target: tables " + TRAP + ". The target drifted",
            "If they are the intended change, do not re-apply: confirm with cutter verify PKG."),
        new Row(Cause.ObjectsAbsent.class, c -> {
          c.init();
          return c.verb("apply", c.pkg(CREATE_TRAP, y -> y.replace("preflight: []",
              "preflight:\n  - objects_present: { schema: public, tables: [ " + TRAP + "_signature ] }")));
        }, Verdict.BLOCKED,
            "Objects the change depends on are missing on the target: tables " + TRAP + "_signature.",
            "Create them first in their own approved change, then re-run this package."),
        new Row(Cause.BaselineDiffers.class, c -> {
          c.init();
          c.db.execute(CREATE_TRAP);
          return c.verb("apply", c.pkg("create table public.other (id int);\n", y -> y.replace("preflight: []",
              "preflight:\n  - baseline: { schema: public, relations: { r: 0 } }")));
        }, Verdict.BLOCKED, "The catalog baseline differs from the one the package was written against: ",
            "If the drift is expected, re-issue the package with the new baseline (cutter baseline) after review."),
        new Row(Cause.CheckQueryDiffers.class, c -> {
          c.init();
          return c.verb("apply", c.pkg(CREATE_TRAP, y -> y.replace("preflight: []",
              "preflight:\n  - sql: { name: lock expired, query: \"select 0\", expect: 1 }")));
        }, Verdict.BLOCKED, "Check sql#1 returned 0, the package expects 1.",
            "Bring the target into the state the check requires through its own approved change, then re-run."),
        new Row(Cause.OutsideBackupScope.class, c -> {
          c.init();
          c.db.execute("create schema backup_journal; create table backup_journal.t (id int);"
              + " alter table backup_journal.t owner to " + c.role + "; grant usage on schema backup_journal to " + c.role);
          return c.verb("preflight", c.pkg("alter table backup_journal.t add column already int;\n", y -> y
              .replace("  required: false", "  required: true\n  scope: { schemas: [ public ] }\n  dir: "
                  + c.dir.resolve("b") + "\n  min_bytes: 64")));
        }, Verdict.BLOCKED, "The change touches schema backup_journal, outside the backup scope",
            "Add the schema to backup.scope (or use scope: database) and have the package signed again."),
        new Row(Cause.NotInAnyBackup.class, c -> {
          c.init();
          c.db.execute("create extension if not exists dblink; create table public.kept (id int);"
              + " alter extension dblink add table public.kept; alter table public.kept owner to " + c.role);
          return c.verb("preflight", c.pkg("delete from public.kept;\n", y -> y
              .replace("  required: false", "  required: true\n  dir: " + c.dir.resolve("b") + "\n  min_bytes: 64")));
        }, Verdict.BLOCKED, "The change destroys rows of public.kept, which no backup holds",
            "Take the table out of its extension (ALTER EXTENSION … DROP TABLE) through its own approved change, then re-run."),
        new Row(Cause.NameUnproven.class, c -> {
          c.init();
          return c.verb("preflight", c.pkg("set search_path = \"$user\", public;\ncreate table " + TRAP + "_n (id int);\n"));
        }, Verdict.BLOCKED, "The artifact names statement 2 (line 2): table " + TRAP + "_n unqualified after setting its own search_path",
            "Write the name schema-qualified (schema.name) in the artifact and have the package signed again."),
        new Row(Cause.TargetChangedSinceP1.class, c -> {
          // a session in the way while cutter waits (--lock-wait), which alters the table and commits: the
          // blockers gate then lets the run through, and the catalog re-check at BEGIN sees the change
          c.init();
          c.db.execute(CREATE_TRAP + "alter table public." + TRAP + " owner to " + c.role);
          Path pkg = c.pkg("alter table public." + TRAP + " add column signature text;\n");
          try (Connection holder = c.db.superuser(); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("lock table public." + TRAP + " in access share mode");
            Thread sneak = new Thread(() -> {
              try {
                Thread.sleep(2500);
                st.execute("alter table public." + TRAP + " add column sneaked int");
                holder.commit();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
            sneak.start();
            Cli r = c.verb("apply", pkg, "--lock-wait", "60s");
            sneak.join();
            return r;
          }
        }, Verdict.BLOCKED,
            "The change did not begin: the relations the change touches changed between the preflight and BEGIN.",
            "Re-run in a quieter window (the package can run again as it is)."),
        new Row(Cause.SessionsInTheWay.class, c -> {
          c.init();
          c.db.execute(CREATE_TRAP + "alter table public." + TRAP + " owner to " + c.role);
          Path pkg = c.pkg("alter table public." + TRAP + " add column signature text;\n");
          try (Connection holder = c.db.superuser(); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("set application_name = 'backup journal lock'");
            st.execute("lock table public." + TRAP + " in access share mode");
            return c.verb("apply", pkg);
          }
        }, Verdict.BLOCKED, "Sessions were in the way of the locks the change takes (pid ",
            "Re-run with --lock-wait DURATION to wait until they are gone."),
        new Row(Cause.LockHazardsDenied.class, c -> {
          c.init();
          c.db.execute(CREATE_TRAP + "alter table public." + TRAP + " owner to " + c.role);
          return c.verb("apply", c.pkg("create index " + TRAP + "_signature on public." + TRAP + " (id);\n"));
        }, Verdict.BLOCKED, "The change takes locks the lint policy denies (index-not-concurrent)",
            "Use the safe form of each statement named in the Lock hazards section (e.g. CREATE INDEX CONCURRENTLY in"
                + " an online step, NOT VALID then VALIDATE CONSTRAINT), and have the package signed again."),
        new Row(Cause.LintFloorBroken.class, c -> {
          c.init();
          return c.verbWith(c.trust(t -> t + "lint:\n  floor: [ index-not-concurrent ]\n"), "apply",
              c.pkg(CREATE_TRAP, y -> y + "lint:\n  allow: [ index-not-concurrent ]\n"));
        }, Verdict.BLOCKED,
            "The package allows lock-hazard rules (index-not-concurrent) that this host's trust policy denies to every"
                + " package (lint.floor).",
            "Remove index-not-concurrent from lint.allow, change the statements (docs/lock-safety.md), and have the"
                + " package signed again."),
        new Row(Cause.OnlineStepFailed.class, c -> {
          c.init();
          String online = "create unique index concurrently " + TRAP + "_u on public." + TRAP + " (id);\n";
          return c.verb("apply", c.pkg(CREATE_TRAP + "insert into public." + TRAP + " values (1), (1);\n", y -> {
            try {
              Files.writeString(c.dir.resolve("pkg").resolve("online.sql"), online);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            return y + "online:\n  path: online.sql\n  sha256: \"" + Approver.sha256(online) + "\"\n";
          }));
        }, Verdict.ESCALATE,
            "The target is not in the state the package promised and was not restored: The change committed, but its"
                + " online step stopped at statement 1 of 1 (SQLSTATE 23505); 0 of 1 online statements ran.",
            // an ESCALATE opens with the person's decision; the online step's own way out follows
            "Compare the target with the report's baselines and checks and decide, with the approver, what it should"
                + " be."),
        new Row(Cause.BackupRefused.class, c -> {
          c.init();
          Path notADir = c.dir.resolve("backup-" + TRAP);
          Files.writeString(notADir, "a file where the backup directory should be");
          return c.verb("apply", c.pkg(CREATE_TRAP, y -> y.replace("  required: false",
              "  required: true\n  scope: { schemas: [ public ] }\n  dir: " + notADir + "\n  min_bytes: 64")));
        }, Verdict.BLOCKED, "The backup directory cannot take the backup (",
            "Make backup.dir exist, owned by the user cutter runs as and writable by it alone, then re-run."),
        new Row(Cause.RestoreProofFailed.class, c -> {
          c.init();
          // a policy naming a role the scratch server does not have: the archive cannot be restored there
          String only = c.db.createRole("only_here", "nologin");
          c.db.execute("create table public." + TRAP + "_src (id int); insert into public." + TRAP + "_src values (1);"
              + "alter table public." + TRAP + "_src enable row level security;"
              + "create policy p on public." + TRAP + "_src to " + only + " using (true)");
          return c.verb("apply", c.pkg(CREATE_TRAP, y -> y.replace("  required: false",
              "  required: true\n  scope: { schemas: [ public ] }\n  dir: " + c.dir.resolve("backups") + "\n  verify: restore")));
        }, Verdict.BLOCKED, "The backup could not be restored into a scratch database: the archive is not a usable backup as"
            + " it stands",
            "Restore the quarantined archive by hand (pg_restore --exit-on-error) to read the server's message, fix what"
                + " the restore needs (extensions, roles a policy names) and re-run."),
        new Row(Cause.SqlError.class, c -> {
          c.init();
          c.db.execute(CREATE_TRAP);
          return c.verb("apply", c.pkg("create table public.ok (id int);\n" + CREATE_TRAP));
        }, Verdict.FAILED, "an object the artifact creates already exists on the target: the target drifted since the"
            + " package was written, or the change was already made by other means. Statement 2 (line 2) failed with"
            + " SQLSTATE 42P07",
            "If the existing object is the intended change, record that and do not re-apply; re-issue the package"
                + " without the statements that create it."),
        new Row(Cause.LexingSettingChanged.class, c -> {
          c.init();
          c.db.execute("create table public." + TRAP + " (id int); alter table public." + TRAP + " owner to " + c.role);
          // a DEFAULT the ALTER evaluates turns standard_conforming_strings off (its name hidden); the
          // split, the listing and the review read statement 3 as one SELECT of a string, the server
          // would now read a SELECT and a DROP
          Cli r = c.verb("apply", c.pkg("create function public.flip() returns int language plpgsql stable as $$ begin"
              + " execute 'select set_' || 'config($1, $2, false)' using 'standard_' || 'conforming_strings', 'off';"
              + " return 1; end $$;\n"
              + "alter table public." + TRAP + " add column x int default public.flip();\n"
              + "select 'a\\''; drop table public." + TRAP + "; --';\n"));
          assertThat(c.db.queryValue("select count(*) from public." + TRAP)).isEqualTo("0");
          return r;
        }, Verdict.FAILED, "Statement 3 (change.sql:3) was not sent: it was split with standard_conforming_strings on,"
            + " but the server reported off after the statements before it ran",
            "Find the function an earlier statement runs (a DEFAULT, a CHECK, an index expression) that calls set_config"
                + " on standard_conforming_strings, remove that call, and re-issue the package."),
        new Row(Cause.OutcomeUnknown.class, c -> {
          c.init();
          Path pkg = c.pkg("select pg_sleep(3) as already_expired;\n", y -> y.replace("mode: transaction",
              "mode: autocommit"));
          Thread killer = new Thread(() -> {
            try {
              Thread.sleep(1500);
              c.db.execute("select pg_terminate_backend(pid) from pg_stat_activity where query like"
                  + " '%already_expired%' and pid <> pg_backend_pid()");
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
          killer.start();
          Cli r = c.verb("apply", pkg);
          killer.join();
          return r;
        }, Verdict.ESCALATE, "The connection to the server was lost while a statement ran in autocommit mode",
            "Run cutter verify PKG: if it holds, the change is in place."),
        new Row(Cause.VerificationFailed.class, c -> {
          c.init();
          return c.verb("verify", c.pkg(CREATE_TRAP, y -> y.replace("verify: []",
              "verify:\n  - objects_present: { schema: public, tables: [ " + TRAP + " ] }")));
        }, Verdict.BLOCKED, "Verification failed: check objects_present#1 did not hold.",
            "If the change is missing, re-run the package after finding why it did not land."),
        new Row(Cause.ChangeRolledBack.class, c -> {
          c.init();
          String drop = "drop table public." + TRAP + ";\n";
          Path pkg = c.pkg(CREATE_TRAP, y -> y.replace("verify: []",
              "verify:\n  - objects_present: { schema: public, tables: [ " + TRAP + " ] }")
              + "rollback:\n  artifact: { path: rollback.sql, sha256: \"" + Approver.sha256(drop) + "\" }\n"
              + "  precondition:\n    - objects_present: { schema: public, tables: [ " + TRAP + " ] }\n");
          Files.writeString(pkg.resolve("rollback.sql"), drop);
          assertThat(c.verb("apply", pkg).exit()).isZero();
          assertThat(c.verb("rollback", pkg).exit()).isZero();
          return c.verb("verify", pkg);
        }, Verdict.BLOCKED, "The change was rolled back: cutter rollback run ",
            "Nothing to do if the rollback was meant: the target is as it was before the change."),
        new Row(Cause.RollbackRefused.class, c -> {
          c.init();
          return c.verb("rollback", c.pkg(CREATE_TRAP));
        }, Verdict.BLOCKED, "cutter rollback refused: the package has no rollback section.",
            "Write a rollback for this change as its own approved package."),
        new Row(Cause.CheckCanOpenSessions.class, c -> {
          c.init();
          c.db.execute("create extension if not exists dblink");
          return c.verb("apply", c.pkg(CREATE_TRAP, y -> y.replace("preflight: []",
              "preflight:\n  - sql: { name: rows, query: \"select true\", expect: true }")));
        }, Verdict.BLOCKED, "The package's SQL checks were not run: {role} may execute public.dblink(text)",
            "Revoke EXECUTE on public.dblink(text) (or on the dblink extension's functions) from {role} and PUBLIC,"
                + " or drop the extension: a check runs as {role} and must not reach a session that can write."),
        new Row(Cause.CheckCanUseForeignServer.class, c -> c.applyWithOneSqlCheck("drop server cause_table_loop cascade",
            "create extension if not exists postgres_fdw",
            "create server if not exists cause_table_loop foreign data wrapper postgres_fdw",
            "create user mapping if not exists for public server cause_table_loop"), Verdict.BLOCKED, "The package's SQL checks were not run: {role} can read foreign tables of the server"
            + " cause_table_loop (postgres_fdw)",
            "Drop the user mappings on cause_table_loop that {role} can reach: a check runs as {role} and must not reach"
                + " a session that can write."),
        // owned by the superuser the tests connect as; EXECUTE goes to PUBLIC by default
        new Row(Cause.CheckCanWriteServerFiles.class, c -> c.applyWithOneSqlCheck("drop function public.journal_lock_export()",
            "create or replace function public.journal_lock_export() returns int language sql security definer as 'select 1'"),
            Verdict.BLOCKED, "The package's SQL checks were not run: {role} may execute public.journal_lock_export(),"
            + " whose code runs as a superuser",
            "Give public.journal_lock_export() an owner that is no superuser and may not write the server's files, or"
                + " revoke EXECUTE on it from {role} and PUBLIC: a check runs as {role} and must not reach code that can"
                + " write."),
        // EXECUTE on pg_logical_emit_message goes to PUBLIC by default; a logical slot of the target's database
        new Row(Cause.CheckCanEmitLogicalMessages.class, c -> c.applyWithOneSqlCheck(
            "select pg_drop_replication_slot('cause_table_slot')",
            "set statement_timeout = '60s'; select pg_create_logical_replication_slot('cause_table_slot', 'test_decoding')"),
            Verdict.BLOCKED, "The package's SQL checks were not run: {role} may execute"
            + " pg_logical_emit_message(boolean,text,text), which writes a logical decoding message to the WAL at once",
            "Revoke EXECUTE on pg_catalog.pg_logical_emit_message (each of its forms) from {role} and PUBLIC, or on the"
                + " SECURITY DEFINER function that leads there: a check runs as {role} and must not reach a write that"
                + " outlives its rollback."),
        new Row(Cause.InvalidCheck.class, c -> {
          c.init();
          return c.verb("apply", c.pkg(CREATE_TRAP, y -> y.replace("preflight: []",
              "preflight:\n  - sql: { name: backup lock, query: \"select pg_catalog.txid_current() > 0\", expect: true }")));
        }, Verdict.BLOCKED, "Check sql#1 cannot run as written",
            "Correct the check (type, arguments, one read-only query) and re-issue the package."));
  }

  /** The rows that need no pg_dump of the server's major (the restore proof's does: it dumps). */
  static Stream<Row> rowsWithoutPgDump() {
    return rows().filter(r -> r.cause() != Cause.RestoreProofFailed.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rowsWithoutPgDump")
  void eachCauseIsProducedAndDiagnosedForReal(Row row, TestDatabase db) throws Exception {
    producedAndDiagnosed(row, db);
  }

  /** The restore proof's row: tagged as every test that needs this machine's pg_dump to dump the server. */
  @Test
  @Tag("pgdump")
  void aRestoreProofFailureIsProducedAndDiagnosedForReal(TestDatabase db) throws Exception {
    producedAndDiagnosed(rows().filter(r -> r.cause() == Cause.RestoreProofFailed.class).findFirst().orElseThrow(), db);
  }

  /**
   * The target changed after BEGIN, as the change ran (R41): another session creates the relation the
   * change's CREATE … IF NOT EXISTS then creates nothing for. The report says what cutter found, with the
   * same exit code as before, and no SQLSTATE the server never sent (42P07 was once made up for it). The
   * other session's table stays: the baseline differs, ESCALATE.
   */
  @Test
  void aRelationAnotherSessionCreatesAfterBeginIsDiagnosedAsWhatCutterFound(TestDatabase db) throws Exception {
    Cli run = producedAndDiagnosed(new Row(Cause.TargetChangedSinceP1.class, CauseDiagnosisTableTest::createdMeanwhile,
        Verdict.ESCALATE, "Relation public." + TRAP + ", which the change creates and which was absent at the"
            + " preflight and at BEGIN, was created by another session after BEGIN, not by the change",
        "Compare baseline_before and baseline_after below and find the session that made the difference"
            + " (pg_stat_activity, server log)."), db);
    assertThat(run.exit()).as("as before: ESCALATE").isEqualTo(6);
    String yaml = run.out().lines().filter(l -> l.startsWith("report: ") && l.endsWith(".yaml")).findFirst()
        .map(l -> Path.of(l.substring("report: ".length()))).map(CauseDiagnosisTableTest::read).orElseThrow();
    assertThat(yaml).contains("was created by another session after BEGIN").doesNotContain("42P07");
    assertThat(run.out() + run.err()).doesNotContain("42P07");
  }

  /**
   * The change sleeps, then creates {@code public.TRAP} if it does not exist and writes it; another
   * session creates that table while the change sleeps (after BEGIN).
   */
  private static Cli createdMeanwhile(Case c) throws Exception {
    c.init();
    Path pkg = c.pkg("select pg_sleep(1.5);\ncreate table if not exists public." + TRAP + " (id int);\n"
        + "insert into public." + TRAP + " values (1);\n");
    Thread meanwhile = new Thread(() -> {
      long end = System.nanoTime() + 30_000_000_000L;
      while (System.nanoTime() < end && c.db.queryValue("select count(*) from pg_stat_activity where state = 'active'"
          + " and query like '%pg_sleep(1.5)%' and pid <> pg_backend_pid()").equals("0")) {
        Thread.onSpinWait();
      }
      c.db.execute("create table public." + TRAP + " (id int)");
    });
    meanwhile.start();
    try {
      return c.verb("apply", pkg);
    } finally {
      meanwhile.join();
      assertThat(c.db.queryValue("select count(*) from public." + TRAP)).as("the change's INSERT rolled back").isEqualTo("0");
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Cli producedAndDiagnosed(Row row, TestDatabase db) throws Exception {
    Case c = new Case(db, dir);
    Cli run = row.scenario().run(c);

    assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(row.verdict().exitCode());
    RunReport report = report(run);
    assertThat(report.verdict()).isEqualTo(row.verdict());
    GateResult failed = report.gates().stream().filter(g -> g.status() == GateStatus.FAIL).findFirst().orElseThrow();
    // each visitor method of the diagnosis opens with its own words: the start names the cause type
    assertThat(report.rootCause()).as(failed.id()).startsWith(c.fill(row.rootCauseStart()));
    if (row.cause() != Cause.PackageAlreadyConsumed.class) {
      assertThat(report.rootCause()).doesNotContain("already in this target's journal", "consumed once");
    }
    assertThat(report.remediation().get(0).action()).isEqualTo(c.fill(row.firstOption()));
    return run;
  }

  @Test
  void everyCauseHasARow() {
    Set<Class<?>> types = new LinkedHashSet<>();
    collect(Cause.class, types);
    Set<Class<?>> covered = rows().map(Row::cause).collect(Collectors.toSet());
    covered.addAll(NOT_PRODUCIBLE.keySet());

    assertThat(types).isNotEmpty().allSatisfy(t -> assertThat(covered).as("a row for " + t.getSimpleName())
        .contains(t));
  }

  private static void collect(Class<?> type, Set<Class<?>> out) {
    Class<?>[] permitted = type.getPermittedSubclasses();
    if (permitted == null) {
      out.add(type);
      return;
    }
    Arrays.stream(permitted).forEach(p -> collect(p, out));
  }

  private static RunReport report(Cli run) {
    String path = run.out().lines().filter(l -> l.startsWith("report: ") && l.endsWith(".yaml")).findFirst()
        .orElseThrow(() -> new AssertionError("no report in: " + run.out() + run.err())).substring("report: ".length());
    return ReportCodec.read(Path.of(path), SecretScanner.patternsOnly()).report();
  }
}
