package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import org.junit.jupiter.api.Test;

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

  @Test
  void aMissingSchemaIsInvalidInput(TestDatabase db) {
    Cli r = Cli.run("baseline", "--schema", "nowhere", "--target", db.uri("postgres"));

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--schema: no schema nowhere in database " + db.name());
  }
}
