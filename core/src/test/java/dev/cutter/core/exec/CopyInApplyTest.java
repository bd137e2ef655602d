package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ApplySettings.Mode;
import dev.cutter.core.run.PackageScripts;
import dev.cutter.core.sql.ArtifactScript;
import dev.cutter.core.sql.SqlSplitter;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * {@code COPY … FROM STDIN} with its inline data through the engine, against a real server: the
 * rows land as psql loads them, a bad row fails the COPY with its index, line and SQLSTATE and
 * rolls the whole transaction back, in the pipelined and the one-at-a-time sending alike.
 */
@WithPostgres
class CopyInApplyTest {

  private static final ApplySettings TX = ApplySettings.defaults();
  private static final ApplySettings AUTO = new ApplySettings(Mode.AUTOCOMMIT, Duration.ofSeconds(5), Duration.ofMinutes(1));

  private static List<ExecStatement> script(String sql, Mode mode) {
    ArtifactScript a = ArtifactScript.of(SqlSplitter.split("ddl/change.sql", sql), mode);
    assertThat(a.rejections()).isEmpty();
    return PackageScripts.statements(a);
  }

  private static Connection simple(TestDatabase db) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("preferQueryMode", "simple");
    return DriverManager.getConnection(db.jdbcUrl(), p);
  }

  private static final String LOAD = """
      create table t (id int primary key, a text, b text);
      insert into t values (0, 'before', null);
      copy t (id, a, b) from stdin;
      1	tab\\there	back\\\\slash
      2	\\N	\\\\N
      3		.
      \\.
      insert into t values (4, 'after', 'x');
      """;

  @Test
  void loadsTheRowsPipelinedAndOneAtATimeAlike(TestDatabase db) throws SQLException {
    for (ApplyEngine.Sending sending : ApplyEngine.Sending.values()) {
      db.execute("drop table if exists t");
      Outcome o;
      try (Connection c = simple(db)) {
        o = ApplyEngine.run(c, script(LOAD, Mode.TRANSACTION), TX, conn -> { }, ApplyEngine.NO_RECHECK,
            ApplyEngine.NO_OBSERVER, sending);
      }
      assertThat(o.ending()).as(sending.name()).isEqualTo(Ending.COMMITTED);
      assertThat(o.executed()).isEqualTo(4);
      assertThat(o.timings().ran()).extracting(StatementTiming::index).containsExactly(1, 2, 3, 4);
      if (sending == ApplyEngine.Sending.PIPELINED) {
        // statements 1-2 in one window, read before the COPY goes alone, then statement 4
        assertThat(o.pipelining().windows()).isEqualTo(3);
      }
      assertThat(db.queryValue("select string_agg(id || ':' || coalesce(a, '<null>') || ':' || coalesce(b, '<null>'),"
          + " '|' order by id) from t"))
          .isEqualTo("0:before:<null>|1:tab\there:back\\slash|2:<null>:\\N|3::.|4:after:x");
    }
  }

  @Test
  void aBadRowFailsTheCopyWithItsIndexLineAndSqlstateAndRollsEverythingBack(TestDatabase db) throws SQLException {
    String sql = "create table t (id int primary key, a text);\ninsert into t values (0, 'x');\n"
        + "copy t from stdin;\n1\tone\nnot-a-number\tsk_live_4eC39HqLyjWDarjtT1zdp7dc\n\\.\ncreate table later (x int);\n";
    for (ApplyEngine.Sending sending : ApplyEngine.Sending.values()) {
      Outcome o;
      try (Connection c = simple(db)) {
        o = ApplyEngine.run(c, script(sql, Mode.TRANSACTION), TX, conn -> { }, ApplyEngine.NO_RECHECK,
            ApplyEngine.NO_OBSERVER, sending);
      }
      assertThat(o.ending()).as(sending.name()).isEqualTo(Ending.ROLLED_BACK);
      assertThat(o.failedIndex()).isEqualTo(3);
      assertThat(o.failedLine()).isEqualTo(3);
      assertThat(o.executed()).isEqualTo(2);
      assertThat(o.error().sqlstate()).isEqualTo("22P02");
      assertThat(o.error().where()).isEqualTo("COPY t, line 2, column id: \"not-a-number\"");
      assertThat(o.timings().ran()).extracting(StatementTiming::index).containsExactly(1, 2, 3);
      assertThat(db.queryValue("select count(*) from pg_class where relname in ('t', 'later')")).isEqualTo("0");
    }
  }

  @Test
  void aDuplicateKeyInTheDataFailsAtTheCopy(TestDatabase db) throws SQLException {
    try (Connection c = simple(db)) {
      Outcome o = ApplyEngine.run(c, script("create table u (id int primary key);\ncopy u from stdin;\n1\n1\n\\.\n",
          Mode.TRANSACTION), TX, conn -> { });
      assertThat(o.failedIndex()).isEqualTo(2);
      assertThat(o.failedLine()).isEqualTo(2);
      assertThat(o.error().sqlstate()).isEqualTo("23505");
      // the session is usable afterwards: nothing of the COPY protocol is left on the wire
      assertThat(c.createStatement().executeQuery("select 41 + 1").next()).isTrue();
    }
    assertThat(db.queryValue("select count(*) from pg_class where relname = 'u'")).isEqualTo("0");
  }

  @Test
  void aCopyThatTheServerRefusesBeforeItsDataFailsLikeAnyStatement(TestDatabase db) throws SQLException {
    try (Connection c = simple(db)) {
      Outcome o = ApplyEngine.run(c, script("create table v (id int);\ncopy v (nope) from stdin;\n1\n\\.\n",
          Mode.TRANSACTION), TX, conn -> { });
      assertThat(o.failedIndex()).isEqualTo(2);
      assertThat(o.error().sqlstate()).isEqualTo("42703");
    }
  }

  @Test
  void autocommitRunsTheCopyAsItsOwnStatement(TestDatabase db) throws SQLException {
    String sql = "create table w (id int primary key);\ncopy w from stdin;\n1\n2\n\\.\ncopy w from stdin;\n3\n3\n\\.\n";
    try (Connection c = simple(db)) {
      Outcome o = ApplyEngine.run(c, script(sql, Mode.AUTOCOMMIT), AUTO, conn -> { });
      assertThat(o.ending()).isEqualTo(Ending.PARTIALLY_COMMITTED);
      assertThat(o.committed()).containsExactly(1, 2);
      assertThat(o.failedIndex()).isEqualTo(3);
      assertThat(o.failedLine()).isEqualTo(6);
      assertThat(o.error().sqlstate()).isEqualTo("23505");
    }
    assertThat(db.queryValue("select string_agg(id::text, ',' order by id) from w")).isEqualTo("1,2");
  }

  @Test
  void noticesRaisedDuringTheCopyBelongToIt(TestDatabase db) throws SQLException {
    String sql = """
        create table n (id int);
        create function n_note() returns trigger language plpgsql as $$
        begin raise notice 'row %', new.id; return new; end $$;
        create trigger n_note before insert on n for each row execute function n_note();
        copy n from stdin;
        7
        \\.
        select 1;
        """;
    try (Connection c = simple(db)) {
      Outcome o = ApplyEngine.run(c, script(sql, Mode.TRANSACTION), TX, conn -> { });
      assertThat(o.ending()).isEqualTo(Ending.COMMITTED);
      assertThat(o.notices().first()).extracting(StatementNotice::index, StatementNotice::line, StatementNotice::message)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(4, 5, "row 7"));
    }
  }
}
