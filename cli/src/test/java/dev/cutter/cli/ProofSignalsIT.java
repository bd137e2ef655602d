package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real {@code cutter backup --prove --restore-into} (the shaded jar in a child JVM)
 * while pg_dump waits on a lock the test holds: the proof's database, created on the operator's
 * server before the dump, is dropped on the way out, as after a failure; no copy of production
 * stays behind on another server because cutter was stopped politely.
 */
@WithPostgres
@Tag("pgdump")
class ProofSignalsIT {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private static String proofDatabases(TestDatabase db) {
    return db.queryValue("select count(*) from pg_database where datname like 'cutter\\_proof\\_%'");
  }

  @Test
  void sigtermDuringAProofIntoAnOperatorsServerDropsTheProofDatabase(TestDatabase db) throws Exception {
    db.execute("create table public.held (id int); insert into public.held select generate_series(1, 1000)");
    Path pkg = approver.write(dir.resolve("pkg"), "sig-proof", db, "postgres", "create table sig_t (id int);\n", "[]",
        "[]", dir.resolve("backups"));
    assertThat(proofDatabases(db)).isEqualTo("0");
    try (Connection blocker = db.superuser(); Statement st = blocker.createStatement()) {
      blocker.setAutoCommit(false);
      st.execute("lock table public.held in access exclusive mode");
      ChildCutter child = ChildCutter.start(dir.resolve("logs"), Map.of(), "backup", pkg.toString(), "--target",
          db.uri("postgres"), "--trust", approver.trust().toString(), "--prove", "--restore-into",
          db.uri("postgres").replace("/" + db.name(), "/postgres"));
      FaultInjectionIT.awaitActivity(db, child, "application_name = 'cutter pg_dump' and wait_event_type = 'Lock'");
      assertThat(proofDatabases(db)).as("the proof's database exists while pg_dump runs").isEqualTo("1");

      child.terminate();
      Cli r = child.await(60);

      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(143);
      blocker.rollback();
    }
    assertThat(proofDatabases(db)).as("the proof's database was dropped on SIGTERM").isEqualTo("0");
  }
}
