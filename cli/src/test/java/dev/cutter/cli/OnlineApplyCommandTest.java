package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cutter apply} of a package with an online step, through the real command line. */
@WithPostgres
class OnlineApplyCommandTest {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private Cli apply(Path pkg, TestDatabase db) {
    return Cli.run("apply", pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString());
  }

  private Path example(TestDatabase db) {
    Approver.setUpExample(db, "online-index");
    Cli init = Cli.run("init", "--target", db.uri("postgres"), "--grant", "shop_owner");
    assertThat(init.exit()).as(init.err()).isZero();
    return approver.example("online-index", dir.resolve("pkg"), db, dir.resolve("backups"));
  }

  private String reportYaml() throws IOException {
    try (Stream<Path> s = Files.walk(dir.resolve("reports"))) {
      List<Path> yaml = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      return Files.readString(yaml.get(yaml.size() - 1));
    }
  }

  @Test
  @Tag("pgdump") // pg_dump of the server under test
  void appliesTheTableThenBuildsItsIndexesConcurrentlyThenVerifies(TestDatabase db) throws IOException {
    Cli r = apply(example(db), db);

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(db.queryValue("select string_agg(c.relname || ':' || i.indisvalid || ':' || pg_get_userbyid(c.relowner),"
        + " ',' order by c.relname) from pg_index i join pg_class c on c.oid = i.indexrelid"
        + " where i.indrelid = 'shop.order_event'::regclass and c.relname like 'order_event_%_idx'"))
        .isEqualTo("order_event_created_at_idx:true:shop_owner,order_event_order_id_idx:true:shop_owner");
    assertThat(db.queryValue("select verdict || ' ' || phase from cutter.journal")).isEqualTo("PASS online_done");
    String yaml = reportYaml();
    assertThat(yaml).contains("  - id: online\n    status: PASS\n").contains("online:\n  status: DONE\n"
        + "  statements_total: 3\n  statements_done: 3\n  lock_timeout: 5000ms\n  statement_timeout: 1800000ms\n");
    assertThat(yaml.indexOf("- id: online")).as("online before verify").isLessThan(yaml.indexOf("- id: verify"));
    assertThat(yaml).contains("      - id: online_privileges\n        status: PASS\n")
        .contains("        actual: \"0 existing owned, 2 left to the change\"\n");
  }

  @Test
  void anOnlineStatementOnATableApplyRoleDoesNotOwnIsBlockedInPreflight(TestDatabase db) throws IOException {
    Path pkg = example(db);
    db.execute("create table shop.audit (a int)"); // owned by the superuser, not by shop_owner
    Files.writeString(pkg.resolve("ddl/online.sql"), "CREATE INDEX CONCURRENTLY audit_a_idx ON shop.audit (a);\n");
    assertThat(Cli.run("package", "hash", pkg.toString()).exit()).isZero();
    Files.delete(pkg.resolve("package.yaml.asc"));
    approver.sign(pkg);

    Cli r = apply(pkg, db);

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(reportYaml()).contains("      - id: online_privileges\n        status: FAIL\n")
        .contains("statement 1 (line 1): shop.audit is owned by postgres");
    assertThat(db.queryValue("select to_regclass('shop.order_event') is null")).as("nothing changed").isEqualTo("t");
  }

  @Test
  void anOnlineArtifactSwappedAfterSigningIsBlockedBeforeAnythingRuns(TestDatabase db) throws IOException {
    Path pkg = example(db);
    Files.writeString(pkg.resolve("ddl/online.sql"), "CREATE INDEX CONCURRENTLY order_event_kind_idx"
        + " ON shop.order_event (kind);\n");

    Cli r = apply(pkg, db);

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out()).contains("verdict: BLOCKED");
    assertThat(reportYaml()).contains("  - id: P3_artifact_integrity\n    status: FAIL\n")
        .contains("  - id: apply\n    status: NOT_RUN\n").contains("  - id: online\n    status: NOT_RUN\n");
    assertThat(db.queryValue("select to_regclass('shop.order_event') is null")).isEqualTo("t");
    assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
  }

  @Test
  void aForbiddenOnlineStatementIsAnInvalidPackageNamingFileLineAndColumn(TestDatabase db) throws IOException {
    Path pkg = example(db);
    Files.writeString(pkg.resolve("ddl/online.sql"), "ANALYZE shop.order_event;\n  BEGIN;\n"
        + "CREATE INDEX CONCURRENTLY x ON shop.order_event (kind) \\; UPDATE shop.orders SET placed = now();\n");
    assertThat(Cli.run("package", "hash", pkg.toString()).exit()).isZero();
    Files.delete(pkg.resolve("package.yaml.asc"));
    approver.sign(pkg);

    Cli r = apply(pkg, db);

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).contains("ddl/online.sql:2:3: online step: `BEGIN` is transaction control")
        .contains("ddl/online.sql:3:1: online step: a second statement follows `;` inside this one (joined with \\;)")
        .doesNotContain("\tat ");
    assertThat(db.queryValue("select to_regclass('shop.order_event') is null")).isEqualTo("t");
  }

  @Test
  @Tag("pgdump") // pg_dump of the server under test
  void dryRunRehearsesTheOnlineStepInTheSandboxAfterTheCommit() throws IOException {
    Cli r = Cli.run("dry-run", Path.of("..", "packages-examples", "online-index").toString(), "--report-dir",
        dir.resolve("reports").toString());

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    String yaml = reportYaml();
    assertThat(yaml).contains("  - id: online\n    status: PASS\n").contains("online:\n  status: DONE\n"
        + "  statements_total: 3\n  statements_done: 3\n");
    assertThat(yaml).contains("  - id: rollback\n    status: PASS\n");
  }

  @Test
  @Tag("pgdump") // pg_dump of the server under test
  void aUniqueIndexFailingOnDuplicatesEscalatesDropsTheInvalidIndexAndConsumesThePackage(TestDatabase db)
      throws IOException {
    String role = db.createRole("app");
    db.execute("grant create on schema public to " + role);
    assertThat(Cli.run("init", "--target", db.uri("postgres"), "--grant", role).exit()).isZero();
    Path pkg = approver.write(dir.resolve("dup"), "online-duplicates", db, role,
        "create table dup (a int);\ninsert into dup values (1), (1);\n", "[]", "[]", null);
    String online = "create unique index concurrently dup_a_key on dup (a);\n";
    Files.writeString(pkg.resolve("online.sql"), online);
    Files.writeString(pkg.resolve("package.yaml"), Files.readString(pkg.resolve("package.yaml"))
        + "online: { path: online.sql, sha256: \"" + Approver.sha256(online) + "\" }\n");
    Files.delete(pkg.resolve("package.yaml.asc"));
    approver.sign(pkg);

    Cli r = apply(pkg, db);

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(6);
    assertThat(r.out()).contains("verdict: ESCALATE");
    assertThat(db.queryValue("select count(*) from pg_class where relname = 'dup_a_key'")).isEqualTo("0");
    assertThat(db.queryValue("select count(*) from dup")).isEqualTo("2");
    assertThat(db.queryValue("select verdict || ' ' || phase from cutter.journal")).isEqualTo("ESCALATE online_failed");
    assertThat(reportYaml()).contains("    - index: '\"public\".\"dup_a_key\"'\n      status: DROPPED\n")
        .contains("      sqlstate: \"23505\"\n").doesNotContain("Key (a)=(1)");

    Cli replay = apply(pkg, db);
    assertThat(replay.exit()).as(replay.out() + replay.err()).isEqualTo(3);
    assertThat(replay.out()).contains("verdict: BLOCKED");
  }
}
