package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cutter apply} with a second session in the way: the blockers gate and the retry, through the command line. */
@WithPostgres
class BlockersCommandTest {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private Cli apply(Path pkg, TestDatabase db, String... extra) {
    List<String> args = new ArrayList<>(List.of("apply", pkg.toString(), "--target", db.uri("postgres"),
        "--trust", approver.trust().toString(), "--report-dir", dir.resolve("reports").toString()));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  private String setUp(TestDatabase db) {
    String role = db.createRole("app");
    db.execute("create table acct (id int primary key, v int); insert into acct values (1, 100);"
        + " create table side (id int); alter table acct owner to " + role + "; grant create on schema public to " + role);
    Cli r = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(r.exit()).as(r.err()).isZero();
    return role;
  }

  /** A session named {@code app}, idle in a transaction after {@code sql}. */
  private static Connection idleInTransaction(TestDatabase db, String app, String sql) throws SQLException {
    Connection c = db.superuser();
    try (Statement st = c.createStatement()) {
      st.execute("set application_name = '" + app + "'");
      c.setAutoCommit(false);
      st.execute(sql);
    }
    return c;
  }

  private static int pid(Connection c) throws SQLException {
    try (Statement st = c.createStatement(); var rs = st.executeQuery("select pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private String report(String ext) throws IOException {
    try (Stream<Path> files = Files.walk(dir.resolve("reports"))) {
      Path p = files.filter(f -> f.toString().endsWith(ext)).max(java.util.Comparator.comparing(Path::toString))
          .orElseThrow();
      return Files.readString(p);
    }
  }

  @Test
  void aSessionIdleInTransactionOnTheAlteredTableIsBlockedAndNamedInTheReport(TestDatabase db) throws Exception {
    String role = setUp(db);
    Path pkg = approver.write(dir.resolve("pkg"), "add-note", db, role, "alter table acct add column note text;\n",
        "[]", "[]", null);
    try (Connection other = idleInTransaction(db, "billing-worker", "select v from acct where id = 1")) {
      Cli r = apply(pkg, db);

      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
      assertThat(r.out()).contains("verdict: BLOCKED");
      String yaml = report(".yaml");
      assertThat(yaml).contains("    - pid: " + pid(other) + "\n", "      application_name: billing-worker\n",
          "      state: idle in transaction\n", "      reason: holds_conflicting_lock\n",
          "      lock: AccessShareLock on acct\n", "      query: select v from acct where id = ****\n");
      assertThat(report(".md")).contains("## Blockers").contains("| " + pid(other) + " |");
      assertThat(db.queryValue("select count(*) from cutter.journal")).isEqualTo("0");
    }
  }

  @Test
  void withLockWaitABlockerThatEndsLetsTheChangeApply(TestDatabase db) throws Exception {
    String role = setUp(db);
    Path pkg = approver.write(dir.resolve("pkg"), "add-note", db, role, "alter table acct add column note text;\n",
        "[]", "[]", null);
    Connection other = idleInTransaction(db, "billing-worker", "select v from acct");
    CompletableFuture<Void> ends = CompletableFuture.runAsync(() -> {
      try (other) {
        Thread.sleep(1500);
        other.rollback();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    Cli r = apply(pkg, db, "--lock-wait", "60s");

    ends.get(30, TimeUnit.SECONDS);
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(report(".yaml")).contains("blockers:\n  status: PASS\n");
    assertThat(db.queryValue("select count(*) from information_schema.columns where column_name = 'note'"))
        .isEqualTo("1");
  }

  @Test
  void theRetriesOfThePackageAreSpentThenTheRunFailsNamingEachAttemptsBlocker(TestDatabase db) throws Exception {
    String role = setUp(db);
    db.execute("alter table side owner to " + role);
    Path pkg = approver.write(dir.resolve("pkg"), "lock-side", db, role,
        "lock table side in access exclusive mode;\ncreate table made (a int);\n", "[]", "[]", null);
    Path yaml = pkg.resolve("package.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("lock_timeout: 5s",
        "lock_timeout: 600ms\n  retries: 1\n  retry_wait: 100ms"));
    Files.delete(pkg.resolve("package.yaml.asc"));
    approver.sign(pkg);
    try (Connection other = idleInTransaction(db, "side-holder", "select count(*) from side")) {
      Cli r = apply(pkg, db);

      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(4);
      String report = report(".yaml");
      assertThat(report).contains("  retries: 1\n");
      String attempts = report.substring(report.indexOf("  attempts:"));
      assertThat(attempts.split("outcome: lock_timeout", -1)).as("two attempts, each a lock timeout").hasSize(3);
      assertThat(attempts.split("- pid: " + pid(other) + "\n", -1)).as("each naming the blocker").hasSize(3);
      assertThat(attempts).contains("application_name: side-holder");
      assertThat(db.queryValue("select to_regclass('public.made') is null")).isEqualTo("t");
    }
  }
}
