package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.exec.ApplyEngine.Sending;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Statements joined into one Query message per window ({@link Joining}): the same script runs one
 * at a time and pipelined (joined) through a relay that counts the Query messages, each from an
 * empty schema p, and the outcomes are compared.
 */
@WithPostgres
class JoinedApplyTest {

  private static final ApplySettings TX = ApplySettings.defaults();

  /** An outcome and how many Query messages its run sent. */
  record Run(Outcome outcome, int messages) {}

  record Both(Run oneAtATime, Run joined) {
    /** The joined run's read of pg_event_trigger at BEGIN (every script here may join). */
    static final int READ = 1;

    /** Statements that travelled in a message with others: messages saved. */
    int saved() {
      return oneAtATime.messages - (joined.messages - READ);
    }

    /**
     * The Query messages the joined run sent for its statements, when the one-at-a-time run sent
     * {@code sent} statements (one message each) before it stopped; the rest (BEGIN, the
     * timeouts, ROLLBACK or COMMIT) is the same in both runs.
     */
    int joinedMessagesFor(int sent) {
      return joined.messages - READ - (oneAtATime.messages - sent);
    }
  }

  private static List<ExecStatement> script(int n, IntFunction<String> text) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      // the line differs from the index, as in a script with comments
      out.add(new ExecStatement(i, 2 * i + 1, text.apply(i)));
    }
    return out;
  }

  private static Run run(TestDatabase db, QueryMessageCounter relay, List<ExecStatement> s, Sending way)
      throws SQLException {
    return run(db, relay, s, way, TX, ApplyEngine.NO_OBSERVER);
  }

  private static Run run(TestDatabase db, QueryMessageCounter relay, List<ExecStatement> s, Sending way,
      ApplySettings settings, ApplyEngine.AfterStatement after) throws SQLException {
    db.execute("drop schema if exists p cascade; create schema p; create table p.base(id int)");
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("preferQueryMode", "simple");
    try (Connection c = DriverManager.getConnection(relay.jdbcUrl(db.name()), p)) {
      int before = relay.queries();
      Outcome o = ApplyEngine.run(c, s, settings, conn -> { }, ApplyEngine.NO_RECHECK, after, way);
      int sent = relay.queries() - before;
      if (o.ending() != Ending.COMMITTED) {
        assertThat(db.queryValue("select count(*) from pg_class where relnamespace = 'p'::regnamespace"))
            .as("rolled back: only p.base is left").isEqualTo("1");
      }
      try (Statement st = c.createStatement()) {
        assertThat(st.execute("select 1")).as("the session is usable after the run").isTrue();
      }
      return new Run(o, sent);
    }
  }

  private static Both both(TestDatabase db, List<ExecStatement> s) throws Exception {
    try (QueryMessageCounter relay = new QueryMessageCounter(db.server().host(), db.server().port())) {
      return new Both(run(db, relay, s, Sending.ONE_AT_A_TIME), run(db, relay, s, Sending.PIPELINED));
    }
  }

  /** What must be alike with and without joining when the failing statement is the first that fails. */
  private static void alike(Both b) {
    Outcome one = b.oneAtATime().outcome();
    Outcome joined = b.joined().outcome();
    assertThat(joined.pipelining()).isNotNull();
    assertThat(PipelinedApplyTest.Seen.of(joined)).isEqualTo(PipelinedApplyTest.Seen.of(one));
    assertThat(joined.failedAmongLast()).isNull();
  }

  @Test
  void aFailureFirstMiddleOrLastInAJoinedMessageIsTheStatementThatFailed(TestDatabase db) throws Exception {
    for (int failAt : new int[] {1, 3, 5}) {
      int f = failAt;
      List<ExecStatement> s = script(5, i -> i == f ? "create view p.v as select x, nosuchcolumn from p.base;"
          : "create table p.t" + i + "(id int);");
      Both b = both(db, s);
      alike(b);
      Outcome o = b.joined().outcome();
      assertThat(o.ending()).isEqualTo(Ending.ROLLED_BACK);
      assertThat(o.failedIndex()).isEqualTo(failAt);
      assertThat(o.failedLine()).isEqualTo(2 * failAt + 1);
      assertThat(o.error().sqlstate()).isEqualTo("42703");
      assertThat(o.executed()).isEqualTo(failAt - 1);
      // position 27 in the statement ("x" of "select x"), as the report's file:line:col reads it; the
      // server said 27 plus the statement's offset in the message
      assertThat(o.error().position()).isEqualTo(27);
      assertThat(o.pipelining()).isEqualTo(new ApplyEngine.Pipelining(1, 5 - failAt, 0));
      assertThat(b.joinedMessagesFor(failAt)).as("the five went as one message").isEqualTo(1);
    }
  }

  @Test
  void anErrorPositionBeyondTheFirstLineOfALaterStatementMapsAsWithoutJoining(TestDatabase db) throws Exception {
    List<ExecStatement> s = script(4, i -> i == 3 ? "create view p.v\n  as select 'é𝄞', nosuch\n  from p.base;"
        : i == 2 ? "comment on table p.base is 'é ✓ 𝄞 -- not a comment';" : "create table p.t" + i + "(id int);");
    Both b = both(db, s);
    alike(b);
    assertThat(b.joined().outcome().failedIndex()).isEqualTo(3);
    assertThat(b.joined().outcome().error().position()).isEqualTo(35)
        .isEqualTo(b.oneAtATime().outcome().error().position());
    assertThat(b.joinedMessagesFor(3)).isEqualTo(1);
  }

  @Test
  void aSyntaxErrorInAJoinedMessageIsItsStatementsAndNothingOfThatMessageRan(TestDatabase db) throws Exception {
    // the server raw-parses the whole message first: statements 1 and 2 never run
    List<ExecStatement> s = script(5, i -> i == 3 ? "create table p.t3 (id int,, x int);"
        : "create table p.t" + i + "(id int);");
    Both b = both(db, s);
    Outcome one = b.oneAtATime().outcome();
    Outcome joined = b.joined().outcome();
    assertThat(joined.ending()).isEqualTo(Ending.ROLLED_BACK).isEqualTo(one.ending());
    assertThat(joined.failedIndex()).isEqualTo(3).isEqualTo(one.failedIndex());
    assertThat(joined.failedLine()).isEqualTo(7).isEqualTo(one.failedLine());
    assertThat(joined.error()).isEqualTo(one.error());
    assertThat(joined.error().sqlstate()).isEqualTo("42601");
    assertThat(joined.error().position()).isEqualTo(27);
    assertThat(one.executed()).isEqualTo(2);
    assertThat(joined.executed()).as("1 and 2 were in the same message: not run").isZero();
    assertThat(joined.timings().ran()).extracting(StatementTiming::index).containsExactly(3);
    assertThat(joined.pipelining()).isEqualTo(new ApplyEngine.Pipelining(1, 2, 0));
    assertThat(joined.failedAmongLast()).isNull();
    assertThat(b.joinedMessagesFor(3)).isEqualTo(1);
  }

  @Test
  void noticesBelongToTheirStatementsInOrder(TestDatabase db) throws Exception {
    List<ExecStatement> s = script(8, i -> switch (i) {
      case 2 -> "create table if not exists p.base(id int);";
      case 4 -> "drop table if exists p.nosuch;";
      case 5 -> "drop view if exists p.nosuch;";
      case 7 -> "create view p.v as select x from p.base where x = 1;";
      default -> "create table p.t" + i + "(id int);";
    });
    Both b = both(db, s);
    Outcome joined = b.joined().outcome();
    assertThat(joined.notices()).isEqualTo(b.oneAtATime().outcome().notices());
    assertThat(joined.notices().first()).extracting(StatementNotice::index, StatementNotice::message).containsExactly(
        tuple(2, "relation \"base\" already exists, skipping"), tuple(4, "table \"nosuch\" does not exist, skipping"),
        tuple(5, "view \"nosuch\" does not exist, skipping"));
    assertThat(joined.failedIndex()).isEqualTo(7);
    assertThat(joined.error().position()).isEqualTo(27).isEqualTo(b.oneAtATime().outcome().error().position());
    assertThat(b.joinedMessagesFor(7)).isEqualTo(1);
    // without the failure: all eight in one message, committed
    Both ok = both(db, script(8, i -> i == 7 ? "create view p.v as select id from p.base;" : s.get(i - 1).text()));
    assertThat(ok.joined().outcome().ending()).isEqualTo(Ending.COMMITTED);
    assertThat(ok.joined().outcome().notices()).isEqualTo(ok.oneAtATime().outcome().notices());
    assertThat(ok.joined().outcome().timings().ran()).hasSize(8);
    assertThat(ok.saved()).isEqualTo(7);
  }

  @Test
  void aGlobalTemporaryTableOrALongNameGoesAloneWithItsNotice(TestDatabase db) throws Exception {
    String longName = "n".repeat(64);
    String longQuoted = "\"" + "Q".repeat(40) + "\"\"" + "q".repeat(23) + "\"";
    List<ExecStatement> s = script(9, i -> switch (i) {
      case 3 -> "create global temporary table gt(id int);";
      case 5 -> "create table p." + longName + "(id int);";
      case 7 -> "create table p." + longQuoted + "(id int);";
      default -> "create table p.t" + i + "(id int);";
    });
    Both b = both(db, s);
    alike(b);
    Outcome joined = b.joined().outcome();
    assertThat(joined.ending()).isEqualTo(Ending.COMMITTED);
    assertThat(joined.notices().first()).extracting(StatementNotice::index, StatementNotice::severity)
        .containsExactly(tuple(3, "WARNING"), tuple(5, "NOTICE"), tuple(7, "NOTICE"));
    // 1-2, 3, 4, 5, 6, 7, 8-9: seven messages for nine statements
    assertThat(b.saved()).isEqualTo(2);
  }

  @Test
  void whyTheyGoAloneTheServerRaisesTheirNoticesBeforeTheMessagesFirstStatementRuns(TestDatabase db)
      throws SQLException {
    String first = "create temporary table first_one(id int);\n";
    assertThat(events(db, first + "create temporary table " + "n".repeat(64) + "(id int);"))
        .as("the truncation NOTICE: before statement 1's result, and no position to tell it is statement 2's")
        .containsExactly("NOTICE at 0", "result", "result");
    assertThat(events(db, first + "create global temporary table second_one(id int);"))
        .as("the GLOBAL WARNING: before statement 1's result, its position in statement 2")
        .containsExactly("WARNING at " + (first.length() + 8), "result", "result");
  }

  /** What a Query message holding {@code text} yields, in order. */
  private static List<String> events(TestDatabase db, String text) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("preferQueryMode", "simple");
    List<String> seen = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), p)) {
      org.postgresql.core.QueryExecutor qe = c.unwrap(org.postgresql.core.BaseConnection.class).getQueryExecutor();
      qe.execute(qe.wrap(List.of(new org.postgresql.core.NativeQuery(text,
              org.postgresql.core.SqlCommand.createStatementTypeInfo(org.postgresql.core.SqlCommandType.BLANK)))),
          null, new org.postgresql.core.ResultHandlerBase() {
            @Override
            public void handleCommandStatus(String status, long updateCount, long insertOID) {
              seen.add("result");
            }

            @Override
            public void handleWarning(java.sql.SQLWarning w) {
              org.postgresql.util.ServerErrorMessage m = ((org.postgresql.util.PSQLWarning) w).getServerErrorMessage();
              seen.add(m.getSeverity() + " at " + m.getPosition());
            }
          }, 0, 0, org.postgresql.core.QueryExecutor.QUERY_EXECUTE_AS_SIMPLE
              | org.postgresql.core.QueryExecutor.QUERY_ONESHOT);
    }
    return seen;
  }

  @Test
  void setStandardConformingStringsOffEndsItsMessageAndWhatFollowsReadsAsPsqlReadsIt(TestDatabase db)
      throws Exception {
    List<ExecStatement> s = new ArrayList<>(script(300, i -> i == 1 ? "create table p.s(n int, v text);"
        : i == 3 ? "set standard_conforming_strings = off;"
        : "comment on table p.s is 'a\\\\b " + i + "';"));
    // as the splitter records them: the lines after the SET lexed with the setting off
    s.replaceAll(x -> x.index() > 3 ? new ExecStatement(x.index(), x.line(), x.text(), null, false) : x);
    Both b = both(db, s);
    alike(b);
    assertThat(b.joined().outcome().ending()).isEqualTo(Ending.COMMITTED);
    // 2 holds a backslash: it opens a message (Joining.Kind.LEADS) and 3 joins it; after the SET
    // nothing joins in its window (4..200), nor in the next ones, since the session's
    // standard_conforming_strings is now off
    assertThat(b.saved()).isEqualTo(1);
    assertThat(db.queryValue("select obj_description('p.s'::regclass)")).isEqualTo("a\\b 300");
    // the same with the setting left on: each comment opens a message the next statement joins,
    // and the backslashes are read as written
    Both on = both(db, script(300, i -> i == 1 ? "create table p.s(n int, v text);"
        : i % 2 == 1 ? "create table p.t" + i + "(id int);" : "comment on table p.s is 'a\\\\b " + i + "';"));
    // each comment's plain string holds a backslash: it is sent once every earlier result arrived
    // (it opens a window, the setting the server reported checked), and the odd one after it joins it
    assertThat(on.saved()).as("each even statement and the odd one after it, one message").isEqualTo(149);
    assertThat(on.joined().outcome().pipelining().windows()).as("1, then one window per comment").isEqualTo(151);
    assertThat(db.queryValue("select obj_description('p.s'::regclass)")).isEqualTo("a\\\\b 300");
  }

  /**
   * A function the server runs inside a DDL statement (a stable DEFAULT evaluated when the column
   * is added) turns standard_conforming_strings off, its name hidden from every word rule. psql
   * and one message per statement would read the next statement's {@code 'a\\b'} with the setting
   * off ({@code a\b}, with the server's WARNING), not as the split, the listing and the review
   * read it ({@code a\\b}); a message that joined it to the DDL was lexed whole before the DDL ran,
   * with the setting on: another statement than psql runs. A statement whose lexing depends on
   * the setting now only opens a message, and is sent only when the setting the server reports is
   * the split's: here it is not, and the run stops before it, joined or not.
   */
  @Test
  void aSettingAFunctionChangesMidMessageCannotMakeALaterStatementOfItReadOtherwiseThanPsqlReadsIt(TestDatabase db,
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    List<ExecStatement> s = script(5, i -> switch (i) {
      case 1 -> FLIP;
      case 2 -> "alter table p.base add column x int default p.flip();";
      case 3 -> "comment on table p.base is 'a\\\\b';";
      case 4 -> "comment on column p.base.x is U&'data';";
      default -> "create table p.t" + i + "(id int);";
    });
    Both b = both(db, s);
    Outcome one = b.oneAtATime().outcome();
    // one message per statement: 3 is not sent, its reading depends on the setting a function changed
    assertThat(one.failedIndex()).isEqualTo(3);
    assertThat(one.lexingChanged()).isEqualTo(new LexingSettingChanged.Mismatch(3, 7, true, false));
    assertThat(one.ending()).isEqualTo(Ending.ROLLED_BACK);
    assertThat(one.executed()).isEqualTo(2);
    assertThat(one.notices()).isEqualTo(b.joined().outcome().notices());
    alike(b);
    assertThat(b.joined().outcome().lexingChanged()).isEqualTo(one.lexingChanged());
    assertThat(b.joinedMessagesFor(2)).as("1 alone (a routine), 2; 3 not sent").isEqualTo(2);
    // psql, given the statements as a script, runs 3 with the setting off (a\b, not the a\\b the
    // listing shows) and stops at 4: what cutter now refuses to send
    db.execute("drop schema if exists p cascade; create schema p; create table p.base(id int)");
    java.nio.file.Path file = dir.resolve("flip.sql");
    java.nio.file.Files.writeString(file, String.join("\n", s.stream().map(ExecStatement::text).toList()) + "\n");
    ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.name(), "-f",
        file.toString(), "-h", db.server().host(), "-p", String.valueOf(db.server().port()), "-U",
        db.server().superuser()).redirectErrorStream(true).redirectOutput(dir.resolve("psql.log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    Process psql = pb.start();
    assertThat(psql.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    String log = java.nio.file.Files.readString(dir.resolve("psql.log"));
    assertThat(psql.exitValue()).as(log).isEqualTo(3);
    assertThat(log).contains("flip.sql:4:");
    assertThat(db.queryValue("select obj_description('p.base'::regclass)")).as("psql (autocommit) committed 3")
        .isEqualTo("a\\b");
    // an E'' string reads the same under either setting: sent (joined to 2), committed, as psql writes it
    List<ExecStatement> e = new ArrayList<>(s.subList(0, 2));
    e.add(new ExecStatement(3, 7, "comment on table p.base is E'a\\\\b';"));
    Both ok = both(db, e);
    assertThat(ok.joined().outcome().ending()).isEqualTo(Ending.COMMITTED);
    assertThat(db.queryValue("select obj_description('p.base'::regclass)")).isEqualTo("a\\b");
    assertThat(ok.joined().outcome().notices()).isEqualTo(ok.oneAtATime().outcome().notices());
    assertThat(ok.joinedMessagesFor(3)).as("1 alone, 2 and 3 joined").isEqualTo(2);
  }

  /** Turns standard_conforming_strings off for the session, its name hidden from every word rule. */
  static final String FLIP = "create function p.flip() returns int language plpgsql stable as $$ begin"
      + " execute 'select set_' || 'config($1, $2, false)' using 'standard_' || 'conforming_strings', 'off';"
      + " return 1; end $$;";

  /**
   * The attacker's string: one statement in the split, the listing and the review ({@code select}
   * of a string holding {@code ; drop table p.t; --}), and with the setting off two statements, the
   * second a DROP. After a function turned the setting off it is not sent (alone, one at a time, and
   * in autocommit mode), and p.t still exists; untouched, it runs as before.
   */
  @Test
  void aStringAFunctionsSettingWouldCutInTwoIsNotSent(TestDatabase db) throws Exception {
    String attack = "select 'a\\''; drop table p.t; --';";
    List<ExecStatement> s = script(4, i -> switch (i) {
      case 1 -> FLIP;
      case 2 -> "create table p.t(id int, x int default p.flip());";
      case 3 -> "insert into p.t(id) values (1);";
      default -> attack;
    });
    Both b = both(db, s);
    for (Outcome o : List.of(b.oneAtATime().outcome(), b.joined().outcome())) {
      assertThat(o.failedIndex()).isEqualTo(4);
      assertThat(o.lexingChanged()).isEqualTo(new LexingSettingChanged.Mismatch(4, 9, true, false));
      assertThat(o.ending()).isEqualTo(Ending.ROLLED_BACK);
      assertThat(o.error().sqlstate()).isNull();
    }
    alike(b);
    // autocommit: 1 to 3 committed one by one, 4 kept back, p.t still there
    db.execute("drop schema if exists p cascade; create schema p; create table p.base(id int)");
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("preferQueryMode", "simple");
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), p)) {
      Outcome o = ApplyEngine.run(c, s, new ApplySettings(ApplySettings.Mode.AUTOCOMMIT, TX.lockTimeout(), TX.statementTimeout()), x -> { });
      assertThat(o.ending()).isEqualTo(Ending.PARTIALLY_COMMITTED);
      assertThat(o.committed()).containsExactly(1, 2, 3);
      assertThat(o.lexingChanged()).isEqualTo(new LexingSettingChanged.Mismatch(4, 9, true, false));
    }
    assertThat(db.queryValue("select count(*) from p.t")).isEqualTo("1");
    // the setting untouched (a function that leaves it alone): the statement runs, one SELECT
    List<ExecStatement> plain = new ArrayList<>(s);
    plain.set(0, new ExecStatement(1, 3, FLIP.replace("'off'", "'on'")));
    Both same = both(db, plain);
    assertThat(same.joined().outcome().ending()).isEqualTo(Ending.COMMITTED);
    assertThat(same.oneAtATime().outcome().ending()).isEqualTo(Ending.COMMITTED);
    assertThat(db.queryValue("select count(*) from p.t")).isEqualTo("1");
  }

  /**
   * A session whose default is off (a role's or database's setting, here the connection's options)
   * where the split assumed on: the first statement whose reading depends on it is not sent, one at
   * a time and pipelined; a statement without such a string runs.
   */
  @Test
  void aSessionStartedWithTheSettingOffIsNoSessionTheSplitAssumed(TestDatabase db) throws Exception {
    List<ExecStatement> s = script(3, i -> i == 2 ? "comment on table p.base is 'a\\b';"
        : "create table p.t" + i + "(id int);");
    for (Sending way : Sending.values()) {
      db.execute("drop schema if exists p cascade; create schema p; create table p.base(id int)");
      Properties p = new Properties();
      p.setProperty("user", "postgres");
      p.setProperty("preferQueryMode", "simple");
      p.setProperty("options", "-c standard_conforming_strings=off");
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), p)) {
        Outcome o = ApplyEngine.run(c, s, TX, x -> { }, ApplyEngine.NO_RECHECK, ApplyEngine.NO_OBSERVER, way);
        assertThat(o.ending()).as(way.name()).isEqualTo(Ending.ROLLED_BACK);
        assertThat(o.executed()).as(way.name()).isEqualTo(1);
        assertThat(o.lexingChanged()).as(way.name()).isEqualTo(new LexingSettingChanged.Mismatch(2, 5, true, false));
      }
    }
    assertThat(db.queryValue("select count(*) from pg_class where relnamespace = 'p'::regnamespace")).isEqualTo("1");
  }

  /**
   * An explicit {@code SET standard_conforming_strings = off} in the script: the splitter follows
   * it from the next line, lexes the strings after it with the setting off, and the server reports
   * off: they run as psql runs them (no refusal), and RESET brings both back.
   */
  @Test
  void anExplicitSetTheSplitFollowsIsNoReasonToStop(TestDatabase db) throws Exception {
    String script = "create table p.t(id int, s text);\n"
        + "set standard_conforming_strings = off;\n"
        + "insert into p.t values (1, 'a\\'b\\\\c');\n"
        + "reset standard_conforming_strings;\n"
        + "insert into p.t values (2, 'a\\b');\n";
    List<ExecStatement> s = new ArrayList<>();
    for (dev.cutter.core.sql.SqlStatement x : dev.cutter.core.sql.SqlSplitter.split("s.sql", script).statements()) {
      s.add(new ExecStatement(x.index(), x.startLine(), x.text(), x.copyData(), x.standardConformingStrings()));
    }
    assertThat(s).extracting(ExecStatement::standardConformingStrings).containsExactly(true, true, false, false, true);
    Both b = both(db, s);
    assertThat(b.joined().outcome().ending()).isEqualTo(Ending.COMMITTED);
    assertThat(b.oneAtATime().outcome().ending()).isEqualTo(Ending.COMMITTED);
    assertThat(db.queryValue("select string_agg(s, '|' order by id) from p.t")).isEqualTo("a'b\\c|a\\b");
  }

  /**
   * The server places an error in a routine's body by searching the whole message's text for
   * that body ({@code function_parse_error_transpose}). A body written as a continued literal is
   * not found in its own statement, and the same text dollar-quoted in a later statement of the
   * message is: a joined message made the COMMENT after it the failing statement, and moved the
   * position into it. (The relation the body reads is there at the rehearsal; another session
   * drops it before the apply.) A statement defining a routine now goes alone.
   */
  @Test
  void anErrorInARoutinesBodyIsNotPlacedInAnotherStatementOfItsMessage(TestDatabase db) throws Exception {
    List<ExecStatement> s = script(4, i -> switch (i) {
      case 1 -> "create function p.f() returns bigint language sql as 'select count(*) '\n  'from p.gone';";
      case 2 -> "comment on schema p is $$select count(*) from p.gone$$;";
      default -> "create table p.t" + i + "(id int);";
    });
    Both b = both(db, s);
    Outcome one = b.oneAtATime().outcome();
    assertThat(one.failedIndex()).isEqualTo(1);
    assertThat(one.error().sqlstate()).isEqualTo("42P01");
    assertThat(one.error().position()).as("not found in its own text: no position").isZero();
    alike(b);
    assertThat(b.joinedMessagesFor(1)).as("1 alone, 2-4 joined after it in its window").isEqualTo(2);
    // a body found in its own statement only is placed there, joined or not
    List<ExecStatement> own = script(3, i -> i == 2
        ? "create function p.g() returns bigint language sql as $$select count(*) from p.gone$$;"
        : "create table p.t" + i + "(id int);");
    Both o = both(db, own);
    alike(o);
    assertThat(o.joined().outcome().failedIndex()).isEqualTo(2);
    assertThat(o.joined().outcome().error().position()).isEqualTo(77);
    // and a routine that is created goes alone: 1, 2, 3 are three messages
    Both ok = both(db, script(3, i -> i == 2
        ? "create function p.g() returns int language sql as $$select 1$$;" : "create table p.t" + i + "(id int);"));
    assertThat(ok.joined().outcome().ending()).isEqualTo(Ending.COMMITTED);
    assertThat(ok.saved()).isZero();
  }

  /**
   * ALTER COLUMN TYPE rebuilds an index from text the server writes itself ({@code CREATE INDEX …}),
   * and an error there carries a position into that text, not into the message. Alone, psql and
   * cutter give it to the ALTER; a joined message took the position for one into the message and
   * gave the error to the statement after the ALTER, or moved the position. An ALTER naming
   * {@code type} now goes alone.
   */
  @Test
  void anErrorWhosePositionIsInTextTheServerWroteStaysWithItsStatement(TestDatabase db) throws Exception {
    db.execute("drop table if exists public.tt; drop function if exists public.f(int);"
        + " create function public.f(int) returns int immutable language sql as 'select $1';"
        + " create table public.tt(c int);"
        + " create index an_index_whose_name_is_long on public.tt using btree (public.f(c))");
    try {
      for (int first : new int[] {1, 2}) {
        List<ExecStatement> s = script(4, i -> i == first ? "alter table public.tt alter c type bigint;"
            : "create table p.t" + i + "(id int);");
        Both b = both(db, s);
        Outcome one = b.oneAtATime().outcome();
        assertThat(one.failedIndex()).isEqualTo(first);
        assertThat(one.error().sqlstate()).isEqualTo("42883");
        assertThat(one.error().position()).as("in the server's own CREATE INDEX text").isEqualTo(68);
        alike(b);
      }
    } finally {
      db.execute("drop table public.tt; drop function public.f(int)");
    }
  }

  @Test
  void theStatementsOfAWindowTravelAsOneMessageAndTheWindowBoundsStay(TestDatabase db) throws Exception {
    List<ExecStatement> s = script(450, i -> "/* t" + i + " */\ncreate table p.t" + i + "(id int);\n");
    Both b = both(db, s);
    assertThat(b.joined().outcome().ending()).isEqualTo(Ending.COMMITTED);
    assertThat(b.joined().outcome().pipelining()).isEqualTo(new ApplyEngine.Pipelining(3, 0, 0));
    assertThat(b.saved()).as("three messages for 450 statements").isEqualTo(447);
    assertThat(db.queryValue("select count(*) from pg_class where relnamespace = 'p'::regnamespace")).isEqualTo("451");
  }

  @Test
  void statementTimeoutAppliesToEachStatementOfAJoinedMessage(TestDatabase db) throws Exception {
    // five statements of 0.3 s under a 1 s statement_timeout: psql runs them all, and so does one
    // message holding the five (PostgreSQL 13 and later time each statement of a message)
    ApplySettings settings = new ApplySettings(ApplySettings.Mode.TRANSACTION, java.time.Duration.ofSeconds(5),
        java.time.Duration.ofSeconds(1));
    // (DDL that runs 0.3 s: a CHECK validated on the one row of public.slow)
    db.execute("create table public.slow(id int); insert into public.slow values (1)");
    IntFunction<List<ExecStatement>> s = run -> script(5,
        i -> "alter table public.slow add constraint c" + run + "_" + i + " check (pg_sleep(0.3) is not null);");
    try (QueryMessageCounter relay = new QueryMessageCounter(db.server().host(), db.server().port())) {
      Run one = run(db, relay, s.apply(1), Sending.ONE_AT_A_TIME, settings, ApplyEngine.NO_OBSERVER);
      Run joined = run(db, relay, s.apply(2), Sending.PIPELINED, settings, ApplyEngine.NO_OBSERVER);
      assertThat(joined.outcome().ending()).isEqualTo(Ending.COMMITTED).isEqualTo(one.outcome().ending());
      assertThat(one.messages() - (joined.messages() - Both.READ)).as("the five as one message").isEqualTo(4);
      assertThat(db.queryValue("select count(*) from pg_constraint where conrelid = 'public.slow'::regclass"))
          .isEqualTo("10");
    }
  }

  @Test
  void aWindowedObserverAsTheRehearsalsKeepsEachStatementItsOwnMessage(TestDatabase db) throws Exception {
    ApplyEngine.WindowedObserver none = new ApplyEngine.WindowedObserver() {
      @Override
      public boolean observes(ExecStatement s) {
        return false;
      }

      @Override
      public void after(Connection c, ExecStatement s, long nanos) {
        // nothing to see
      }
    };
    List<ExecStatement> s = script(20, i -> "create table p.t" + i + "(id int);");
    try (QueryMessageCounter relay = new QueryMessageCounter(db.server().host(), db.server().port())) {
      Run one = run(db, relay, s, Sending.ONE_AT_A_TIME, TX, ApplyEngine.NO_OBSERVER);
      Run observed = run(db, relay, s, Sending.PIPELINED, TX, none);
      assertThat(observed.outcome().pipelining()).as("pipelined").isEqualTo(new ApplyEngine.Pipelining(1, 0, 0));
      assertThat(observed.messages()).as("not joined").isEqualTo(one.messages());
    }
  }

  @Test
  void aJoinedMessageCountsOneHeaderAgainstTheWindowsBytes(TestDatabase db) throws SQLException {
    String t = "comment on schema public is 'x';";
    List<ExecStatement> s = script(3, i -> t);
    int joinedBytes = 5 + 3 * t.length() + 2 + 1;
    {
      Properties p = new Properties();
      p.setProperty("user", "postgres");
      p.setProperty("preferQueryMode", "simple");
      try (Connection simple = DriverManager.getConnection(db.jdbcUrl(), p); Statement st = simple.createStatement()) {
        simple.setAutoCommit(false);
        PipelinedSender.Result r = PipelinedSender.run(simple, st, s, new StatementTimings.Recorder(),
            new StatementNotices.Log(), 200, joinedBytes);
        assertThat(r.windows()).as("one header for the joined message: it fits").isEqualTo(1);
        assertThat(r.messages()).isEqualTo(1);
        assertThat(r.executed()).isEqualTo(3);
        PipelinedSender.Result tight = PipelinedSender.run(simple, st, s, new StatementTimings.Recorder(),
            new StatementNotices.Log(), 200, joinedBytes - 1);
        assertThat(tight.windows()).isEqualTo(2);
        simple.rollback();
      }
    }
  }
}
