package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import org.junit.jupiter.api.Test;

@WithPostgres
class InitCommandTest {

  @Test
  void createsTheJournalOnceAndGrantsTheApplyRole(TestDatabase db) {
    String app = db.createRole("app");
    Cli first = Cli.run("init", "--target", db.uri("postgres"), "--grant", app);
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).contains("cutter.journal ready");
    assertThat(Cli.run("init", "--target", db.uri("postgres"), "--grant", app).exit()).as("idempotent").isZero();
    assertThat(db.queryValue("select has_table_privilege('" + app + "', 'cutter.journal', 'INSERT')")).isEqualTo("t");
  }

  @Test
  void unreachableTargetIsOneLineNotAStackTrace() {
    Cli r = Cli.run("init", "--target", "postgresql://nobody@127.0.0.1:1/none");
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("cannot connect to postgresql://nobody@127.0.0.1:1/none").doesNotContain("\tat ");
  }

  @Test
  void printsTheExitCodesInHelp() {
    Cli r = Cli.run("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Exit codes:").contains("ESCALATE").contains("ROLLED_BACK");
  }

  @Test
  void versionNamesTheCommit() {
    Cli r = Cli.run("--version");
    assertThat(r.out()).containsPattern("cutter \\S+ \\(commit \\S+\\)");
  }
}
