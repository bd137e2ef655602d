package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.EmbeddedPostgresServer;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import dev.cutter.report.ReportCodec;
import dev.cutter.report.ReportRenderer;
import dev.cutter.report.ScannedReport;
import dev.cutter.report.SecretScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The golden reports (YAML, Markdown, JSON, and for one the HTML and the stdout summary) are
 * what real runs against the test server write, with only what differs between two runs
 * normalised ({@link GoldenNormaliser}). A mismatch fails; regenerating takes
 * {@code -Dcutter.golden.update=true}, which fails where CI is set (bin/regenerate-goldens).
 */
@WithPostgres
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GoldenReportsTest {

  static final Path GOLDEN = Path.of("src/test/resources/golden");
  static final Path DOCS = Path.of("..", "docs", "reports.md");
  static final String EXPIRES = "2030-12-31T23:00:00Z";
  static final String OWNER = "golden_owner";
  static final String APP = "golden_app";

  static GoldenFiles golden;
  static Approver approver;
  @TempDir static Path keys;

  @TempDir Path dir;

  @BeforeAll
  static void setUp() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        EmbeddedPostgresServer.requestedMajor() == EmbeddedPostgresServer.DEFAULT_MAJOR,
        "the golden reports are made on PostgreSQL " + EmbeddedPostgresServer.DEFAULT_MAJOR);
    golden = GoldenFiles.of(GOLDEN, System.getenv());
    approver = Approver.fixed(GOLDEN.resolve("approver"), "golden-approver", keys);
  }

  // ---- the scenarios ---------------------------------------------------------------------------

  @Test
  void passApply(TestDatabase db) {
    Target t = target(db, "golden_pass");
    Run run = t.apply(invoiceLines(t), dir);

    assertThat(run.exit()).as(run.out()).isZero();
    compare("pass", run, true);
  }

  @Test
  void failedAtStatement7Of9(TestDatabase db) {
    Target t = target(db, "golden_failed");
    Path pkg = t.write(dir.resolve("pkg"), "invoice-line-import", "Billing: import invoice lines", OWNER, """
        create table billing.invoice_line_import (invoice_id int not null, line_no int not null, amount numeric);
        comment on table billing.invoice_line_import is 'invoice lines as imported';
        insert into billing.invoice_line_import values (1042, 1, 10.00);
        insert into billing.invoice_line_import values (1042, 2, 12.50);
        insert into billing.invoice_line_import values (1042, 3, 7.25);
        insert into billing.invoice_line_import values (1042, 3, 7.25);
        create unique index invoice_line_number_key on billing.invoice_line_import (invoice_id, line_no);
        alter table billing.invoice_line_import add primary key using index invoice_line_number_key;
        grant select on billing.invoice_line_import to golden_app;
        """, "[ { objects_absent: { schema: billing, tables: [ invoice_line_import ] } } ]",
        "[ { objects_present: { schema: billing, tables: [ invoice_line_import ] } } ]", null, "5s");

    Run run = t.apply(pkg, dir);

    assertThat(run.exit()).as(run.out()).isEqualTo(4);
    assertThat(run.yaml()).contains("statements_total: 9\n  statements_executed: 6\n")
        .contains("  index: 7\n").contains("sqlstate: \"23505\"");
    compare("failed-statement-7", run, false);
  }

  @Test
  void replayIsBlockedAsConsumed(TestDatabase db) {
    Target t = target(db, "golden_replay");
    Path pkg = invoiceLines(t);
    Run first = t.apply(pkg, dir);
    assertThat(first.exit()).as(first.out()).isZero();

    Run replay = t.apply(pkg, dir);

    assertThat(replay.exit()).as(replay.out()).isEqualTo(3);
    String md = compare("blocked-replay", replay, false);
    assertRootCause("blocked-replay", md, "20260518T054609Z-0002");
  }

  @Test
  void runLockHeldByAnotherSessionIsBlocked(TestDatabase db) throws SQLException {
    Target t = target(db, "golden_run_lock");
    Path pkg = invoiceLines(t);
    try (Connection holder = db.server().superuserConnection(t.database());
        Statement st = holder.createStatement()) {
      st.execute("set application_name = 'another deploy tool'");
      st.execute("select pg_advisory_lock(" + 0x637574746572L + ")");

      Run run = t.apply(pkg, dir);

      assertThat(run.exit()).as(run.out()).isEqualTo(3);
      String md = compare("blocked-run-lock", run, false);
      assertRootCause("blocked-run-lock", md, "pid 4242", "another deploy tool");
    }
  }

  /** A session holds the change key, as an earlier run's statement that runs on after its client died. */
  @Test
  void changeLockHeldByAnotherSessionIsBlocked(TestDatabase db) throws SQLException {
    Target t = target(db, "golden_change_lock");
    Path pkg = invoiceLines(t);
    try (Connection holder = db.server().superuserConnection(t.database());
        Statement st = holder.createStatement()) {
      st.execute("set application_name = 'cutter apply 20260101T000000Z-dead'");
      st.execute("select pg_advisory_lock(" + (0x637574746572L + 2) + ")");

      Run run = t.apply(pkg, dir);

      assertThat(run.exit()).as(run.out()).isEqualTo(3);
      String md = compare("blocked-change-lock", run, false);
      assertRootCause("blocked-change-lock", md, "pid 4242");
    }
  }

  @Test
  void tableLockHeldByAnotherSessionIsBlocked(TestDatabase db) throws SQLException {
    Target t = target(db, "golden_table_lock");
    Path pkg = t.write(dir.resolve("pkg"), "invoice-note", "Billing: a note on each invoice", OWNER,
        "alter table billing.invoice add column note text;\n", "[]", "[]", null, "1s");
    try (Connection holder = db.server().superuserConnection(t.database())) {
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.execute("set application_name = 'report job'");
        st.execute("lock table billing.invoice in access share mode");

        Run run = t.apply(pkg, dir);

        assertThat(run.exit()).as(run.out()).isEqualTo(3);
        String md = compare("blocked-table-lock", run, false);
        assertRootCause("blocked-table-lock", md, "billing.invoice");
      } finally {
        holder.rollback();
      }
    }
  }

  @Test
  void applyRoleLackingAPrivilegeFailsWith42501(TestDatabase db) {
    Target t = target(db, "golden_42501");
    Path pkg = t.write(dir.resolve("pkg"), "invoice-discount", "Billing: a discounted invoice", APP,
        "do $$ begin insert into billing.invoice values (9, 90.00); end $$;\n", "[]", "[]", null, "5s");

    Run run = t.apply(pkg, dir);

    assertThat(run.exit()).as(run.out()).isEqualTo(4);
    String md = compare("failed-42501", run, false);
    // the server names the object only in its message, which no diagnosis reads; the report's apply section shows it
    assertRootCause("failed-42501", md, "golden_app", "Statement 1 (line 1)", "42501");
  }

  @Test
  void preflightBlocksOnMissingCreate(TestDatabase db) {
    Target t = target(db, "golden_blocked_p1");
    Path pkg = t.write(dir.resolve("pkg"), "billing-invoice-lines", "Billing: invoice lines and totals view", APP,
        INVOICE_LINES, "[ { schema_exists: billing } ]", "[]", null, "5s");

    Run run = t.apply(pkg, dir);

    assertThat(run.exit()).as(run.out()).isEqualTo(3);
    compare("blocked-p1-missing-create", run, false);
    golden.check("blocked-p1-missing-create.html", ReportRenderer.html(run.normalisedReport()));
    golden.check("blocked-p1-missing-create.txt", run.normalise(run.out()));
  }

  @Test
  void preflightVerbBlocksOnAFailedCheck(TestDatabase db) {
    Target t = target(db, "golden_preflight");
    db.server();
    t.sql("create table billing.invoice_line (id int)");
    Path pkg = invoiceLines(t);

    Run run = t.run(dir, "preflight", pkg.toString(), "--target", t.uri(), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString());

    assertThat(run.exit()).as(run.out()).isEqualTo(3);
    compare("preflight-blocked", run, false);
  }

  @Test
  void verifyFailsAndTheRollbackRestores(TestDatabase db) {
    Target t = target(db, "golden_rolled_back");
    Path pkg = t.write(dir.resolve("pkg"), "billing-invoice-lines", "Billing: invoice lines and totals view", OWNER,
        "create table billing.invoice_line (invoice_id int, line_no int, amount numeric);\n",
        "[ { objects_absent: { schema: billing, tables: [ invoice_line ] } } ]",
        "[ { objects_present: { schema: billing, tables: [ invoice_line ], views: [ invoice_totals ] } } ]",
        "drop table billing.invoice_line;\n", "5s");

    Run run = t.apply(pkg, dir);

    assertThat(run.exit()).as(run.out()).isEqualTo(5);
    compare("rolled-back", run, false);
  }

  @Test
  void verifyFailsWithoutARollbackEscalates(TestDatabase db) {
    Target t = target(db, "golden_escalate");
    Path pkg = t.write(dir.resolve("pkg"), "billing-invoice-lines", "Billing: invoice lines and totals view", OWNER,
        "create table billing.invoice_line (invoice_id int, line_no int, amount numeric);\n",
        "[ { objects_absent: { schema: billing, tables: [ invoice_line ] } } ]",
        "[ { objects_present: { schema: billing, tables: [ invoice_line ], views: [ invoice_totals ] } } ]", null, "5s");

    Run run = t.apply(pkg, dir);

    assertThat(run.exit()).as(run.out()).isEqualTo(6);
    compare("escalate", run, false);
  }

  @Test
  void dryRunPasses(TestDatabase db) {
    Target t = target(db, "golden_dry_run");
    // the sandbox is a database on the same server: roles made by its setup must be new there
    String owner = "golden_dry_owner";
    Path pkg = invoiceLines(t, owner);
    try {
      Files.createDirectories(pkg.resolve("sandbox"));
      Files.writeString(pkg.resolve("sandbox/setup.sql"), "create role " + owner + " login;\n"
          + SETUP.formatted(owner, APP).lines().filter(l -> !l.startsWith("do $$")).map(l -> l + "\n")
              .collect(java.util.stream.Collectors.joining()));
      Files.writeString(pkg.resolve("package.yaml"), Files.readString(pkg.resolve("package.yaml"))
          + "sandbox:\n  setup: [ sandbox/setup.sql ]\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    Run run = t.run(dir, "dry-run", pkg.toString(), "--sandbox", db.server().uri("postgres", "postgres"),
        "--report-dir", dir.resolve("reports").toString());

    assertThat(run.exit()).as(run.out()).isZero();
    compare("dry-run-pass", run, false);
  }

  @Test
  void anInvalidPackageGetsItsReport(TestDatabase db) {
    Target t = target(db, "golden_invalid");
    Path pkg = invoiceLines(t);
    try {
      Files.writeString(pkg.resolve("package.yaml"), Files.readString(pkg.resolve("package.yaml"))
          .replace("  risk: low\n", "  risk: moderate\n"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }

    Run run = t.apply(pkg, dir);

    assertThat(run.exit()).as(run.out()).isEqualTo(2);
    compare("invalid-package", run, false);
  }

  /**
   * The reviewer-facing examples in docs/reports.md are the top of golden Markdown reports (up to
   * the gates table), between {@code <!-- example: NAME.md -->} and {@code <!-- end of example -->}.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void docsExamplesAreTheGoldenReports() throws IOException {
    String docs = Files.readString(DOCS);
    Matcher m = Pattern.compile("(<!-- example: ([a-z0-9-]+)\\.md -->\n)(.*?)(<!-- end of example -->)", Pattern.DOTALL)
        .matcher(docs);
    StringBuilder b = new StringBuilder();
    int examples = 0;
    while (m.find()) {
      String full = Files.readString(GOLDEN.resolve(m.group(2) + ".md"));
      // the top of the report, as a reviewer reads it first: verdict, run, root cause
      String md = full.substring(0, full.indexOf("\n## Gates\n") + 1);
      String fence = "`".repeat(Math.max(3, longestBacktickRun(md) + 1));
      m.appendReplacement(b, Matcher.quoteReplacement(m.group(1) + fence + "markdown\n" + md + fence + "\n" + m.group(4)));
      examples++;
    }
    m.appendTail(b);
    assertThat(examples).as("docs/reports.md shows golden examples").isGreaterThanOrEqualTo(2);
    if (golden.updating()) {
      Files.writeString(DOCS, b.toString());
    } else {
      assertThat(docs).as("docs/reports.md examples are the golden reports; " + GoldenFiles.HOW)
          .isEqualTo(b.toString());
    }
  }

  // ---- comparing -------------------------------------------------------------------------------

  /**
   * Compares the run's report with the golden files NAME.yaml, NAME.md and NAME.json, and
   * returns the normalised Markdown. The YAML the run wrote must read back unchanged and the
   * Markdown it wrote must be what that YAML renders to, so the golden files are the normalised
   * YAML read back and written again, and rendered.
   */
  private static String compare(String name, Run run, boolean withSummary) {
    ScannedReport real = run.report();
    assertThat(ReportCodec.yaml(real)).as("the written YAML reads back unchanged").isEqualTo(run.yaml());
    assertThat(ReportRenderer.markdown(real)).as("the written Markdown is the YAML rendered").isEqualTo(run.markdown());
    ScannedReport normal = run.normalisedReport();
    String yaml = ReportCodec.yaml(normal);
    String md = ReportRenderer.markdown(normal);
    golden.check(name + ".yaml", yaml);
    golden.check(name + ".md", md);
    golden.check(name + ".json", ReportCodec.json(normal));
    if (withSummary) {
      golden.check(name + ".txt", run.normalise(run.out()));
    }
    return md;
  }

  /**
   * The Markdown's "Root cause" section, end to end: it is the golden file NAME.root-cause.txt
   * exactly (regenerated with the others when the diagnosis changes on purpose), and it names the
   * facts of the run any rewording must keep: the earlier run, the lock's holder, the role and
   * the object.
   */
  private static void assertRootCause(String name, String md, String... facts) {
    String cause = rootCause(md);
    golden.check(name + ".root-cause.txt", cause + "\n");
    for (String fact : facts) {
      assertThat(cause).as("the root cause names the run's facts").contains(fact);
    }
  }

  /** The Markdown's "Root cause" section, as one line. */
  static String rootCause(String md) {
    Matcher m = Pattern.compile("\n## Root cause\n\n(.*?)\n\n## ", Pattern.DOTALL).matcher(md);
    assertThat(m.find()).as("a Root cause section in\n%s", md).isTrue();
    return m.group(1).strip();
  }

  private static int longestBacktickRun(String s) {
    int best = 0;
    int run = 0;
    for (char c : s.toCharArray()) {
      run = c == '`' ? run + 1 : 0;
      best = Math.max(best, run);
    }
    return best;
  }

  // ---- targets and packages --------------------------------------------------------------------

  static final String SETUP = """
      do $$ begin create role %1$s login; exception when duplicate_object then null; end $$;
      do $$ begin create role %2$s login; exception when duplicate_object then null; end $$;
      create schema billing authorization %1$s;
      grant usage on schema billing to %2$s;
      set role %1$s;
      create table billing.invoice (id int primary key, total numeric not null);
      insert into billing.invoice values (1042, 29.75);
      reset role;
      """;

  static final String INVOICE_LINES = """
      create table billing.invoice_line (
        invoice_id int not null references billing.invoice,
        line_no int not null,
        amount numeric not null,
        primary key (invoice_id, line_no));
      create view billing.invoice_totals as
        select invoice_id, sum(amount) as total from billing.invoice_line group by invoice_id;
      """;

  /** The package that passes: a table and a view in schema billing, with its rollback. */
  Path invoiceLines(Target t) {
    return invoiceLines(t, OWNER);
  }

  Path invoiceLines(Target t, String role) {
    return t.write(dir.resolve("pkg"), "billing-invoice-lines", "Billing: invoice lines and totals view", role,
        INVOICE_LINES,
        "[ { schema_exists: billing }, { objects_absent: { schema: billing, tables: [ invoice_line ], views: [ invoice_totals ] } } ]",
        "[ { objects_present: { schema: billing, tables: [ invoice_line ], views: [ invoice_totals ] } } ]",
        "drop view billing.invoice_totals;\ndrop table billing.invoice_line;\n", "5s");
  }

  /** A fresh database named {@code name} on the test server, with schema billing and the journal. */
  static Target target(TestDatabase db, String name) {
    EmbeddedPostgresServer server = db.server();
    try (Connection c = server.superuserConnection("postgres"); Statement st = c.createStatement()) {
      st.execute("drop database if exists " + name + " with (force)");
      st.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    Target t = new Target(server, name, Approver.systemIdentifier(db));
    t.sql(SETUP.formatted(OWNER, APP));
    Cli init = Cli.run("init", "--target", t.uri(), "--grant", OWNER, "--grant", APP);
    assertThat(init.exit()).as(init.err()).isZero();
    return t;
  }

  record Target(EmbeddedPostgresServer server, String database, String systemIdentifier) {

    String uri() {
      return server.uri("postgres", database);
    }

    void sql(String sql) {
      try (Connection c = server.superuserConnection(database); Statement st = c.createStatement()) {
        st.execute(sql);
      } catch (SQLException e) {
        throw new IllegalStateException("fixture SQL failed: " + e.getMessage(), e);
      }
    }

    Run apply(Path pkg, Path dir) {
      return run(dir, "apply", pkg.toString(), "--target", uri(), "--trust", approver.trust().toString(),
          "--report-dir", dir.resolve("reports").toString());
    }

    Run run(Path dir, String... args) {
      Path reports = dir.resolve("reports");
      List<Path> before = yamls(reports);
      Cli r = Cli.run(args);
      List<Path> written = new ArrayList<>(yamls(reports));
      written.removeAll(before);
      assertThat(written).as("one report written by %s", r.out() + r.err()).hasSize(1);
      Path yaml = written.get(0);
      GoldenNormaliser n = new GoldenNormaliser().keep(EXPIRES)
          .exact(dir.toAbsolutePath().toString(), "/srv/cutter")
          .exact(realPath(dir), "/srv/cutter")
          .exact(Path.of("").toAbsolutePath().getParent().toString(), "/src/cutter")
          .exact(systemIdentifier, GoldenNormaliser.SYSTEM_IDENTIFIER)
          .version(serverVersion(), EmbeddedPostgresServer.requestedMajor() + ".x")
          .port(server.port());
      var pkg = ReportCodec.read(yaml, SecretScanner.patternsOnly()).report().pkg();
      if (pkg != null) {
        // the package's sha256 covers its target's system identifier: a stand-in derived from its id
        n.exact(pkg.sha256(), Approver.sha256("golden package " + pkg.id()));
      }
      return new Run(r, yaml, n);
    }

    String serverVersion() {
      try (Connection c = server.superuserConnection(database); Statement st = c.createStatement();
          var rs = st.executeQuery("select current_setting('server_version')")) {
        rs.next();
        return rs.getString(1);
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }

    /**
     * Writes and signs a package for this target: {@code artifact} as apply_role {@code role} in one
     * transaction under {@code lockTimeout}, checks as YAML flow lists, a rollback when given, no backup.
     */
    Path write(Path dest, String id, String title, String role, String artifact, String preflight, String verify,
        String rollback, String lockTimeout) {
      try {
        Files.createDirectories(dest.resolve("ddl"));
        Files.writeString(dest.resolve("ddl/change.sql"), artifact);
        String rb = "";
        if (rollback != null) {
          Files.writeString(dest.resolve("ddl/rollback.sql"), rollback);
          rb = "rollback:\n  artifact: { path: ddl/rollback.sql, sha256: \"" + Approver.sha256(rollback) + "\" }\n"
              + "  precondition:\n    - sql: { name: no invoice lines yet, query: \"select count(*) from billing.invoice_line\","
              + " expect: 0 }\n";
        }
        Files.writeString(dest.resolve("package.yaml"), "apiVersion: cutter/v1\nkind: ApplyPackage\nid: " + id
            + "\ntitle: \"" + title + "\"\n"
            + "authorization:\n  ref: CHG-2291-" + id + "\n  expires_at: " + EXPIRES + "\n  risk: low\n"
            + "target:\n  database: " + database + "\n  system_identifier: \"" + systemIdentifier + "\"\n"
            + "  apply_role: " + role + "\n"
            + "artifact:\n  path: ddl/change.sql\n  sha256: \"" + Approver.sha256(artifact) + "\"\n"
            + "preflight: " + preflight + "\n"
            + "backup:\n  required: false\n"
            + "apply:\n  mode: transaction\n  lock_timeout: " + lockTimeout + "\n  statement_timeout: 1min\n"
            + "verify: " + verify + "\n" + rb);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      approver.sign(dest);
      return dest;
    }
  }

  private static List<Path> yamls(Path reports) {
    if (!Files.isDirectory(reports)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(reports)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String realPath(Path p) {
    try {
      return p.toRealPath().toString();
    } catch (IOException e) {
      return p.toAbsolutePath().toString();
    }
  }

  /** One real run: what it printed, the report it wrote, and how to normalise them. */
  record Run(Cli cli, Path yamlFile, GoldenNormaliser normaliser) {
    int exit() {
      return cli.exit();
    }

    String out() {
      return cli.out() + cli.err();
    }

    String yaml() {
      return read(yamlFile);
    }

    String markdown() {
      return read(yamlFile.resolveSibling(yamlFile.getFileName().toString().replace(".yaml", ".md")));
    }

    ScannedReport report() {
      return ReportCodec.read(yamlFile, SecretScanner.patternsOnly());
    }

    /** The YAML normalised, read back as a report. */
    ScannedReport normalisedReport() {
      try {
        Path copy = Files.createTempFile("golden", ".yaml");
        Files.writeString(copy, normalise(yaml()));
        try {
          return ReportCodec.read(copy, SecretScanner.patternsOnly());
        } finally {
          Files.delete(copy);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String normalise(String text) {
      return normaliser.apply(text);
    }

    private static String read(Path p) {
      try {
        return Files.readString(p, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
