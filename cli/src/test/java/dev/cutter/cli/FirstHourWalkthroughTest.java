package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.Gpg;
import dev.cutter.fixtures.PrivateCluster;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/first-hour.md, run as written: its {@code ```sh} blocks, in order, as one bash script
 * ({@code set -euo pipefail}) in an empty directory, with a GnuPG home and a HOME of its own (the
 * password file is {@code ~/.pgpass}, 0600), {@code cutter} the CLI of this class path, against a
 * private server that asks every TCP login for a password (scram-sha-256). The doc's first block
 * takes TARGET and ADMIN_TARGET from the environment; nothing else is given to it.
 */
@Tag("pgdump") // the walkthrough's package backs up: pg_dump of the private server
class FirstHourWalkthroughTest {

  private static final Path DOC = Path.of("..", "docs", "first-hour.md");
  private static final String ADMIN_PASSWORD = "admin-pw-first-hour-41";
  private static final String OWNER_PASSWORD = "owner-pw-first-hour-97";

  /** Each cutter invocation of the walkthrough, in order: the verb (and sub-verb), as the wrapper logs it. */
  private static final List<String> VERBS = List.of("--help", "init", "target", "baseline", "sql lint", "target",
      "baseline", "package hash", "dry-run", "preflight", "package verify", "preflight", "apply", "history", "verify");

  private static PrivateCluster cluster;

  @BeforeAll
  static void start() {
    cluster = PrivateCluster.startOrSkip(new PrivateCluster.Options("localhost", 0, false, List.of(
        "local all all trust", "host all all 127.0.0.1/32 scram-sha-256", "host all all ::1/128 scram-sha-256")));
    cluster.psql("postgres", "ALTER ROLE postgres PASSWORD '" + ADMIN_PASSWORD + "'");
    cluster.psql("postgres", "CREATE ROLE app_owner LOGIN PASSWORD '" + OWNER_PASSWORD + "'");
    cluster.psql("postgres", "CREATE DATABASE app");
    cluster.psql("app", "CREATE SCHEMA app AUTHORIZATION app_owner; SET ROLE app_owner;"
        + " CREATE TABLE app.customers (id bigint PRIMARY KEY, name text NOT NULL);"
        + " INSERT INTO app.customers VALUES (1, 'first customer'), (2, 'second customer');");
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The doc's {@code ```sh} blocks, in order. */
  static List<String> shellBlocks(String markdown) {
    Matcher m = Pattern.compile("(?m)^```sh\\n(.*?)^```$", Pattern.DOTALL).matcher(markdown);
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  /** What one run of the walkthrough left: the script's exit code and output, and each cutter call's stdout and exit code. */
  record Walk(int exit, String out, String err, List<String> verbs, List<String> outputs, List<Integer> exits,
      Path dir, Path gnupg) {

    String outputOf(String verb) {
      return outputs.get(verbs.lastIndexOf(verb));
    }
  }

  private static Walk walk(Path dir, String markdown) throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Gpg gpg = Gpg.in(dir); // stops the agent the walkthrough's gpg started
    Path gnupg = gpg.home();
    Path pgpass = Files.writeString(home.resolve(".pgpass"), "127.0.0.1:" + cluster.port() + ":*:postgres:"
        + ADMIN_PASSWORD + "\n127.0.0.1:" + cluster.port() + ":*:app_owner:" + OWNER_PASSWORD + "\n");
    Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path log = Files.createDirectories(dir.resolve("cutter-calls"));
    Path cutter = Files.writeString(bin.resolve("cutter"), String.join("\n",
        "#!/bin/bash",
        "# cutter from the test's class path; each call's stdout is kept (and passed on) under $CUTTER_CALLS",
        "n=$(ls \"$CUTTER_CALLS\" | grep -c '\\.verb$')",
        "f=\"$CUTTER_CALLS/$(printf %03d \"$n\")\"",
        "if [ \"$1\" = package ] || [ \"$1\" = sql ]; then echo \"$1 $2\" > \"$f.verb\"; else echo \"$1\" > \"$f.verb\"; fi",
        "\"$CUTTER_JAVA\" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp \"$CUTTER_CP\" dev.cutter.cli.Main \"$@\""
            + " | tee \"$f.out\"",
        "rc=${PIPESTATUS[0]}",
        "echo \"$rc\" > \"$f.rc\"",
        "exit \"$rc\"", ""));
    Files.setPosixFilePermissions(cutter, PosixFilePermissions.fromString("rwx------"));

    Path work = Files.createDirectories(dir.resolve("work"));
    Path script = Files.writeString(dir.resolve("first-hour.sh"),
        "set -euo pipefail\nset -x\n" + String.join("\n", shellBlocks(markdown)));
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(work.toFile())
        .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("CUTTER") || k.equals("GNUPGHOME"));
    env.put("HOME", home.toString());
    env.put("GNUPGHOME", gnupg.toString());
    Path pgBin = PrivateCluster.binaries(); // pg_dump of the server's major first on PATH
    env.put("PATH", bin + File.pathSeparator + pgBin + File.pathSeparator + env.getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("CUTTER_CALLS", log.toString());
    env.put("CUTTER_CP", System.getProperty("java.class.path"));
    env.put("CUTTER_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    env.put("TARGET", "postgresql://app_owner@127.0.0.1:" + cluster.port() + "/app");
    env.put("ADMIN_TARGET", "postgresql://postgres@127.0.0.1:" + cluster.port() + "/app");
    try (gpg) {
      Process p = pb.start();
      if (!p.waitFor(240, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError("the walkthrough did not finish in 240 s:\n" + Files.readString(dir.resolve("stderr.txt")));
      }
      return collect(p.exitValue(), dir, log, work, gnupg);
    }
  }

  private static Walk collect(int exit, Path dir, Path log, Path work, Path gnupg) throws IOException {
    List<String> verbs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    List<Integer> exits = new ArrayList<>();
    try (Stream<Path> calls = Files.list(log)) {
      for (Path v : calls.filter(f -> f.toString().endsWith(".verb")).sorted().toList()) {
        String base = v.toString().substring(0, v.toString().length() - ".verb".length());
        verbs.add(Files.readString(v).strip());
        outputs.add(Files.readString(Path.of(base + ".out")));
        exits.add(Integer.parseInt(Files.readString(Path.of(base + ".rc")).strip()));
      }
    }
    return new Walk(exit, Files.readString(dir.resolve("stdout.txt")),
        Files.readString(dir.resolve("stderr.txt")), verbs, outputs, exits, work, gnupg);
  }

  @Test
  void theWalkthroughRunsAsWrittenFromASqlFileToAnAppliedSignedChange(@TempDir Path dir) throws Exception {
    String doc = Files.readString(DOC);
    Walk w = walk(dir, doc);

    assertThat(w.exit()).as("the walkthrough's script exits 0; stderr:\n%s", w.err()).isZero();
    assertThat(w.verbs()).as("cutter's calls, in order").containsExactlyElementsOf(VERBS);
    assertThat(w.exits()).as("every cutter call exits 0").allMatch(rc -> rc == 0);

    assertThat(w.outputOf("dry-run").lines().toList()).as(w.outputOf("dry-run"))
        .contains("verdict: PASS (exit 0), production changed: no");
    assertThat(w.outputOf("apply").lines().toList()).as(w.outputOf("apply"))
        .contains("verdict: PASS (exit 0), production changed: yes");

    // the change is in the database, made by apply_role
    assertThat(cluster.psql("app", "select c.relname || ' ' || pg_get_userbyid(c.relowner) from pg_class c"
        + " where c.relnamespace = 'app'::regnamespace and c.relname like 'invoices%' order by 1"))
        .isEqualTo("invoices app_owner\ninvoices_customer_id_idx app_owner\ninvoices_id_seq app_owner\ninvoices_pkey app_owner");

    // the journal's row: this package, PASS, signed by the key gpg made in the walkthrough
    String fpr = new String(new ProcessBuilder("gpg", "--homedir", w.gnupg().toString(), "--with-colons",
        "--list-keys").start().getInputStream().readAllBytes()).lines().filter(l -> l.startsWith("fpr:"))
        .map(l -> l.split(":")[9]).findFirst().orElseThrow();
    String row = cluster.psql("app", "select package_id || ' ' || left(package_sha256, 12) || ' ' || verdict || ' ' || array_to_string(signer_fingerprints,"
        + " ',') || ' ' || login_role || ' ' || run_id from cutter.journal order by id");
    assertThat(row.lines().toList()).hasSize(1);
    String[] fields = row.split(" ");
    assertThat(List.of(fields)).hasSize(6);
    assertThat(List.of(fields[0], fields[2], fields[3], fields[4])).containsExactly("invoices-table", "PASS",
        fpr.toUpperCase(Locale.ROOT), "app_owner");
    String runId = fields[5];

    // cutter history lists that run, and only it
    assertThat(w.outputOf("history").lines().toList()).as(w.outputOf("history")).singleElement().asString()
        .matches("\\S+Z  PASS +run " + Pattern.quote(runId) + "  package invoices-table \\(sha256 " + fields[1]
            + "\\)  as app_owner \\(login app_owner\\)  signers 1  finished \\S+Z  report [0-9a-f]{12}");
    // and the report the doc points at is there
    assertThat(w.dir().resolve("cutter-reports/invoices-table/" + runId + ".yaml")).isRegularFile();
    assertThat(w.dir().resolve("cutter-reports/invoices-table/" + runId + ".md")).isRegularFile();
    // no password reached what the walkthrough printed
    assertThat(w.out() + w.err()).doesNotContain(ADMIN_PASSWORD).doesNotContain(OWNER_PASSWORD);
  }

  @Test
  void aCommandOfTheDocThatFailsStopsTheWalkthrough(@TempDir Path dir) throws Exception {
    String doc = Files.readString(DOC);
    String init = "cutter init --target \"$ADMIN_TARGET\" --grant app_owner\n";
    assertThat(doc).contains(init);
    Walk w = walk(dir, doc.replace(init, "cutter init --target \"$ADMIN_TARGET\" --grant no_such_role\n"));

    assertThat(w.verbs()).containsExactly("--help", "init");
    assertThat(w.exits()).containsExactly(0, 3);
    assertThat(w.exit()).as("set -e: the script ends with the failed command's exit code; stderr:\n%s", w.err())
        .isEqualTo(3);
  }

  @Test
  void theDocsShellBlocksAreFoundInOrder() throws IOException {
    List<String> blocks = shellBlocks(Files.readString(DOC));
    assertThat(blocks).hasSize(14);
    assertThat(blocks.get(0)).startsWith("# the server as the change's owner");
    assertThat(blocks.get(blocks.size() - 1)).startsWith("ls cutter-reports/invoices-table/");
    assertThat(shellBlocks("```sh\na\n```\n```yaml\nb\n```\n```sh\nc\nd\n```\n")).containsExactly("a\n", "c\nd\n");
  }
}
