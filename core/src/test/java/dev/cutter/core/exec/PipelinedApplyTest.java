package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.exec.ApplyEngine.Sending;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ApplySettings.Mode;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pipelined transactional apply reports exactly what the one-at-a-time apply reports: the
 * same script runs both ways on the same database state and the outcomes are compared field by
 * field (only the timings and how the statements were sent may differ).
 */
@WithPostgres
class PipelinedApplyTest {

  private static final ApplySettings TX = ApplySettings.defaults();

  /** What both ways must agree on. */
  record Seen(Ending ending, int total, int executed, List<Integer> committed, Integer failedIndex, Integer failedLine,
      dev.cutter.core.db.DbErrors.ServerError error, StatementNotices notices, int timed, Integer lastTimed) {
    static Seen of(Outcome o) {
      List<StatementTiming> ran = o.timings().ran();
      return new Seen(o.ending(), o.total(), o.executed(), o.committed(), o.failedIndex(), o.failedLine(), o.error(),
          o.notices(), ran.size(), ran.isEmpty() ? null : ran.get(ran.size() - 1).index());
    }
  }

  record Both(Outcome oneAtATime, Outcome pipelined) {}

  private static Connection simple(TestDatabase db) throws SQLException {
    return FreshSchema.simple(db);
  }

  private static List<ExecStatement> script(int n, IntFunction<String> text) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(new ExecStatement(i, i, text.apply(i)));
    }
    return out;
  }

  /** Runs {@code statements} one at a time, then pipelined, each from an empty schema p; compares. */
  private static Both both(TestDatabase db, List<ExecStatement> statements, ApplySettings settings) throws SQLException {
    Outcome[] o = new Outcome[2];
    Sending[] ways = {Sending.ONE_AT_A_TIME, Sending.PIPELINED};
    for (int k = 0; k < 2; k++) {
      db.execute(FreshSchema.MAKE);
      try (Connection c = simple(db)) {
        o[k] = ApplyEngine.run(c, statements, settings, conn -> { }, ApplyEngine.NO_RECHECK, ApplyEngine.NO_OBSERVER,
            ways[k]);
        if (o[k].ending() != Ending.COMMITTED) {
          assertThat(db.queryValue("select count(*) from pg_class where relnamespace = 'p'::regnamespace"))
              .as("rolled back: only p.base is left").isEqualTo("1");
        }
        try (Statement st = c.createStatement()) {
          assertThat(st.execute("select 1")).as("the session is usable after the run").isTrue();
        }
      }
    }
    assertThat(o[0].pipelining()).isNull();
    assertThat(o[1].pipelining()).as("sent pipelined").isNotNull();
    assertThat(o[1].pipelining().ranAfterFailure()).isZero();
    assertThat(Seen.of(o[1])).isEqualTo(Seen.of(o[0]));
    return new Both(o[0], o[1]);
  }

  @Test
  void everyFailurePositionOfAShortScriptIsReportedAlike(TestDatabase db) throws SQLException {
    String[] ok = {
        "create table p.a(x int primary key)",
        "do $$ begin raise notice 'first %', 1; raise warning 'careful' using detail = 'd1', hint = 'h1'; end $$",
        "insert into p.a values (1), (2)",
        "select x, 'two' from p.a order by x",
        "comment on table p.a is 'a table';",
    };
    String[] bad = {
        "select nosuch from p.base",                                       // 42703 with a position
        "do $$ begin raise notice 'about to fail'; raise exception 'boom %', 7 using detail = 'dd', hint = 'hh', errcode = 'P0001'; end $$",
        "insert into p.a values (1), (1)",                                 // 23505 with detail, table, constraint
        "create table p.a(x int)",                                         // 42P07
        "select 1/0",                                                      // 22012
    };
    for (int failAt = 1; failAt <= ok.length; failAt++) {
      int f = failAt;
      List<ExecStatement> s = script(ok.length, i -> i == f ? bad[i - 1] : ok[i - 1]);
      Both b = both(db, s, TX);
      assertThat(b.pipelined().ending()).isEqualTo(Ending.ROLLED_BACK);
      assertThat(b.pipelined().failedIndex()).isEqualTo(failAt);
      assertThat(b.pipelined().executed()).isEqualTo(failAt - 1);
      assertThat(b.pipelined().pipelining().refusedAfterFailure()).as("every later statement was sent and refused")
          .isEqualTo(ok.length - failAt);
    }
    Both first = both(db, script(5, i -> i == 1 ? bad[0] : ok[i - 1]), TX);
    assertThat(first.pipelined().error().sqlstate()).isEqualTo("42703");
    assertThat(first.pipelined().error().position()).isEqualTo(8);
    Both second = both(db, script(5, i -> i == 2 ? bad[1] : ok[i - 1]), TX);
    assertThat(second.pipelined().error().sqlstate()).isEqualTo("P0001");
    assertThat(second.pipelined().error().message()).isEqualTo("boom 7");
    assertThat(second.pipelined().error().detail()).isEqualTo("dd");
    assertThat(second.pipelined().error().hint()).isEqualTo("hh");
    assertThat(second.pipelined().notices().first()).extracting(StatementNotice::index, StatementNotice::message)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(2, "about to fail"));
    Both third = both(db, script(5, i -> i == 3 ? bad[2] : ok[i - 1]), TX);
    assertThat(third.pipelined().error().sqlstate()).isEqualTo("23505");
    assertThat(third.pipelined().error().constraint()).isEqualTo("a_pkey");
    assertThat(third.pipelined().notices().first()).extracting(StatementNotice::index, StatementNotice::severity,
        StatementNotice::message, StatementNotice::detail, StatementNotice::hint).containsExactly(
        org.assertj.core.groups.Tuple.tuple(2, "NOTICE", "first 1", null, null),
        org.assertj.core.groups.Tuple.tuple(2, "WARNING", "careful", "d1", "h1"));
  }

  @Test
  void aScriptThatSucceedsCommitsAlikeWithItsNoticesInOrder(TestDatabase db) throws SQLException {
    List<ExecStatement> s = script(700, i -> i % 7 == 0
        ? "do $$ begin raise notice 'n%', " + i + "; raise notice 'm%', " + i + "; end $$"
        : i % 11 == 0 ? "select " + i + " as n, 'row' as r"
        : "create table p.t" + i + "(id int)");
    Both b = both(db, s, TX);
    assertThat(b.pipelined().ending()).isEqualTo(Ending.COMMITTED);
    assertThat(b.pipelined().executed()).isEqualTo(700);
    assertThat(b.pipelined().notices().first()).hasSize(200);
    assertThat(b.pipelined().notices().first().get(0)).extracting(StatementNotice::index, StatementNotice::message)
        .containsExactly(7, "n7");
    assertThat(b.pipelined().notices().first().get(199)).extracting(StatementNotice::index, StatementNotice::message)
        .containsExactly(700, "m700");
    assertThat(b.pipelined().pipelining().windows()).as("700 statements in windows of 200 at most").isEqualTo(4);
    assertThat(b.pipelined().timings().ran()).hasSize(700);
    assertThat(db.queryValue("select count(*) from pg_class where relnamespace = 'p'::regnamespace")).isEqualTo("547");
  }

  @Test
  void aFailureBeyondTheFirstWindowsIsTheStatementThatFailed(TestDatabase db) throws SQLException {
    for (int failAt : new int[] {199, 200, 201, 450, 1000}) {
      List<ExecStatement> s = new ArrayList<>();
      for (int i = 1; i <= 1000; i++) {
        // the line differs from the index, as in a script with comments and multi-line statements
        s.add(new ExecStatement(i, 3 * i + 7, i == failAt
            ? "do $$ begin raise notice 'failing at %', " + i + "; perform p.nosuch(); end $$"
            : "create table p.t" + i + "(id int)"));
      }
      Both b = both(db, s, TX);
      assertThat(b.pipelined().failedIndex()).isEqualTo(failAt);
      assertThat(b.pipelined().failedLine()).isEqualTo(3 * failAt + 7);
      assertThat(b.pipelined().error().sqlstate()).isEqualTo("42883");
      assertThat(b.pipelined().executed()).isEqualTo(failAt - 1);
      assertThat(b.pipelined().notices().first()).extracting(StatementNotice::index).containsExactly(failAt);
    }
  }

  @Test
  void aStatementTimeoutFiringMidPipelineIsReportedAlike(TestDatabase db) throws SQLException {
    ApplySettings settings = new ApplySettings(Mode.TRANSACTION, Duration.ofSeconds(5), Duration.ofMillis(300));
    Both b = both(db, script(400, i -> i == 250 ? "select pg_sleep(3)" : "create table p.t" + i + "(id int)"),
        settings);
    assertThat(b.pipelined().failedIndex()).isEqualTo(250);
    assertThat(b.pipelined().error().sqlstate()).isEqualTo("57014");
    assertThat(b.pipelined().pipelining().refusedAfterFailure()).as("the rest of the window: 251..400")
        .isEqualTo(150);
  }

  @Test
  void aLockTimeoutFiringMidPipelineIsReportedAlike(TestDatabase db) throws Exception {
    db.execute("drop table if exists public.held; create table public.held(id int)");
    ApplySettings settings = new ApplySettings(Mode.TRANSACTION, Duration.ofMillis(200), Duration.ofMinutes(1));
    try (Connection holder = simple(db)) {
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.execute("lock table public.held in access share mode");
      }
      Both b = both(db, script(300, i -> i == 120 ? "alter table public.held add column y int"
          : "create table p.t" + i + "(id int)"), settings);
      assertThat(b.pipelined().failedIndex()).isEqualTo(120);
      assertThat(b.pipelined().error().sqlstate()).isEqualTo("55P03");
      holder.rollback();
    }
    assertThat(db.queryValue("select count(*) from pg_attribute where attrelid = 'public.held'::regclass and attname = 'y'"))
        .isEqualTo("0");
  }

  @Test
  @Timeout(240)
  void twentyThousandStatementsAndLargeOnesGoThroughWithoutDeadlock(TestDatabase db) throws SQLException {
    String big = "select '" + "x".repeat(300_000) + "' as big";
    String wide = "comment on table p.base is '" + "y".repeat(20_000) + "'";
    List<ExecStatement> s = script(20_000, i -> i % 5000 == 0 ? big : i % 997 == 0 ? wide
        : i % 50 == 0 ? "do $$ begin raise notice 'at %', " + i + "; end $$" : "insert into p.base values (" + i + ")");
    Both b = both(db, s, ApplySettings.defaults());
    assertThat(b.pipelined().ending()).isEqualTo(Ending.COMMITTED);
    assertThat(b.pipelined().executed()).isEqualTo(20_000);
    assertThat(b.pipelined().pipelining().windows()).as("bounded windows, a 300 kB statement alone")
        .isBetween(100, 400);
  }

  @Test
  @Timeout(240)
  void megabytesOfNoticesWhileLargeStatementsAreQueuedDoNotDeadlock(TestDatabase db) throws SQLException {
    // statement 1 makes the server write ~40 MB of notices before it reads the next statement; an
    // unbounded sender writing the 30 MB of statements behind it would wait for the server while
    // the server waits for it. The window bound keeps what is written ahead at 60 kB.
    String loud = "do $$ begin for i in 1..40000 loop raise notice '%', repeat('n', 1000); end loop; end $$";
    String filler = "comment on table p.base is '" + "z".repeat(30_000) + "'";
    List<ExecStatement> s = script(1000, i -> i == 1 ? loud : filler);
    Both b = both(db, s, ApplySettings.defaults());
    assertThat(b.pipelined().ending()).isEqualTo(Ending.COMMITTED);
    assertThat(b.pipelined().notices().total()).isEqualTo(40_000);
    assertThat(b.pipelined().notices().first()).hasSize(StatementNotices.KEPT);
  }

  @Test
  @Timeout(240)
  void anUnboundedSenderDeadlocksOnTheSameScript(TestDatabase db) throws Exception {
    // the counter-proof of the test above: with the window bounds lifted (as many statements as
    // the driver sends before its own forced Sync, no byte bound), the same kind of script stalls
    // with the server blocked writing its notices (wait event ClientWrite) and the client
    // blocked writing statements; it ends only when the server session is terminated.
    String loud = "do $$ begin for i in 1..60000 loop raise notice '%', repeat('n', 1000); end loop; end $$";
    String filler = "comment on table p.base is '" + "z".repeat(200_000) + "'";
    List<ExecStatement> s = script(250, i -> i == 1 ? loud : filler);
    db.execute(FreshSchema.MAKE);
    try (Connection c = simple(db); Connection watch = simple(db)) {
      int pid;
      try (Statement st = c.createStatement()) {
        java.sql.ResultSet rs = st.executeQuery("select pg_backend_pid()");
        rs.next();
        pid = rs.getInt(1);
      }
      c.setAutoCommit(false);
      java.util.concurrent.atomic.AtomicReference<Object> ended = new java.util.concurrent.atomic.AtomicReference<>();
      Thread sender = new Thread(() -> {
        try (Statement st = c.createStatement()) {
          ended.set(PipelinedSender.run(c, st, s, new StatementTimings.Recorder(), new StatementNotices.Log(), 255,
              Integer.MAX_VALUE));
        } catch (SQLException e) {
          ended.set(e);
        }
      });
      sender.start();
      int stalledPolls = 0;
      try (Statement w = watch.createStatement()) {
        for (int k = 0; k < 100 && stalledPolls < 10 && sender.isAlive(); k++) {
          Thread.sleep(500);
          java.sql.ResultSet rs = w.executeQuery("select wait_event from pg_stat_activity where pid = " + pid);
          stalledPolls = rs.next() && "ClientWrite".equals(rs.getString(1)) ? stalledPolls + 1 : 0;
        }
        assertThat(stalledPolls).as("the server waited 5 s to write while the client was still sending").isEqualTo(10);
        assertThat(sender.isAlive()).isTrue();
        w.execute("select pg_terminate_backend(" + pid + ")");
      }
      sender.join(60_000);
      assertThat(sender.isAlive()).isFalse();
      assertThat(ended.get()).as("the stalled send ends only with the connection").isInstanceOf(PipelinedSender.Result.class);
      PipelinedSender.Result r = (PipelinedSender.Result) ended.get();
      assertThat(r.failed().index()).as("blamed on the statement in flight").isEqualTo(1);
      assertThat(r.error().getSQLState()).startsWith("08");
    }
    List<ExecStatement> bounded = script(250, i -> i == 1 ? loud : filler.substring(0, 25_000) + "'");
    Both b = both(db, bounded, ApplySettings.defaults());
    assertThat(b.pipelined().ending()).isEqualTo(Ending.COMMITTED);
    assertThat(b.pipelined().notices().total()).isEqualTo(60_000);
  }

  @Test
  void theServerRunsNoStatementSentAfterTheFailedOne(TestDatabase db) throws SQLException {
    // nextval is not undone by a rollback: had any statement after the failing one run, the
    // sequence would show it
    db.execute("drop sequence if exists public.after_fail; create sequence public.after_fail");
    List<ExecStatement> s = script(60, i -> i == 2 ? "select 1/0" : i == 30 ? "selec 1"
        : "select nextval('public.after_fail')");
    try (Connection c = simple(db)) {
      Outcome o = ApplyEngine.run(c, s, TX, conn -> { });
      assertThat(o.failedIndex()).as(String.valueOf(o.error())).isEqualTo(2);
      assertThat(o.pipelining()).as("58 sent after the failure, all refused, one of them at parse")
          .isEqualTo(new ApplyEngine.Pipelining(1, 58, 0));
    }
    assertThat(db.queryValue("select last_value || ' ' || is_called from public.after_fail")).isEqualTo("1 true");
  }

  @Test
  @Timeout(120)
  void aSessionTerminatedMidPipelineIsReportedAlike(TestDatabase db) throws Exception {
    List<ExecStatement> s = script(300, i -> i == 150 ? "select pg_sleep(60)" : "create table p.t" + i + "(id int)");
    Seen[] seen = new Seen[2];
    Sending[] ways = {Sending.ONE_AT_A_TIME, Sending.PIPELINED};
    for (int k = 0; k < 2; k++) {
      db.execute(FreshSchema.MAKE);
      Thread killer = new Thread(() -> {
        try (Connection w = simple(db); Statement st = w.createStatement()) {
          for (int n = 0; n < 400; n++) {
            java.sql.ResultSet rs = st.executeQuery(
                "select pg_terminate_backend(pid) from pg_stat_activity where wait_event = 'PgSleep'");
            if (rs.next()) {
              return;
            }
            Thread.sleep(100);
          }
        } catch (SQLException | InterruptedException ignored) {
          // the test's assertions below fail then
        }
      });
      killer.start();
      try (Connection c = simple(db)) {
        Outcome o = ApplyEngine.run(c, s, TX, conn -> { }, ApplyEngine.NO_RECHECK, ApplyEngine.NO_OBSERVER, ways[k]);
        seen[k] = Seen.of(o);
      }
      killer.join();
      assertThat(db.queryValue("select count(*) from pg_class where relnamespace = 'p'::regnamespace"))
          .as("nothing committed").isEqualTo("1");
    }
    assertThat(seen[1]).isEqualTo(seen[0]);
    assertThat(seen[1].ending()).isEqualTo(Ending.CONNECTION_LOST);
    assertThat(seen[1].failedIndex()).isEqualTo(150);
    assertThat(seen[1].error().sqlstate()).isEqualTo("57P01");
  }

  @Test
  void theServerReceivesEachStatementsTextUnchanged(TestDatabase db) throws SQLException {
    // current_query() is the text of the Query message the server is running
    List<String> texts = List.of(
        "create table p.log(n int, q text)",
        "insert into p.log values (1, current_query())",
        "insert into p.log values (2, current_query());",
        "/* lead */\ninsert into p.log values (3, current_query()) -- tail\n;",
        "insert into p.log values (4, current_query() || E'\\t' || 'é ✓ 𝄞')",
        "\n\n   insert into p.log values (5, current_query())   ;");
    List<ExecStatement> s = script(texts.size(), i -> texts.get(i - 1));
    for (Sending way : Sending.values()) {
      db.execute("drop schema if exists p cascade; create schema p");
      try (Connection c = simple(db)) {
        Outcome o = ApplyEngine.run(c, s, TX, conn -> { }, ApplyEngine.NO_RECHECK, ApplyEngine.NO_OBSERVER, way);
        assertThat(o.ending()).isEqualTo(Ending.COMMITTED);
        assertThat(o.pipelining()).isEqualTo(way == Sending.ONE_AT_A_TIME ? null
            : new ApplyEngine.Pipelining(1, 0, 0));
        List<String> got = new ArrayList<>();
        try (Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("select q from p.log order by n")) {
          while (rs.next()) {
            got.add(rs.getString(1));
          }
        }
        assertThat(got).as(way.name()).containsExactly(texts.get(1), texts.get(2), texts.get(3),
            texts.get(4) + "\té ✓ 𝄞", texts.get(5));
      }
    }
  }

  @Test
  void anObservedApplyAndAutocommitModeAreNotPipelined(TestDatabase db) throws SQLException {
    db.execute("drop schema if exists p cascade; create schema p");
    try (Connection c = simple(db)) {
      Outcome observed = ApplyEngine.run(c, script(3, i -> "create table p.o" + i + "(id int)"), TX, conn -> { },
          ApplyEngine.NO_RECHECK, (conn, st, nanos) -> { });
      assertThat(observed.pipelining()).isNull();
      assertThat(observed.ending()).isEqualTo(Ending.COMMITTED);
      Outcome auto = ApplyEngine.run(c, script(3, i -> "create table p.q" + i + "(id int)"),
          new ApplySettings(Mode.AUTOCOMMIT, Duration.ofSeconds(5), Duration.ofMinutes(1)), conn -> { });
      assertThat(auto.pipelining()).isNull();
      Outcome tx = ApplyEngine.run(c, script(3, i -> "create table p.r" + i + "(id int)"), TX, conn -> { });
      assertThat(tx.pipelining()).as("the default transactional apply is pipelined").isEqualTo(
          new ApplyEngine.Pipelining(1, 0, 0));
    }
  }

  @Test
  void aStatementJoinedByBackslashSemicolonGoesAloneAndIsReportedAlike(TestDatabase db) throws SQLException {
    // one Query message holding two commands yields two results: it must not be matched by order
    List<ExecStatement> s = script(6, i -> i == 3 ? "create table p.j1(id int) ; create table p.j2(id int)"
        : i == 5 ? "select 1/0" : "create table p.t" + i + "(id int)");
    Both b = both(db, s, TX);
    assertThat(b.pipelined().failedIndex()).isEqualTo(5);
    assertThat(b.pipelined().pipelining().windows()).as("1-2, 3 alone, 4-6").isEqualTo(3);
    Both ok = both(db, script(4, i -> i == 2 ? "create table p.j1(id int) ; select 1/0" : "create table p.t" + i + "(id int)"), TX);
    assertThat(ok.pipelined().failedIndex()).isEqualTo(2);
    assertThat(ok.pipelined().error().sqlstate()).isEqualTo("22012");
  }

  @Test
  void whatGoesAlone() {
    assertThat(PipelinedSender.pipelinable("create table a(id int);")).isTrue();
    assertThat(PipelinedSender.pipelinable("do $$ begin perform 1; perform 2; end $$")).isTrue();
    assertThat(PipelinedSender.pipelinable("select 1 ; select 2")).isFalse();
    assertThat(PipelinedSender.pipelinable("commit")).isFalse();
    assertThat(PipelinedSender.pipelinable("rollback")).isFalse();
    assertThat(PipelinedSender.pipelinable("savepoint s")).isFalse();
    assertThat(PipelinedSender.pipelinable("-- only a comment")).isFalse();
    assertThat(PipelinedSender.pipelinable("copy t from stdin")).isFalse();
    // one command with standard_conforming_strings on, two with it off: goes alone
    assertThat(PipelinedSender.pipelinable("select 'x\\'';select 1")).isFalse();
    assertThat(PipelinedSender.messageBytes("é")).isEqualTo(8);
  }
}
