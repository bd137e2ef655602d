package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.backup.BackupResult.Blocked;
import dev.cutter.backup.BackupResult.Passed;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.via.PgDumpVia;
import dev.cutter.fixtures.PrivateCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pg_dump and pg_restore run through a command prefix (as {@code docker exec -i -e PGPASSWORD
 * CONTAINER} would run them where the server lives). A script stands in for the prefix: it records
 * its argv and the NAMES of its environment variables (and whether PGPASSWORD is set, never its
 * value), then, like a container, runs the program with only PATH and the forwarded PGPASSWORD.
 * The target takes passwords only (scram-sha-256 over TCP), so a dump that passes got its password.
 */
@Tag("pgdump")
class PgDumpViaBackupTest {

  private static final String PASSWORD = "via-secret-7c41";
  private static final String ROLE = "backup_reader";

  private static PrivateCluster target;
  private static PrivateCluster other;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    target = PrivateCluster.startOrSkip(new PrivateCluster.Options("localhost", 0, false, List.of(
        "local all all trust", "host all all 127.0.0.1/32 scram-sha-256", "host all all ::1/128 scram-sha-256")));
    other = PrivateCluster.startOrSkip(PrivateCluster.Options.plain().listening(""));
    for (PrivateCluster c : List.of(target, other)) {
      c.psql("postgres", "create role " + ROLE + " login password '" + PASSWORD + "'");
      c.psql("postgres", "create database shop");
      c.psql("shop", "create schema shop; create table shop.orders(id int primary key, note text);"
          + "insert into shop.orders select g, md5(g::text) from generate_series(1, 500) g;"
          + "grant usage on schema shop to " + ROLE + "; grant select on all tables in schema shop to " + ROLE);
    }
  }

  @AfterAll
  static void stop() {
    for (PrivateCluster c : new PrivateCluster[] {target, other}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /** The script standing in for docker exec; {@code versionLine}: what it answers to {@code pg_dump --version} (null: the real one). */
  private Path prefixScript(String versionLine) throws IOException {
    return prefixScript(versionLine, "PATH|PGPASSWORD");
  }

  /** As above; {@code forwarded}: the variables (a case pattern) the program gets, as docker exec -e would forward them. */
  private Path prefixScript(String versionLine, String forwarded) throws IOException {
    Path calls = Files.createDirectories(tmp.resolve("calls"));
    String fake = versionLine == null ? "" : """
        case "$5 $6" in
          */pg_dump\\ --version|pg_dump\\ --version) echo '%s'; exit 0 ;;
        esac
        """.formatted(versionLine);
    Path script = tmp.resolve("fake-exec");
    Files.writeString(script, """
        #!/bin/bash
        # stands in for: docker exec -i -e PGPASSWORD CONTAINER PROGRAM ARGS...
        log="%s/$$.log"
        {
          printf 'argv'; for a in "$@"; do printf '\\t%%s' "$a"; done; printf '\\n'
          printf 'env'; for n in $(compgen -e | sort); do printf '\\t%%s' "$n"; done; printf '\\n'
          if [ -n "${PGPASSWORD+x}" ]; then echo 'PGPASSWORD set'; else echo 'PGPASSWORD unset'; fi
        } > "$log"
        %s
        shift 4
        # like a container: the program sees PATH and the variables forwarded by name, nothing else
        for n in $(compgen -e); do case "$n" in %s) ;; *) unset "$n" ;; esac; done
        exec "$@"
        """.formatted(calls, fake, forwarded));
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  /** One recorded run of the prefix: its argv (after the script's own name), its variables' names, whether PGPASSWORD was set. */
  private record Call(List<String> argv, List<String> environmentNames, boolean passwordSet) {}

  private List<Call> calls() throws IOException {
    List<Call> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(tmp.resolve("calls"))) {
      for (Path f : files.sorted().toList()) {
        List<String> lines = Files.readAllLines(f);
        List<String> argv = Arrays.asList(lines.get(0).split("\t", -1));
        List<String> env = Arrays.asList(lines.get(1).split("\t", -1));
        out.add(new Call(argv.subList(1, argv.size()), env.subList(1, env.size()), lines.get(2).equals("PGPASSWORD set")));
      }
    }
    return out;
  }

  private static Call only(List<Call> calls, String program, String firstArgument) {
    List<Call> matching = calls.stream().filter(c -> c.argv().size() > 5 && c.argv().get(4).endsWith(program)
        && c.argv().get(5).equals(firstArgument)).toList();
    assertThat(matching).as("one run of %s %s in %s", program, firstArgument, calls).hasSize(1);
    return matching.get(0);
  }

  private static String program(String name) {
    return PgDumpSupport.pgBin().map(d -> d.resolve(name).toString()).orElse(name);
  }

  private BackupGate gate(PgDumpVia via) {
    BackupSettings s = BackupSettings.defaults().withEnvironment(BackupGateTest.env(Map.of())).withProgress(null)
        .withPgDumpVia(Optional.of(via));
    return new BackupGate(PgDumpSupport.pgBin().map(s::withPgBin).orElse(s));
  }

  private static ConnectionSpec cutterConnection() {
    return new ConnectionSpec("localhost", target.port(), "shop", ROLE, Optional.of(new Secret(PASSWORD)));
  }

  private BackupPolicy policy() {
    return BackupGateTest.policy(List.of("shop"), tmp.resolve("backups"), 1, List.of(), Optional.empty());
  }

  @Test
  void dumpsThroughThePrefixWithThePasswordInItsEnvironmentAndNeverInArgv() throws Exception {
    Path script = prefixScript(null);
    PgDumpVia via = PgDumpVia.parse(script + " -i -e PGPASSWORD box", Optional.of("127.0.0.1"),
        OptionalInt.of(target.port()), "--pg-dump-via");

    BackupResult result = gate(via).run(cutterConnection(), policy(), "via", "20261205T000000Z-0001");

    assertThat(result).as("result %s", result).isInstanceOf(Passed.class);
    BackupEnvelope e = ((Passed) result).envelope();
    assertThat(e.systemIdentifier()).isEqualTo(target.systemIdentifier());
    assertThat(e.tableDataEntries()).isEqualTo(1);

    List<Call> calls = calls();
    assertThat(calls).as("pg_dump --version, pg_restore --version, pg_dump, pg_restore --list").hasSize(4);
    List<String> prefix = List.of("-i", "-e", "PGPASSWORD", "box");
    Call dump = only(calls, "pg_dump", "--format=custom");
    List<String> dumpArgv = dump.argv().stream().map(a -> a.matches("--snapshot=[0-9A-F]+-[0-9A-F]+-\\d+") ? "--snapshot=ID" : a)
        .toList();
    List<String> expected = new ArrayList<>(prefix);
    expected.addAll(List.of(program("pg_dump"), "--format=custom", "--no-password", "--snapshot=ID", "--strict-names",
        "--schema=\"shop\"", "--dbname=host='127.0.0.1' port='" + target.port() + "' dbname='shop' user='" + ROLE
            + "' sslmode='prefer' gssencmode='disable' application_name='cutter pg_dump' connect_timeout='10'"));
    assertThat(dumpArgv).as("pg_dump's exact argv: the prefix, the program, the connection without a secret")
        .isEqualTo(expected);
    assertThat(dump.passwordSet()).as("the password reached pg_dump's prefix in its environment").isTrue();
    assertThat(dump.environmentNames()).contains("PGPASSWORD", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE");

    Call list = only(calls, "pg_restore", "--list");
    assertThat(list.argv()).isEqualTo(concat(prefix, program("pg_restore"), "--list", "--verbose"));
    assertThat(list.passwordSet()).as("pg_restore --list connects nowhere: no password").isFalse();
    assertThat(list.environmentNames()).noneMatch(n -> n.startsWith("PG"));
    for (String tool : List.of("pg_dump", "pg_restore")) {
      Call version = only(calls, tool, "--version");
      assertThat(version.argv()).as("the version check asks the prefixed %s", tool)
          .isEqualTo(concat(prefix, program(tool), "--version"));
      assertThat(version.passwordSet()).isFalse();
    }
    assertThat(calls).flatMap(Call::argv).as("no secret in any argv").noneMatch(a -> a.contains(PASSWORD));
    try (Stream<Path> logs = Files.list(tmp.resolve("calls"))) {
      for (Path log : logs.toList()) {
        assertThat(Files.readString(log)).doesNotContain(PASSWORD);
      }
    }
  }

  /**
   * Through a prefix, a restore proof's pg_restore still runs on this host, taken from PATH, with
   * the scratch server's password: one there that another user could have planted is refused
   * before anything runs, as without a prefix (B10).
   */
  @Test
  void theLocalPgRestoreAProofWouldRunIsHeldToTheSameRuleThroughAPrefix() throws Exception {
    Path script = prefixScript(null);
    PgDumpVia via = PgDumpVia.parse(script + " -i -e PGPASSWORD box", Optional.of("127.0.0.1"),
        OptionalInt.of(target.port()), "--pg-dump-via");
    Path shared = Files.createDirectory(tmp.resolve("shared-bin"));
    Path ran = tmp.resolve("ran");
    Path fake = shared.resolve("pg_restore");
    Files.writeString(fake, "#!/bin/sh\nenv > " + ran + "\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    Map<String, String> env = BackupGateTest.env(Map.of());
    env.put("PATH", shared + ":" + env.get("PATH"));
    BackupSettings s = BackupSettings.defaults().withEnvironment(env).withProgress(null).withPgDumpVia(Optional.of(via));

    BackupPolicy proven = policy().withVerify(BackupPolicy.Verify.RESTORE);

    BackupResult result = new BackupGate(PgDumpSupport.pgBin().map(s::withPgBin).orElse(s))
        .run(cutterConnection(), proven, "via", "20261205T000000Z-0009");

    assertThat(result).isInstanceOfSatisfying(Blocked.class, b -> {
      assertThat(b.kind()).isEqualTo(Cause.BackupRefusal.TOOL_MISSING);
      assertThat(b.reason()).contains(fake.toString()).contains("rwxrwxrwx");
    });
    assertThat(Files.exists(ran)).isFalse();
  }

  @Test
  void theVersionCheckAsksThePrefixedPgDumpAndRefusesAnOlderMajor() throws Exception {
    Path script = prefixScript("pg_dump (PostgreSQL) 14.11");
    PgDumpVia via = PgDumpVia.parse(script + " -i -e PGPASSWORD box", Optional.of("127.0.0.1"),
        OptionalInt.of(target.port()), "--pg-dump-via");
    BackupGate gate = gate(via);

    BackupResult result = gate.run(cutterConnection(), policy(), "via", "20261205T000000Z-0002");

    assertThat(result).isInstanceOf(Blocked.class);
    Blocked b = (Blocked) result;
    assertThat(b.kind()).isEqualTo(Cause.BackupRefusal.TOOL_TOO_OLD);
    assertThat(b.reason()).isEqualTo("pg_dump 14 (run through " + via.display() + ") is older than the server (PostgreSQL 15):"
        + " it cannot dump a newer server; use pg_dump 15 or newer");
    assertThat(b.expected()).isEqualTo("pg_dump major >= 15");
    assertThat(b.actual()).startsWith("pg_dump (PostgreSQL) 14.11; server 15.");
    assertThat(tmp.resolve("backups")).as("refused before anything is written").doesNotExist();
    assertThat(calls()).as("nothing but the two version checks ran").extracting(c -> c.argv().get(5))
        .containsExactlyInAnyOrder("--version", "--version");

    List<ReadinessItem> items = gate.selftest(cutterConnection(), policy());
    assertThat(items).filteredOn(i -> i.check().equals("pg_dump found")).singleElement()
        .satisfies(i -> assertThat(i.detail()).isEqualTo(via.display() + " " + program("pg_dump")
            + " (pg_dump (PostgreSQL) 14.11) (prefix from --pg-dump-via)"));
    assertThat(items).filteredOn(i -> i.check().equals("pg_dump new enough")).singleElement()
        .satisfies(i -> assertThat(i.passed()).isFalse())
        .satisfies(i -> assertThat(i.detail()).startsWith("pg_dump 14 is older than server 15."));
  }

  @Test
  void aPrefixThatReachesAnotherClusterCannotImportTheSnapshot() throws Exception {
    Path script = prefixScript(null);
    PgDumpVia via = PgDumpVia.parse(script + " -i -e PGPASSWORD box", Optional.of(other.socketDirectory().toString()),
        OptionalInt.of(other.port()), "--pg-dump-via");

    BackupResult result = gate(via).run(cutterConnection(), policy(), "via", "20261205T000000Z-0003");

    assertThat(result).as("result %s", result).isInstanceOf(Blocked.class);
    Blocked b = (Blocked) result;
    assertThat(b.kind()).isEqualTo(Cause.BackupRefusal.DUMP_FAILED);
    assertThat(b.details()).contains("invalid snapshot identifier");
    assertThat(b.details().lines().toList()).last().isEqualTo("pg_dump ran through " + via.display() + " (from --pg-dump-via),"
        + " connecting to the host and port in its --dbname argument as seen from there; the password is in the prefix's"
        + " environment as PGPASSWORD and reaches pg_dump only if the prefix forwards it by name (e.g. -e PGPASSWORD)");
    assertThat(BackupGateTest.visibleFiles(tmp.resolve("backups"))).as("nothing at a final name; the partial is quarantined")
        .containsExactly("quarantine");
    assertThat(only(calls(), "pg_dump", "--format=custom").argv()).last().asString()
        .startsWith("--dbname=host='" + other.socketDirectory() + "' port='" + other.port() + "' dbname='shop'");
  }

  @Test
  void aPrefixThatDoesNotForwardThePasswordFailsAndSaysSo() throws Exception {
    Path script = prefixScript(null, "PATH");
    PgDumpVia via = PgDumpVia.parse(script + " -i --workdir / box", Optional.of("127.0.0.1"), OptionalInt.of(target.port()),
        "--pg-dump-via");

    BackupResult result = gate(via).run(cutterConnection(), policy(), "via", "20261205T000000Z-0004");

    assertThat(result).as("result %s", result).isInstanceOf(Blocked.class);
    Blocked b = (Blocked) result;
    assertThat(b.kind()).isEqualTo(Cause.BackupRefusal.DUMP_FAILED);
    assertThat(b.reason()).as("the password is needed: scram over TCP").contains("no password supplied");
    assertThat(b.details()).endsWith("reaches pg_dump only if the prefix forwards it by name (e.g. -e PGPASSWORD)");
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> out = new ArrayList<>(head);
    out.addAll(List.of(tail));
    return out;
  }
}
