package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.catalog.Identifiers;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@WithPostgres
class BaselineCommandTest {

  @Test
  void printsOneBaselineEntryPerSchemaReadyToPaste(TestDatabase db) {
    db.execute("""
        create schema gov;
        create table gov.a (id int primary key, b_id int, n int check (n > 0));
        create table gov.b (id int primary key, code text unique);
        alter table gov.a add foreign key (b_id) references gov.b (id);
        create view gov.v as select 1 as one;
        """);
    db.execute("create schema \"Odd \"\"Name\"\"\"");
    Cli r = Cli.run("baseline", "--schema", "gov", "--schema", "Odd \"Name\"", "--target", db.uri("postgres"));

    assertThat(r.exit()).as(r.err()).isZero();
    // PostgreSQL 18 also counts NOT NULL constraints (n); the other letters are the same on 14 to 18.
    assertThat(r.out().replaceAll(", n: \\d+", "")).isEqualTo("""
        - baseline: {schema: gov, constraints: {p: 2, f: 1, u: 1, c: 1, x: 0, t: 0}, relations: {r: 2, p: 0, v: 1, m: 0, S: 0, i: 3, I: 0, f: 0, c: 0}}
        - baseline: {schema: "Odd \\"Name\\"", constraints: {p: 0, f: 0, u: 0, c: 0, x: 0, t: 0}, relations: {r: 0, p: 0, v: 0, m: 0, S: 0, i: 0, I: 0, f: 0, c: 0}}
        """);
  }

  @Test
  void outputJsonPrintsOneJsonArrayOfTheSameEntries(TestDatabase db) {
    db.execute("create schema gov; create table gov.a (id int primary key);");
    Cli r = Cli.run("--output", "json", "baseline", "--schema", "gov", "--target", db.uri("postgres"));

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().replaceAll(",\"n\":\\d+", "")).isEqualTo(
        "[{\"baseline\":{\"schema\":\"gov\",\"constraints\":{\"p\":1,\"f\":0,\"u\":0,\"c\":0,\"x\":0,\"t\":0},"
            + "\"relations\":{\"r\":1,\"p\":0,\"v\":0,\"m\":0,\"S\":0,\"i\":1,\"I\":0,\"f\":0,\"c\":0}}}]\n");
  }

  @TempDir static Path keys;

  /**
   * A schema named with a right-to-left override, an isolate and a line separator (Trojan Source):
   * the printed entry shows each as an escape, never raw, and pasted into a package it names the
   * same schema, so the baseline check passes on it.
   */
  @Test
  void aNameWithBidiControlsIsPrintedEscapedAndPastedNamesTheSameSchema(TestDatabase db, @TempDir Path dir) {
    String name = "gov\u202Etxt.exe\u2066\u2069\u2028x";
    db.execute("create schema " + Identifiers.quote(name) + "; create table " + Identifiers.quote(name) + ".t (id int primary key)");
    Cli r = Cli.run("baseline", "--schema", name, "--target", db.uri("postgres"));

    assertThat(r.exit()).as(r.err()).isZero();
    String entry = r.out().strip();
    assertThat(entry.replaceAll(", n: \\d+", "")).isEqualTo("- baseline: {schema: \"gov\\u202etxt.exe\\u2066\\u2069\\u2028x\", "
        + "constraints: {p: 1, f: 0, u: 0, c: 0, x: 0, t: 0}, relations: {r: 1, p: 0, v: 0, m: 0, S: 0, i: 1, I: 0, f: 0, c: 0}}");
    assertThat(entry.codePoints().allMatch(cp -> cp >= 0x20 && cp < 0x7f)).as("nothing but printable ASCII").isTrue();

    Approver approver = Approver.create(keys);
    String role = db.createRole("app");
    assertThat(Cli.run("init", "--target", db.uri("postgres"), "--grant", role).exit()).isZero();
    Path pkg = approver.write(dir.resolve("p"), "pasted-baseline", db, role, "select 1;\n", "\n  " + entry, "[]", null);
    Cli preflight = Cli.run("preflight", pkg.toString(), "--target", db.uri("postgres"), "--trust",
        approver.trust().toString(), "--report-dir", dir.resolve("reports").toString());
    assertThat(preflight.exit()).as(preflight.out() + preflight.err()).isZero();
    db.execute("create table " + Identifiers.quote(name) + ".u (id int)");
    Cli changed = Cli.run("preflight", pkg.toString(), "--target", db.uri("postgres"), "--trust",
        approver.trust().toString(), "--report-dir", dir.resolve("reports").toString());
    assertThat(changed.exit()).as("a table more in that same schema: the pasted entry counted it").isEqualTo(3);
  }

  @Test
  void aMissingSchemaIsInvalidInput(TestDatabase db) {
    Cli r = Cli.run("baseline", "--schema", "nowhere", "--target", db.uri("postgres"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--schema: no schema nowhere in database " + db.name());
  }
}
