package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a gated verb writes and prints, against the real server: the report exists whenever a
 * change committed (SPEC 5), and neither the report, stdout nor stderr carries a row value the
 * server quoted or a password written in SQL (SPEC 6).
 */
@WithPostgres
class ReportOutputTest {

  private static final String CARD = "4111111111111111";

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private Cli apply(Path pkg, TestDatabase db, Path reports, String... extra) {
    List<String> args = new ArrayList<>(List.of("apply", pkg.toString(), "--target", db.uri("postgres"),
        "--trust", approver.trust().toString(), "--report-dir", reports.toString()));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  private static String init(TestDatabase db) {
    String role = db.createRole("app");
    db.execute("grant create on schema public to " + role);
    Cli r = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(r.exit()).as(r.err()).isZero();
    return role;
  }

  @Test
  void aReportDirectoryThatBreaksAfterTheProbeStillGivesTheReportOnStderrAndAFinishedJournalRow(TestDatabase db)
      throws Exception {
    String role = init(db);
    Path pkg = approver.write(dir.resolve("p"), "report-dir-breaks", db, role,
        "create table rd_a (id int);\nselect pg_sleep(2);\n", "[]", "[]", null);
    Path reports = dir.resolve("reports");

    CompletableFuture<Cli> running = CompletableFuture.supplyAsync(() -> apply(pkg, db, reports));
    ApplyCommandTest.awaitRunLock(db, Duration.ofSeconds(30));
    // the probe made the package's report directory; while the change runs, a file takes its place
    // (a mode change would not stop root, whom tests may run as)
    Path packageDir = reports.resolve("report-dir-breaks");
    Files.delete(packageDir);
    Files.writeString(packageDir, "not a directory\n");
    Cli r = running.get();

    assertThat(r.exit()).as("the verdict's code, not an internal error: " + r.out() + r.err()).isZero();
    assertThat(db.queryValue("select count(*) from pg_tables where tablename = 'rd_a'")).isEqualTo("1");
    assertThat(r.err()).contains("the report could not be written").contains("verdict: PASS")
        .contains("production_changed: true");
    assertThat(r.out()).contains("verdict: PASS").contains("printed in full on stderr");
    String header = "the whole report follows (YAML, sha256 ";
    String yaml = r.err().substring(r.err().indexOf('\n', r.err().indexOf(header)) + 1);
    assertThat(db.queryValue("select verdict || ' ' || report_sha256 from cutter.journal"))
        .as("the journal row is finished with the digest of the report printed on stderr")
        .isEqualTo("PASS " + Approver.sha256(yaml));
  }

  @Test
  void everyGatedVerbRefusesAnUnwritableReportDirectoryBeforeAnythingConnects() throws Exception {
    Path pkg = approver.write(dir.resolve("p"), "report-dir-refused", "appdb", "7300000000000000001", "app",
        "select 1;\n", "[]", "[]", null);
    Path unwritable = Files.writeString(dir.resolve("a-file"), "x").resolve("reports");
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      AtomicInteger connections = new AtomicInteger();
      Thread acceptor = new Thread(() -> acceptAndClose(listener, connections));
      acceptor.setDaemon(true);
      acceptor.start();
      String target = "postgresql://app@127.0.0.1:" + listener.getLocalPort() + "/appdb";

      for (String verb : List.of("apply", "preflight", "verify", "rollback")) {
        List<String> args = new ArrayList<>(List.of(verb, pkg.toString(), "--target", target, "--report-dir",
            unwritable.toString()));
        if (!verb.equals("verify")) {
          args.addAll(List.of("--trust", approver.trust().toString()));
        }
        Cli r = Cli.run(args.toArray(String[]::new));

        assertThat(r.exit()).as(verb + ": " + r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).as(verb).contains("--report-dir " + unwritable).contains("cannot be written");
        assertThat(r.err().strip().lines().count()).as(verb + ": one line").isEqualTo(1);
      }
      Cli dryRun = Cli.run("dry-run", pkg.toString(), "--report-dir", unwritable.toString());

      assertThat(dryRun.exit()).as(dryRun.out() + dryRun.err()).isEqualTo(2);
      assertThat(dryRun.err()).contains("--report-dir " + unwritable);
      assertThat(connections.get()).as("nothing connected to the target").isZero();
    }
  }

  @Test
  void aCardNumberTheServerQuotesIsMaskedEverywhereUnlessShowValues(TestDatabase db) throws IOException {
    String role = init(db);
    db.execute("create table cards (id int, card text); insert into cards values (1, '" + CARD + "'), (2, '" + CARD
        + "'); alter table cards owner to " + role);
    Path pkg = approver.write(dir.resolve("p"), "unique-card", db, role,
        "create unique index cards_card_key on cards (card);\n", "[]",
        "[]\nlint: { allow: [index-not-concurrent] }  # the index must be built, and fail, in the apply", null);

    Cli masked = apply(pkg, db, dir.resolve("masked"), "--verbose");

    assertThat(masked.exit()).as(masked.out() + masked.err()).isEqualTo(4);
    String files = Approver.allFiles(dir.resolve("masked"));
    assertThat(files).contains("Key (card)=(****) is duplicated.").doesNotContain("show_values");
    assertThat(files + masked.out() + masked.err()).doesNotContain(CARD);
    Cli json = apply(pkg, db, dir.resolve("json"), "--output", "json");
    assertThat(json.exit()).isEqualTo(4);
    assertThat(json.out() + json.err() + Approver.allFiles(dir.resolve("json"))).doesNotContain(CARD);

    Cli shown = apply(pkg, db, dir.resolve("shown"), "--show-values");

    assertThat(shown.exit()).as(shown.out() + shown.err()).isEqualTo(4);
    String shownFiles = Approver.allFiles(dir.resolve("shown"));
    assertThat(shownFiles).contains("Key (card)=(" + CARD + ") is duplicated.").contains("show_values: true")
        .contains("--show-values");
  }

  @Test
  void aRowValueTheServersJsonContextQuotesIsMaskedEverywhereUnlessShowValues(TestDatabase db) throws IOException {
    String role = init(db);
    // a text column turned into jsonb: a row that is no JSON fails the update, and the server's
    // CONTEXT quotes that row's text up to the bad token ("JSON data, line 1: {…")
    db.execute("create table docs (id int, body text, parsed jsonb); insert into docs values (1, '{\"card\": \"" + CARD
        + "\", oops}'); alter table docs owner to " + role);
    Path pkg = approver.write(dir.resolve("p"), "json-context", db, role,
        "update docs set parsed = body::jsonb;\n", "[]", "[]", null);

    failsMaskedUnlessShown(pkg, db, "JSON data, line 1: ****", CARD);
  }

  @Test
  void aRowValueInTheDynamicStatementTheServersContextQuotesIsMaskedUnlessShowValues(TestDatabase db) throws IOException {
    String role = init(db);
    // rows copied by dynamic SQL (format's %L): the failing statement the server's CONTEXT quotes
    // ("SQL statement \"insert into …\"") carries the row's value as a literal
    db.execute("create table cards (card text unique); create table incoming (card text);"
        + " insert into cards values ('" + CARD + "'); insert into incoming values ('" + CARD + "');"
        + " alter table cards owner to " + role + "; alter table incoming owner to " + role);
    Path pkg = approver.write(dir.resolve("p"), "dynamic-context", db, role,
        "DO $$ DECLARE r record; BEGIN FOR r IN SELECT card FROM incoming LOOP"
            + " EXECUTE format('insert into cards values (%L)', r.card); END LOOP; END $$;\n", "[]", "[]", null);

    failsMaskedUnlessShown(pkg, db, "SQL statement \"insert into cards values ('****')\"",
        "insert into cards values ('" + CARD + "')");
  }

  /**
   * Applies {@code pkg} (its statement fails: exit 4) with {@code --verbose}, with JSON output and
   * with {@code --show-values}: the first two keep the card out of every file and output and show
   * {@code masked}; the last shows {@code shown}.
   */
  private void failsMaskedUnlessShown(Path pkg, TestDatabase db, String masked, String shown) throws IOException {
    Cli verbose = apply(pkg, db, dir.resolve("masked"), "--verbose");
    assertThat(verbose.exit()).as(verbose.out() + verbose.err()).isEqualTo(4);
    String files = Approver.allFiles(dir.resolve("masked"));
    assertThat(files).contains(masked);
    assertThat(files + verbose.out() + verbose.err()).doesNotContain(CARD);
    Cli json = apply(pkg, db, dir.resolve("json"), "--output", "json");
    assertThat(json.exit()).isEqualTo(4);
    assertThat(json.out() + json.err() + Approver.allFiles(dir.resolve("json"))).doesNotContain(CARD);

    Cli showing = apply(pkg, db, dir.resolve("shown"), "--show-values");
    assertThat(showing.exit()).as(showing.out() + showing.err()).isEqualTo(4);
    assertThat(Approver.allFiles(dir.resolve("shown"))).contains(shown);
  }

  @Test
  void aRowValueTheServerQuotesInAFailingChecksErrorIsMasked(TestDatabase db) throws IOException {
    String role = init(db);
    db.execute("create table docs (id int, tags text, body text); insert into docs values (1, '" + CARD + "', '{\"card\": \""
        + CARD + "\", oops}'); alter table docs owner to " + role);
    Path pkg = approver.write(dir.resolve("p"), "check-error", db, role, "select 1;\n",
        "\n  - sql: { name: tags, query: \"select tags::int[] is not null from public.docs\", expect: true }"
            + "\n  - sql: { name: body, query: \"select body::jsonb is not null from public.docs\", expect: true }"
            + "\n  - sql: { name: range, query: \"select tags::int4range is not null from public.docs\", expect: true }", "[]", null);

    Cli r = apply(pkg, db, dir.resolve("reports"), "--verbose");

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    String files = Approver.allFiles(dir.resolve("reports"));
    assertThat(files).contains("malformed array literal");
    assertThat(files + r.out() + r.err()).doesNotContain(CARD);
  }

  @Test
  void aPasswordLiteralInAFailingStatementIsMasked(TestDatabase db) {
    String role = init(db);
    String secret = "Pw-Literal-5521";
    Path pkg = approver.write(dir.resolve("p"), "password-literal", db, role,
        "DO $$ BEGIN EXECUTE 'ALTER ROLE cutter_no_such_role PASSWORD ''" + secret + "'''; END $$;\n", "[]", "[]", null);

    Cli r = apply(pkg, db, dir.resolve("reports"));

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(4);
    String files = Approver.allFiles(dir.resolve("reports"));
    assertThat(files).as("the server's context quotes the statement").contains("PASSWORD '****'")
        .contains("SQL password");
    assertThat(files + r.out() + r.err()).doesNotContain(secret);
  }

  @Test
  void passwordsHandedOutForOtherRolesAreMaskedInTheReport() {
    RunSupport.Passwords passwords = new RunSupport.Passwords(
        (server, role) -> java.util.Optional.of(new dev.cutter.core.db.ConnectionSpec.Secret("role-pw-" + role)));
    var spec = new dev.cutter.core.db.ConnectionSpec("db", 5432, "app", "deploy", java.util.Optional.empty());

    passwords.apply(spec, "app_owner");
    passwords.apply(spec, "cutter_backup");

    assertThat(passwords.addTo(dev.cutter.report.SecretScanner.patternsOnly())
        .mask("login failed: role-pw-app_owner / ROLE-PW-CUTTER_BACKUP"))
        .isEqualTo("login failed: **** / ****");
  }

  private static void acceptAndClose(ServerSocket listener, AtomicInteger connections) {
    while (!listener.isClosed()) {
      try (Socket s = listener.accept()) {
        connections.incrementAndGet();
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
