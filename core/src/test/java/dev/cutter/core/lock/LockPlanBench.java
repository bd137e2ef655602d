package dev.cutter.core.lock;

import dev.cutter.core.exec.ApplyEngine;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplySettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The rehearsal with and without lock-plan recording on the 10,000-statement workload (b of
 * bench/apply: 2,000 tables, each with an index, a view and two comments), as P1's rehearse runs
 * it: one transaction through the apply engine, the end hook ({@link LockPlanRecorder#finish}
 * when recording) and a rollback. Rounds alternate the two; prints each time and the medians.
 *
 * <p>Not part of the suite: it runs only with {@code -Dcutter.bench.port=PORT}, against a throwaway
 * server that allows 2,000 tables in one transaction ({@code bench/lockplan.sh} starts one):
 * <pre>mvn -B -o -pl core -am test -Dtest=LockPlanBench -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dcutter.bench.port=PORT [-Dcutter.bench.rounds=3] [-Dcutter.bench.units=2000]</pre>
 */
@Tag("bench")
@EnabledIfSystemProperty(named = "cutter.bench.port", matches = "\\d+")
class LockPlanBench {

  /** Workload b of bench/apply/bench.py: 1 + 5 * units statements, one a line. */
  static List<ExecStatement> workload(int units) {
    List<String> out = new ArrayList<>();
    out.add("create schema bench;");
    for (int i = 0; i < units; i++) {
      out.add("create table bench.t" + i + " (id bigint primary key, name text not null, v numeric(12,2), "
          + "created timestamptz default now());");
      out.add("create index t" + i + "_name on bench.t" + i + " (name);");
      out.add("create view bench.v" + i + " as select id, name from bench.t" + i + " where v > 0;");
      out.add("comment on table bench.t" + i + " is E'table " + i + "\\nit''s \\\\ quoted; with a semicolon';");
      out.add("comment on column bench.t" + i + ".name is E'name of " + i + "\\t(tab)';");
    }
    List<ExecStatement> s = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      s.add(new ExecStatement(i + 1, i + 1, out.get(i)));
    }
    return s;
  }

  @Test
  void rehearsalWithAndWithoutRecording() throws Exception {
    String url = "jdbc:postgresql://" + System.getProperty("cutter.bench.host", "localhost") + ":"
        + System.getProperty("cutter.bench.port") + "/" + System.getProperty("cutter.bench.database", "bench");
    Properties p = new Properties();
    p.setProperty("user", System.getProperty("cutter.bench.user", "postgres"));
    p.setProperty("preferQueryMode", "simple"); // as the apply and rehearsal sessions
    int rounds = Integer.parseInt(System.getProperty("cutter.bench.rounds", "3"));
    int units = Integer.parseInt(System.getProperty("cutter.bench.units", "2000"));
    List<ExecStatement> statements = workload(units);
    long[] without = new long[rounds];
    long[] with = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      without[r] = once(url, p, statements, false);
      System.out.printf("round %d without recording: %d ms%n", r + 1, without[r]);
      with[r] = once(url, p, statements, true);
      System.out.printf("round %d with recording:    %d ms%n", r + 1, with[r]);
    }
    long a = median(without);
    long b = median(with);
    System.out.printf("%d statements, median of %d: without %d ms, with %d ms, ratio %.2f%n", statements.size(),
        rounds, a, b, (double) b / a);
  }

  private static long once(String url, Properties p, List<ExecStatement> statements, boolean record) throws SQLException {
    ApplySettings tx = new ApplySettings(ApplySettings.Mode.TRANSACTION, Duration.ofSeconds(5), Duration.ofMinutes(30));
    try (Connection c = DriverManager.getConnection(url, p); Connection committed = DriverManager.getConnection(url, p)) {
      LockPlanRecorder rec = new LockPlanRecorder(LockPlan.Source.REHEARSE, "change.sql", statements);
      long t0 = System.nanoTime();
      long[] end = new long[1];
      ApplyEngine.Outcome o = ApplyEngine.run(c, statements, tx, conn -> {
        if (record) {
          long f0 = System.nanoTime();
          rec.finish(conn, committed);
          end[0] = System.nanoTime() - f0;
        }
        try (Statement st = conn.createStatement()) {
          st.execute("set constraints all immediate");
        }
        throw new SQLException("rehearsal ends here", "00000");
      }, ApplyEngine.NO_RECHECK, record ? rec : ApplyEngine.NO_OBSERVER);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (o.failedIndex() == null || o.failedIndex() != -1) {
        throw new IllegalStateException("the rehearsal did not run through: " + o.error());
      }
      if (record) {
        LockPlan plan = rec.plan(null);
        int locks = plan.perStatement().stream().mapToInt(s -> s.locks().size()).sum();
        System.out.printf("  plan: %d entries with new locks (%d of them windows), %d locks, complete %s;"
            + " %d readings of the lock table, %d ms at the end%n", plan.perStatement().size(),
            plan.perStatement().stream().filter(LockPlan.StatementLocks::span).count(), locks, plan.complete(),
            rec.measurements(), end[0] / 1_000_000);
      }
      return ms;
    }
  }

  private static long median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
