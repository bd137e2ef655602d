package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.exec.ApplyEngine.Sending;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's audit trail sees what psql would show: an event trigger or a row trigger that
 * records {@code current_query()} stores each statement's own text, never a joined message.
 */
@WithPostgres
class AuditTrailTest {

  @TempDir
  Path dir;

  private static final String AUDIT = """
      create table public.audit(n serial primary key, q text);
      create function public.audit_q() returns event_trigger language plpgsql
        as $$ begin insert into public.audit(q) values (current_query()); end $$;
      create function public.audit_row() returns trigger language plpgsql
        as $$ begin insert into public.audit(q) values (current_query()); return null; end $$;
      create schema p;
      """;

  private static final String EVENT_TRIGGER =
      "create event trigger audit_ddl on ddl_command_end execute function public.audit_q();";

  /** What the apply ran and how many Query messages it sent. */
  record Run(Outcome outcome, int messages) {}

  private static List<ExecStatement> script(String... texts) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      out.add(new ExecStatement(i + 1, i + 1, texts[i]));
    }
    return out;
  }

  private static Run apply(TestDatabase db, QueryMessageCounter relay, List<ExecStatement> s, Sending way)
      throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("preferQueryMode", "simple");
    try (Connection c = DriverManager.getConnection(relay.jdbcUrl(db.name()), p)) {
      int before = relay.queries();
      Outcome o = ApplyEngine.run(c, s, ApplySettings.defaults(), conn -> { }, ApplyEngine.NO_RECHECK,
          ApplyEngine.NO_OBSERVER, way);
      return new Run(o, relay.queries() - before);
    }
  }

  private static List<String> audit(TestDatabase db) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.superuser(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select q from public.audit order by n")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static List<String> texts(List<ExecStatement> s) {
    return s.stream().map(ExecStatement::text).toList();
  }

  private static final List<ExecStatement> DDL = script("create table p.t1(id int);", "create table p.t2(id int);",
      "comment on table p.t1 is 'one';", "alter table p.t2 add column v text;", "drop table p.t1;");

  @Test
  void anEventTriggerRecordsEachDdlStatementsOwnTextAndNothingIsJoined(TestDatabase db) throws Exception {
    db.execute(AUDIT + EVENT_TRIGGER);
    try (QueryMessageCounter relay = new QueryMessageCounter(db.server().host(), db.server().port())) {
      Run r = apply(db, relay, DDL, Sending.PIPELINED);
      assertThat(r.outcome().ending()).isEqualTo(Ending.COMMITTED);
      assertThat(audit(db)).as("as psql records them").isEqualTo(texts(DDL));
      db.execute("drop schema p cascade; create schema p; truncate public.audit");
      Run one = apply(db, relay, DDL, Sending.ONE_AT_A_TIME);
      assertThat(audit(db)).as("one at a time: the same").isEqualTo(texts(DDL));
      assertThat(r.messages()).as("every statement its own message, and one read of pg_event_trigger")
          .isEqualTo(one.messages() + 1);
    }
    // and psql itself, given the statements as a script
    db.execute("drop schema p cascade; create schema p; truncate public.audit");
    Path script = dir.resolve("ddl.sql");
    Files.writeString(script, String.join("\n", texts(DDL)) + "\n");
    ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", db.name(), "-f",
        script.toString(), "-h", db.server().host(), "-p", String.valueOf(db.server().port()), "-U",
        db.server().superuser()).redirectErrorStream(true).redirectOutput(dir.resolve("psql.log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    Process psql = pb.start();
    assertThat(psql.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(psql.exitValue()).as(Files.readString(dir.resolve("psql.log"))).isZero();
    assertThat(audit(db)).as("psql records the same").isEqualTo(texts(DDL));
  }

  @Test
  void anOperatorPlantedBeforeTheCatalogDoesNotHideTheEventTriggerFromTheSender(TestDatabase db) throws Exception {
    // the artifact's session keeps the search_path apply_role gave the database; the sender's read
    // of pg_event_trigger must compare with the catalog's <>, not one that answers false
    db.execute(AUDIT + EVENT_TRIGGER);
    db.execute("create function public.never(\"char\", \"char\") returns boolean language sql as 'select false';"
        + " create operator public.<> (leftarg = \"char\", rightarg = \"char\", function = public.never);"
        + " alter database " + db.name() + " set search_path = public, pg_catalog; truncate public.audit");
    try (QueryMessageCounter relay = new QueryMessageCounter(db.server().host(), db.server().port())) {
      Run r = apply(db, relay, DDL, Sending.PIPELINED);
      assertThat(r.outcome().ending()).isEqualTo(Ending.COMMITTED);
      assertThat(audit(db)).as("each statement's own text, nothing joined").isEqualTo(texts(DDL));
    }
  }

  @Test
  void afterAStatementThatMayFireATriggerNothingJoinsAndNothingIsRead(TestDatabase db) throws Exception {
    db.execute(AUDIT + "create table p.target(id int);");
    // after the first INSERT nothing joins: 2 and 3 could, but go alone, and nothing is read
    List<ExecStatement> s = script("insert into p.target values (1);", "create table p.a1(id int);",
        "create table p.a2(id int);", "insert into p.target values (2);");
    try (QueryMessageCounter relay = new QueryMessageCounter(db.server().host(), db.server().port())) {
      Run one = apply(db, relay, s, Sending.ONE_AT_A_TIME);
      db.execute("drop table p.a1, p.a2");
      Run pipelined = apply(db, relay, s, Sending.PIPELINED);
      assertThat(pipelined.outcome().ending()).isEqualTo(Ending.COMMITTED);
      assertThat(pipelined.outcome().pipelining()).isEqualTo(new ApplyEngine.Pipelining(1, 0, 0));
      assertThat(pipelined.messages()).as("no read, nothing joined").isEqualTo(one.messages());
    }
  }

  @Test
  void withoutAnEnabledEventTriggerTheSameStatementsAreJoined(TestDatabase db) throws Exception {
    db.execute(AUDIT);
    try (QueryMessageCounter relay = new QueryMessageCounter(db.server().host(), db.server().port())) {
      Run one = apply(db, relay, DDL, Sending.ONE_AT_A_TIME);
      db.execute("drop schema p cascade; create schema p");
      Run joined = apply(db, relay, DDL, Sending.PIPELINED);
      assertThat(joined.outcome().ending()).isEqualTo(Ending.COMMITTED);
      assertThat(joined.messages()).as("five statements in one message, after the read").isEqualTo(one.messages() - 4 + 1);
      // a disabled event trigger fires for no session_replication_role: joined as well
      db.execute("drop schema p cascade; create schema p; " + EVENT_TRIGGER + " alter event trigger audit_ddl disable");
      assertThat(apply(db, relay, DDL, Sending.PIPELINED).messages()).isEqualTo(joined.messages());
      assertThat(audit(db)).isEmpty();
      // enabled for replica sessions only: it may fire, so nothing joins
      db.execute("drop schema p cascade; create schema p; alter event trigger audit_ddl enable replica");
      assertThat(apply(db, relay, DDL, Sending.PIPELINED).messages()).isEqualTo(one.messages() + 1);
    }
  }

  @Test
  void anEventTriggerTheScriptCreatesSeesTheStatementsAfterItAlone(TestDatabase db) throws Exception {
    db.execute(AUDIT + """
        create function public.install() returns void language plpgsql
          as $$ begin execute 'create event trigger audit_ddl on ddl_command_end execute function public.audit_q()'; end $$;
        """);
    List<ExecStatement> s = script("create table p.t1(id int);", "create table p.t2(id int);",
        "select public.install();", "create table p.t3(id int);", "comment on table p.t3 is 'three';");
    try (QueryMessageCounter relay = new QueryMessageCounter(db.server().host(), db.server().port())) {
      Run r = apply(db, relay, s, Sending.PIPELINED);
      assertThat(r.outcome().ending()).isEqualTo(Ending.COMMITTED);
      assertThat(audit(db)).isEqualTo(List.of(s.get(3).text(), s.get(4).text()));
      db.execute("drop event trigger audit_ddl; truncate public.audit; drop schema p cascade; create schema p");
      Run one = apply(db, relay, s, Sending.ONE_AT_A_TIME);
      assertThat(r.messages()).as("1-2 joined, then each alone; and the read").isEqualTo(one.messages() - 1 + 1);
    }
  }

  @Test
  void aRowTriggerRecordsEachInsertsOwnText(TestDatabase db) throws Exception {
    db.execute(AUDIT + """
        create table p.target(id int);
        create trigger audit_ins after insert on p.target for each row execute function public.audit_row();
        """);
    List<ExecStatement> s = script("create table p.a1(id int);", "comment on table p.a1 is 'a';",
        "insert into p.target values (1);", "insert into p.target values (2), (3);", "create table p.a2(id int);",
        "insert into p.target select 4;");
    try (QueryMessageCounter relay = new QueryMessageCounter(db.server().host(), db.server().port())) {
      Run r = apply(db, relay, s, Sending.PIPELINED);
      assertThat(r.outcome().ending()).isEqualTo(Ending.COMMITTED);
      assertThat(audit(db)).as("each row: its INSERT's own text").containsExactly(s.get(2).text(), s.get(3).text(),
          s.get(3).text(), s.get(5).text());
      db.execute("truncate public.audit; drop table p.a1, p.a2; truncate p.target");
      Run one = apply(db, relay, s, Sending.ONE_AT_A_TIME);
      assertThat(audit(db)).containsExactly(s.get(2).text(), s.get(3).text(), s.get(3).text(), s.get(5).text());
      assertThat(r.messages()).as("1-2 joined, after the read; the rest alone").isEqualTo(one.messages() - 1 + 1);
    }
  }
  @Test
  void aReadOfPgEventTriggerThatFailsRefusesTheApplyBeforeAnythingRan(TestDatabase db) throws Exception {
    db.execute("create schema p");
    ApplySettings quick = new ApplySettings(ApplySettings.Mode.TRANSACTION, java.time.Duration.ofMillis(200),
        java.time.Duration.ofMinutes(1));
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("preferQueryMode", "simple");
    try (Connection holder = db.superuser(); Statement h = holder.createStatement();
        Connection c = DriverManager.getConnection(db.jdbcUrl(), p)) {
      holder.setAutoCommit(false);
      h.execute("lock table pg_catalog.pg_event_trigger in access exclusive mode");
      Outcome o = ApplyEngine.run(c, DDL, quick, conn -> { }, ApplyEngine.NO_RECHECK, ApplyEngine.NO_OBSERVER,
          Sending.PIPELINED);
      holder.rollback();
      assertThat(o.ending()).isEqualTo(Ending.REFUSED);
      assertThat(o.executed()).isZero();
      assertThat(o.refusal().reason()).startsWith("the re-check at BEGIN failed: ").endsWith("(SQLSTATE 55P03)");
      assertThat(c.getAutoCommit()).as("the session is left as it was").isTrue();
    }
    assertThat(db.queryValue("select count(*) from pg_class where relnamespace = 'p'::regnamespace")).isEqualTo("0");
  }
}
