package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code cutter apply} process killed (SIGKILL) while its statement runs in a transaction: the
 * server runs the statement on. The next run is BLOCKED naming that earlier run, or waits for it
 * with {@code --lock-wait}, and never FAILS on its predecessor's locks.
 */
@WithPostgres
class BlockersKillIT {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private ChildCutter start(Path pkg, TestDatabase db, String... extra) {
    String[] args = new String[] {"apply", pkg.toString(), "--target", db.uri("postgres"), "--trust",
        approver.trust().toString(), "--report-dir", dir.resolve("reports").toString()};
    String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
    System.arraycopy(extra, 0, all, args.length, extra.length);
    return ChildCutter.start(dir.resolve("logs"), Map.of(), all);
  }

  @Test
  void theNextRunIsBlockedNamingTheKilledRunThenWaitsForItWithLockWait(TestDatabase db) throws Exception {
    String role = db.createRole("bk");
    db.execute("create table acct (id int primary key, balance int); insert into acct values (1, 100);"
        + " grant select, update on acct to " + role);
    Cli init = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(init.exit()).as(init.err()).isZero();
    Path pkg = approver.write(dir.resolve("pkg"), "bk-double", db, role,
        "update acct set balance = balance * 2 from pg_sleep(8.09);\n", "[]", "[]", null);

    ChildCutter child = start(pkg, db);
    FaultInjectionIT.awaitStatement(db, child, "pg_sleep(8.09)");
    String app = db.queryValue("select application_name from pg_stat_activity where query like '%pg_sleep(8.09)%'"
        + " and query not like '%pg_stat_activity%' and pid <> pg_backend_pid()");
    String firstRun = app.substring("cutter apply ".length());
    child.kill();

    Cli next = start(pkg, db).await(120);

    assertThat(next.exit()).as("BLOCKED, not FAILED on the predecessor's locks: " + next.out() + next.err())
        .isEqualTo(3);
    String report = FaultInjectionIT.reportOf(next);
    assertThat(report).contains("      application_name: cutter apply " + firstRun + "\n",
        "      reason: earlier_run_changing\n", "      cutter_run: " + firstRun + "\n", "      state: active\n");

    Cli waited = start(pkg, db, "--lock-wait", "90s").await(150);

    assertThat(waited.exit()).as("waits for the killed run's statement, then applies: " + waited.out() + waited.err())
        .isZero();
    assertThat(db.queryValue("select balance from acct")).as("the killed run's transaction rolled back; applied once")
        .isEqualTo("200");
  }
}
