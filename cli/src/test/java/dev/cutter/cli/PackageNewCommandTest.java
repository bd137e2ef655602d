package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.model.YamlValue;
import dev.cutter.fixtures.EmbeddedPostgresServer;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cutter package new} against a real target: what it derives, what it writes, what it refuses. */
@WithPostgres
class PackageNewCommandTest {


  @TempDir static Path keys;
  static Approver approver;

  @TempDir Path dir;

  @BeforeAll
  static void setUp() throws IOException {
    approver = Approver.create(keys);
  }

  /** Schema {@code app} owned by a new role holding {@code app.customer (id primary key)}; returns the role. */
  private static String appSchema(TestDatabase db) {
    String owner = db.createRole("app_owner");
    db.createSchema("app", owner);
    db.execute("set role " + owner + "; create table app.customer (id bigint primary key, name text not null); reset role;");
    return owner;
  }

  private Path sql(String name, String text) {
    try {
      return Files.writeString(Files.createDirectories(dir.resolve("in")).resolve(name), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Cli scaffold(TestDatabase db, Path pkg, String role, Path change, String... more) {
    List<String> args = new ArrayList<>(List.of("package", "new", pkg.toString(), "--sql", change.toString(), "--id",
        "scaffolded", "--apply-role", role, "--target", db.uri("postgres"), "--backup-dir",
        dir.resolve("backups").toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  /** The field lines of package.yaml without their trailing comments. */
  private static List<String> fields(Path pkg) throws IOException {
    return Files.readString(pkg.resolve("package.yaml")).lines().filter(l -> !l.stripLeading().startsWith("#"))
        .map(l -> l.replaceFirst(" +# .*$", "")).toList();
  }

  private static List<String> section(List<String> fields, String key) {
    int from = fields.indexOf(key + ":");
    if (from < 0) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String l : fields.subList(from + 1, fields.size())) {
      if (!l.startsWith(" ")) {
        break;
      }
      out.add(l);
    }
    return out;
  }

  private static void assertValid(Path pkg) throws IOException {
    assertThat(PackageSchema.errors(pkg.resolve("package.yaml"))).as("schema errors").isEmpty();
    ApplyPackage p = PackageLoader.withInstalledChecks().load(pkg);
    assertThat(p.id()).isEqualTo("scaffolded");
  }

  private static long scopeBytes(TestDatabase db, String schema) {
    return Long.parseLong(db.queryValue("select sum(pg_total_relation_size(c.oid)) from pg_class c join pg_namespace n"
        + " on n.oid = c.relnamespace where n.nspname = '" + schema + "' and c.relkind in ('r', 'm')"));
  }

  @Test
  void aCreatedTableIsAbsentBeforeAndPresentAfterAndItsSchemaIsCheckedCountedAndBackedUp(TestDatabase db)
      throws IOException {
    String owner = appSchema(db);
    Path change = sql("invoices.sql", """
        CREATE TABLE app.invoice (
          id bigint PRIMARY KEY,
          customer_id bigint NOT NULL REFERENCES app.customer (id)
        );
        CREATE INDEX invoice_customer_idx ON app.invoice (customer_id);
        """);
    Path pkg = dir.resolve("invoices");

    Cli r = scaffold(db, pkg, owner, change);

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.err()).isEmpty();
    List<String> f = fields(pkg);
    assertThat(section(f, "target")).containsExactly("  database: " + db.name(),
        "  system_identifier: \"" + Approver.systemIdentifier(db) + "\"",
        "  server_version: " + db.queryValue("select current_setting('server_version_num')::int / 10000"),
        "  apply_role: " + owner);
    assertThat(section(f, "artifact")).containsExactly("  path: ddl/invoices.sql",
        "  sha256: " + Approver.sha256(Files.readString(change)));
    assertThat(Files.readString(pkg.resolve("ddl/invoices.sql"))).isEqualTo(Files.readString(change));
    assertThat(section(f, "preflight")).containsExactly(
        "  - schema_exists: app",
        "  - objects_absent: {schema: app, tables: [invoice], indexes: [invoice_customer_idx]}",
        "  - objects_present: {schema: app, tables: [customer]}",
        "  - baseline: {schema: app, constraints: {p: 1, f: 0, u: 0, c: 0, x: 0, t: 0}, relations: {r: 1, p: 0, v: 0,"
            + " m: 0, S: 0, i: 1, I: 0, f: 0, c: 0}}",
        "  - rehearse: true");
    assertThat(section(f, "verify")).containsExactly(
        "  - objects_present: {schema: app, tables: [invoice], indexes: [invoice_customer_idx]}");
    long bytes = scopeBytes(db, "app");
    assertThat(bytes).isPositive();
    assertThat(section(f, "backup")).containsExactly("  required: true", "  scope: {schemas: [app]}",
        "  dir: " + dir.resolve("backups"), "  min_bytes: " + bytes / 100);
    assertThat(Files.readString(pkg.resolve("package.yaml"))).contains("  # min_bytes: 1 % of the " + bytes
        + " bytes pg_total_relation_size gave for the scope's 1 relation (tables and\n");
    assertValid(pkg);
    assertThat(r.out().lines().toList()).containsExactly(
        "wrote " + pkg.resolve("package.yaml") + " (ddl/invoices.sql)",
        "derived: 1 schema touched, 2 objects created, 1 existing object changed or used, 0 dropped; 0 warnings",
        "next: review it, cutter dry-run " + pkg + ", then cutter package sign " + pkg + " --key SECRET.asc");
  }

  @Test
  void everyFieldCarriesAComment(TestDatabase db) throws IOException {
    String owner = appSchema(db);
    Path pkg = dir.resolve("p");
    Cli r = scaffold(db, pkg, owner, sql("c.sql", "alter table app.customer add column note text;\n"), "--rollback",
        sql("r.sql", "alter table app.customer drop column note;\n").toString(), "--sandbox-setup",
        sql("setup.sql", "create schema app;\n").toString());
    assertThat(r.exit()).as(r.err()).isZero();

    List<String> lines = Files.readString(pkg.resolve("package.yaml")).lines().toList();
    List<String> fieldLines = lines.stream().filter(l -> !l.stripLeading().startsWith("#")).toList();
    assertThat(fieldLines).hasSizeGreaterThan(30).allSatisfy(l -> assertThat(l).containsPattern("\\S  +# \\S"));
    assertThat(fieldLines.stream().map(l -> l.replaceFirst(" +# .*$", "").replaceFirst(":.*", "").strip()).toList())
        .contains("apiVersion", "kind", "id", "title", "authorization", "ref", "expires_at", "risk", "target", "database",
            "system_identifier", "server_version", "apply_role", "artifact", "path", "sha256", "preflight",
            "- schema_exists", "- objects_present", "- baseline", "- rehearse", "backup", "required", "scope", "dir",
            "min_bytes", "apply", "mode", "lock_timeout", "statement_timeout", "rollback", "precondition", "sandbox",
            "setup");
    assertValid(pkg);
  }

  @Test
  void aDroppedTableIsPresentBeforeAndAbsentAfter(TestDatabase db) throws IOException {
    String owner = appSchema(db);
    db.execute("set role " + owner + "; create table app.legacy (id int); reset role;");
    Path pkg = dir.resolve("drop");

    Cli r = scaffold(db, pkg, owner, sql("drop.sql", "DROP TABLE app.legacy;\n"));

    assertThat(r.exit()).as(r.err()).isZero();
    List<String> f = fields(pkg);
    assertThat(section(f, "preflight")).contains("  - objects_present: {schema: app, tables: [legacy]}")
        .noneMatch(l -> l.contains("objects_absent"));
    assertThat(section(f, "verify")).containsExactly("  - objects_absent: {schema: app, tables: [legacy]}");
    assertValid(pkg);
  }

  @Test
  void anAlteredTableIsPresentBeforeAndVerifyIsLeftToTheReviewer(TestDatabase db) throws IOException {
    String owner = appSchema(db);
    Path pkg = dir.resolve("alter");

    Cli r = scaffold(db, pkg, owner, sql("alter.sql", "ALTER TABLE app.customer ADD COLUMN email text;\n"));

    assertThat(r.exit()).as(r.err()).isZero();
    List<String> f = fields(pkg);
    assertThat(section(f, "preflight")).containsExactly("  - schema_exists: app",
        "  - objects_present: {schema: app, tables: [customer]}",
        "  - baseline: {schema: app, constraints: {p: 1, f: 0, u: 0, c: 0, x: 0, t: 0}, relations: {r: 1, p: 0, v: 0,"
            + " m: 0, S: 0, i: 1, I: 0, f: 0, c: 0}}",
        "  - rehearse: true");
    assertThat(f).doesNotContain("verify:");
    assertThat(Files.readString(pkg.resolve("package.yaml"))).contains("# verify: nothing could be derived (the change"
        + " creates and drops nothing an object check lists),\n");
    assertValid(pkg);
  }

  @Test
  void unqualifiedNamesArePlacedThroughApplyRolesSearchPath(TestDatabase db) throws IOException {
    String owner = appSchema(db);
    db.execute("alter role " + owner + " set search_path = app");
    db.execute("grant execute on function pg_catalog.pg_control_system() to " + owner);
    Path pkg = dir.resolve("unqualified");

    // logged in as apply_role, as the apply will: its session's search_path is app
    Cli r = Cli.run("package", "new", pkg.toString(), "--sql", sql("u.sql", "create table invoice (id int);\n"
        + "alter table customer add column x int;\n").toString(), "--id", "scaffolded", "--apply-role", owner, "--target",
        db.uri(owner));

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(section(fields(pkg), "preflight")).contains("  - objects_absent: {schema: app, tables: [invoice]}",
        "  - objects_present: {schema: app, tables: [customer]}");
  }

  /** A name with quotes, a #, a line separator and a right-to-left mark reaches the loader exactly and breaks no line. */
  @Test
  void aHostileNameIsWrittenSoThatTheLoaderReadsExactlyIt(TestDatabase db) throws IOException {
    String owner = appSchema(db);
    String odd = "we\"ird # x\u2028y\u200fz";
    Path pkg = dir.resolve("hostile");

    Cli r = scaffold(db, pkg, owner, sql("h.sql", "create table app.\"" + odd.replace("\"", "\"\"") + "\" (a int);\n"
        + "grant select on app.\"" + odd.replace("\"", "\"\"") + "\" to public;\n"));

    assertThat(r.exit()).as(r.err()).isZero();
    String yaml = Files.readString(pkg.resolve("package.yaml"));
    assertThat(yaml).doesNotContain("\u2028").doesNotContain("\u200f");
    assertValid(pkg);
    ApplyPackage p = PackageLoader.withInstalledChecks().load(pkg);
    YamlValue.Mapping absent = (YamlValue.Mapping) p.preflight().get(1).args();
    assertThat(p.preflight().get(1).name()).isEqualTo("objects_absent");
    assertThat(((YamlValue.Scalar) ((YamlValue.Sequence) absent.get("tables").orElseThrow()).items().get(0)).value())
        .isEqualTo(odd);
  }

  @Test
  void whatTheTargetContradictsIsLeftOutWithAWarningOnStderrAndInTheFile(TestDatabase db) throws IOException {
    String owner = appSchema(db);
    Path pkg = dir.resolve("contradicted");

    Cli r = scaffold(db, pkg, owner, sql("c.sql", "-- one\nCREATE TABLE IF NOT EXISTS app.customer (id bigint);\n"));

    assertThat(r.exit()).as(r.err()).isZero();
    String warning = "ddl/c.sql:2: table app.customer exists already: objects_absent left out (the CREATE fails unless"
        + " it says IF NOT EXISTS or OR REPLACE)";
    assertThat(r.err().lines().toList()).containsExactly("warning: " + warning);
    assertThat(Files.readString(pkg.resolve("package.yaml"))).contains("\n  # warning: " + warning + "\n");
    assertThat(section(fields(pkg), "preflight")).noneMatch(l -> l.contains("objects_absent"));
  }

  /** The derived preflight holds on the target it was read from; signed, the package applies and verifies there. */
  @Test
  @Tag("pgdump")
  void theScaffoldedPackageSignedPassesPreflightAndAppliesOnItsTarget(TestDatabase db) throws IOException {
    String owner = appSchema(db);
    assertThat(Cli.run("init", "--target", db.uri("postgres"), "--grant", owner).exit()).isZero();
    Path pkg = dir.resolve("applied");
    Cli r = scaffold(db, pkg, owner, sql("apply.sql", """
        CREATE TABLE app.invoice (id bigint PRIMARY KEY, customer_id bigint REFERENCES app.customer (id));
        ALTER TABLE app.customer ADD COLUMN vip boolean NOT NULL DEFAULT false;
        """), "--rollback", sql("back.sql", "DROP TABLE app.invoice;\nALTER TABLE app.customer DROP COLUMN vip;\n")
        .toString());
    assertThat(r.exit()).as(r.err()).isZero();
    approver.sign(pkg);
    String[] common = {"--target", db.uri(owner), "--trust", approver.trust().toString(), "--report-dir",
        dir.resolve("reports").toString()};

    Cli preflight = Cli.run(Stream.concat(Stream.of("preflight", pkg.toString()), Stream.of(common)).toArray(String[]::new));
    assertThat(preflight.exit()).as(preflight.out() + preflight.err()).isZero();

    Cli apply = Cli.run(Stream.concat(Stream.of("apply", pkg.toString()), Stream.of(common)).toArray(String[]::new));
    assertThat(apply.exit()).as(apply.out() + apply.err()).isZero();
    assertThat(apply.out()).containsPattern("(?m)^verify +PASS");
    assertThat(db.queryValue("select count(*) from pg_class where relname = 'invoice'")).isEqualTo("1");
  }

  // ---- refusals: one line, exit 2, nothing written

  /** The one line a refusal prints (exit 2, nothing on stdout). */
  private static String refusal(Cli r) {
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList()).hasSize(1);
    return r.err().strip();
  }

  /** No package and no staging directory were left beside where it would have gone. */
  private static void assertNothingLeft(Path pkg) throws IOException {
    try (Stream<Path> s = Files.list(pkg.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).as("no staging directory left behind")
          .noneMatch(n -> n.contains(".new-"));
    }
  }

  @Test
  void refusesADirectoryThatIsNotEmptyAndLeavesItAsItWas(TestDatabase db) throws IOException {
    String owner = appSchema(db);
    Path pkg = Files.createDirectories(dir.resolve("taken"));
    Files.writeString(pkg.resolve("notes.txt"), "mine");

    Cli r = scaffold(db, pkg, owner, sql("c.sql", "create table app.t (a int);\n"));

    assertNothingLeft(pkg);
    assertThat(refusal(r)).isEqualTo(pkg + ": exists and is not empty; package new writes only into a new or empty"
        + " directory");
    try (Stream<Path> s = Files.list(pkg)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("notes.txt");
    }
  }

  @Test
  void writesIntoAnEmptyDirectoryKeepingIt(TestDatabase db) throws IOException {
    String owner = appSchema(db);
    Path pkg = Files.createDirectories(dir.resolve("empty"));
    Object inode = Files.readAttributes(pkg, BasicFileAttributes.class).fileKey();

    Cli r = scaffold(db, pkg, owner, sql("c.sql", "create table app.t (a int);\n"));

    assertThat(r.exit()).as(r.err()).isZero();
    assertValid(pkg);
    assertThat(Files.readAttributes(pkg, BasicFileAttributes.class).fileKey())
        .as("the same directory, filled: a shell standing in it (package new .) sees the package").isEqualTo(inode);
    assertNothingLeft(pkg);
  }

  @Test
  void refusesSqlThatCannotRunAsAnArtifact(TestDatabase db) throws IOException {
    String owner = appSchema(db);
    Path pkg = dir.resolve("bad-sql");
    Path change = sql("bad.sql", "create table app.t (a int);\nrollback;\n");

    Cli r = scaffold(db, pkg, owner, change);

    assertNothingLeft(pkg);
    assertThat(refusal(r)).isEqualTo(change + ":2:1: `rollback` is transaction control: cutter runs the artifact in one"
        + " transaction it controls; remove it (only a BEGIN … COMMIT pair wrapping the whole file is accepted, and absorbed)");
    assertThat(pkg).doesNotExist();

    Path unsplit = sql("unsplit.sql", "create table app.t (a int);\ncreate table app.u (b text default 'x);\n");
    assertThat(refusal(scaffold(db, pkg, owner, unsplit))).isEqualTo(unsplit + ":2: unterminated quoted string at end of"
        + " file");

    Path meta = sql("meta.sql", "create table app.t (a int);\n\\connect other\n");
    assertThat(refusal(scaffold(db, pkg, owner, meta))).isEqualTo(meta + ":2:1: psql meta-command \\connect cannot run"
        + " over a database connection; remove it (only plain SQL is sent)");

    Path back = sql("back.sql", "drop table app.t;\ncommit;\n");
    assertThat(refusal(scaffold(db, pkg, owner, sql("ok.sql", "create table app.t (a int);\n"), "--rollback",
        back.toString()))).isEqualTo(back + ":2:1: `commit` is transaction control: cutter runs the artifact in one"
            + " transaction it controls; remove it (only a BEGIN … COMMIT pair wrapping the whole file is accepted, and absorbed)");
    assertThat(pkg).doesNotExist();
  }

  @Test
  void refusesWhenTheTargetCannotBeReached(TestDatabase db) throws IOException {
    Path pkg = dir.resolve("unreached");
    Cli r = Cli.run("package", "new", pkg.toString(), "--sql", sql("c.sql", "create table app.t (a int);\n").toString(),
        "--id", "scaffolded", "--apply-role", "app_owner", "--target", "postgresql://postgres@127.0.0.1:1/nowhere");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().lines().toList()).hasSize(1).allSatisfy(l -> assertThat(l)
        .startsWith("cannot reach the target, and target.database, target.system_identifier, target.server_version, the"
            + " derived checks and backup.min_bytes come from it: cannot connect to postgresql://postgres@127.0.0.1:1/nowhere: ")
        .endsWith("; nothing written"));
    assertThat(pkg).doesNotExist();
  }

  @Test
  void refusesWhenTheLoginCannotReadTheSystemIdentifier() throws Exception {
    // a server of its own: pg_control_system() is executable by PUBLIC until revoked
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start();
        Connection c = server.superuserConnection("postgres"); Statement st = c.createStatement()) {
      st.execute("revoke execute on function pg_catalog.pg_control_system() from public");
      st.execute("create role plain_login login");
      Path pkg = dir.resolve("no-sysid");

      Cli r = Cli.run("package", "new", pkg.toString(), "--sql", sql("c.sql", "create table public.t (a int);\n")
          .toString(), "--id", "scaffolded", "--apply-role", "plain_login", "--target", server.uri("plain_login", "postgres"));

      assertNothingLeft(pkg);
      assertThat(refusal(r)).isEqualTo("target.system_identifier cannot be filled: cannot read the system identifier:"
          + " pg_catalog.pg_control_system() is not executable by role plain_login (SQLSTATE 42501); as a superuser run:"
          + " grant execute on function pg_catalog.pg_control_system() to plain_login; nothing written");
      assertThat(pkg).doesNotExist();
    }
  }

  @Test
  void refusesAnApplyRoleTheTargetDoesNotHave(TestDatabase db) throws IOException {
    appSchema(db);
    Path pkg = dir.resolve("no-role");

    Cli r = scaffold(db, pkg, "nobody_here_42", sql("c.sql", "create table app.t (a int);\n"));

    assertNothingLeft(pkg);
    assertThat(refusal(r)).isEqualTo("--apply-role: no role nobody_here_42 in the cluster of database " + db.name()
        + ": name the role the change runs as (it must exist before the package can run)");
    assertThat(pkg).doesNotExist();
  }

  @Test
  void refusesABadIdAndAFileAsDirBeforeReadingAnything(TestDatabase db) throws IOException {
    String owner = appSchema(db);
    Path change = sql("c.sql", "create table app.t (a int);\n");
    Path pkg = dir.resolve("bad-id");
    Cli bad = Cli.run("package", "new", pkg.toString(), "--sql", change.toString(), "--id", "Bad Id", "--apply-role",
        owner, "--target", db.uri("postgres"));
    assertNothingLeft(pkg);
    assertThat(refusal(bad)).isEqualTo("--id: \"Bad Id\" is not a package id: expected [a-z0-9][a-z0-9._-]{2,127}");

    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertThat(refusal(scaffold(db, file, owner, change))).isEqualTo(file + ": exists and is not a directory; name a new"
        + " directory for the package");

    Path missing = dir.resolve("in").resolve("missing.sql");
    assertThat(refusal(scaffold(db, pkg, owner, missing))).isEqualTo("--sql " + missing + ": cannot read it (no such file)");
    assertThat(pkg).doesNotExist();
  }
}
