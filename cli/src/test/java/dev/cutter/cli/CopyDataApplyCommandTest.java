package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cutter apply} of an artifact that loads rows with {@code COPY … FROM STDIN} and inline
 * data: rehearsed and applied; the data is hashed with the artifact; its row values reach no
 * report, stdout or stderr, also when a row fails.
 */
@WithPostgres
class CopyDataApplyCommandTest {

  /** Looks like a live API key: the secret scanner would mask it, row-value masking must too. */
  private static final String SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
  /** A plain value no scanner recognises: only keeping the data out of the report hides it. */
  private static final String PLAIN = "Zebra-Quince-8841";

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  /** An apply role that may create in public, and cutter's journal granted to it. */
  private static String role(TestDatabase db) {
    String role = db.createRole("app");
    db.execute("grant create on schema public to " + role);
    Cli r = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(r.exit()).as(r.err()).isZero();
    return role;
  }

  private Cli apply(Path pkg, TestDatabase db) {
    return Cli.run("apply", pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString());
  }

  private static String sql(String table, String badId) {
    return "create table " + table + " (id int primary key, token text, note text);\n"
        + "copy " + table + " (id, token, note) from stdin;\n"
        + "1\t" + SECRET + "\t" + PLAIN + "\n"
        + "2\t\\N\ttab\\there\n"
        + badId + "\t" + PLAIN + "\t" + SECRET + "\n"
        + "\\.\n"
        + "create index on " + table + " (token);\n";
  }

  @Test
  void rehearsesAndAppliesTheCopyKeepingItsRowsOutOfEveryReport(TestDatabase db) throws Exception {
    Path pkg = approver.write(dir.resolve("pkg"), "copy-ok", db, role(db), sql("loaded", "3"),
        "[ { rehearse: true } ]", "[]", null);

    Cli r = apply(pkg, db);

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(db.queryValue("select string_agg(id || ':' || coalesce(token, '-') || ':' || note, '|' order by id)"
        + " from loaded")).isEqualTo("1:" + SECRET + ":" + PLAIN + "|2:-:tab\there|3:" + PLAIN + ":" + SECRET);
    assertThat(r.out() + r.err() + Approver.allFiles(dir.resolve("reports"))).doesNotContain(SECRET, PLAIN);
    assertThat(Approver.allFiles(dir.resolve("reports"))).contains("copy loaded (id, token, note) from stdin;");
  }

  @Test
  void aFailingRowStopsTheApplyAtTheCopyWithItsIndexLineAndSqlstateAndNoValue(TestDatabase db) throws Exception {
    Path pkg = approver.write(dir.resolve("pkg"), "copy-bad", db, role(db), sql("failed", PLAIN), "[]", "[]", null);

    Cli r = apply(pkg, db);

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(4);
    String reports = Approver.allFiles(dir.resolve("reports"));
    assertThat(reports).contains("22P02").contains("COPY failed, line 3, column id: \\\"****\\\"");
    assertThat(r.out() + r.err() + reports).doesNotContain(SECRET, PLAIN);
    assertThat(db.queryValue("select to_regclass('public.failed') is null")).as("rolled back whole").isEqualTo("t");
  }

  @Test
  void aChangedByteInTheDataFailsTheArtifactHash(TestDatabase db) throws Exception {
    Path pkg = approver.write(dir.resolve("pkg"), "copy-hash", db, role(db), sql("tampered", "3"), "[]", "[]", null);
    Path artifact = pkg.resolve("change.sql");
    String text = Files.readString(artifact, StandardCharsets.UTF_8);
    Files.writeString(artifact, text.replace("2\t\\N", "9\t\\N"), StandardCharsets.UTF_8);

    Cli r = apply(pkg, db);

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(r.out() + r.err()).contains("change.sql").contains("sha256");
    assertThat(db.queryValue("select to_regclass('public.tampered') is null")).isEqualTo("t");
  }

  @Test
  void copyToStdoutIsRefusedAtLoadWithItsLine(TestDatabase db) {
    Path pkg = approver.write(dir.resolve("pkg"), "copy-out", db, role(db),
        "create table o (id int);\ncopy o to stdout;\n", "[]", "[]", null);

    Cli r = apply(pkg, db);

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("change.sql:2:1: `copy o to stdout`: COPY … TO STDOUT would print table rows");
    assertThat(db.queryValue("select to_regclass('public.o') is null")).isEqualTo("t");
  }

}
