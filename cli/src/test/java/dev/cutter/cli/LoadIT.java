package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many independent packages applied at once from parallel cutter processes against one server,
 * half to each of two databases: every run completes, runs on one database queue on its lock
 * ({@code --lock-wait}), none is lost, every journal row is there. Size: {@code -Dcutter.load.applies}
 * (default 12; the documented load profile is 50), {@code -Dcutter.load.parallel} (default 6).
 */
@WithPostgres
class LoadIT {

  static final int APPLIES = Integer.getInteger("cutter.load.applies", 12);
  static final int PARALLEL = Integer.getInteger("cutter.load.parallel", 6);

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  @Test
  void everyParallelApplyCompletesAndIsJournaled(TestDatabase db) throws Exception {
    String role = db.createRole("load");
    String other = TestDatabase.unique("load_db");
    db.execute("create database " + other);
    String sysid = Approver.systemIdentifier(db);
    List<String> databases = List.of(db.name(), other);
    for (String name : databases) {
      try (var c = db.server().superuserConnection(name); var st = c.createStatement()) {
        st.execute("grant create on schema public to " + role);
      }
      Cli init = Cli.run("init", "--target", db.server().uri("postgres", name), "--grant", role);
      assertThat(init.exit()).as(init.err()).isZero();
    }
    List<Path> packages = new ArrayList<>();
    for (int i = 0; i < APPLIES; i++) {
      String database = databases.get(i % 2);
      packages.add(approver.write(dir.resolve("p" + i), "load-" + i, database, sysid, role,
          "create table load_" + i + " (id int primary key, v text);\ncreate index on load_" + i + " (v);\n", "[]",
          "[]", null));
    }

    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    List<Future<Cli>> runs = new ArrayList<>();
    for (int i = 0; i < APPLIES; i++) {
      String uri = db.server().uri("postgres", databases.get(i % 2));
      Path pkg = packages.get(i);
      runs.add(pool.submit(() -> ChildCutter.run(dir.resolve("logs"), Map.of(), 600, "apply", pkg.toString(),
          "--target", uri, "--trust", approver.trust().toString(), "--lock-wait", "10min", "--report-dir",
          dir.resolve("reports").toString(), "--quiet")));
    }
    List<Cli> results = new ArrayList<>();
    for (Future<Cli> f : runs) {
      results.add(f.get());
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("load: %d applies, %d parallel processes, two databases: %.1f s%n", APPLIES, PARALLEL, seconds);

    for (int i = 0; i < APPLIES; i++) {
      assertThat(results.get(i).exit()).as("apply %d: %s", i, results.get(i).out() + results.get(i).err()).isZero();
    }
    for (int k = 0; k < 2; k++) {
      String name = databases.get(k);
      int expected = APPLIES / 2 + (k == 0 ? APPLIES % 2 : 0);
      try (var c = db.server().superuserConnection(name); var st = c.createStatement();
          var rs = st.executeQuery("select count(*), count(*) filter (where verdict = 'PASS' and report_sha256 is not null), "
              + "count(distinct package_id), (select count(*) from pg_tables where tablename like 'load\\_%') "
              + "from cutter.journal")) {
        rs.next();
        assertThat(List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4))).as(name)
            .containsExactly(expected, expected, expected, expected);
      }
    }
  }
}
