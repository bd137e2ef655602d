package dev.cutter.core.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.FileContent;
import dev.cutter.core.model.OnlineStep;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.sql.SqlSplitter;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The online step against a hidden change of standard_conforming_strings: its statements run one
 * at a time outside the apply's lexing guard. A check constraint's function (set up by the
 * transactional step) turns the setting off while VALIDATE CONSTRAINT runs; the next online
 * statement, an ADD VALUE whose label the split, the online judge and the review read as one
 * string holding {@code ; drop table p.base; --}, would be an ADD VALUE and a DROP to the server.
 */
@WithPostgres
class OnlineLexingAttackTest {

  @Test
  void aSettingAnEarlierOnlineStatementTurnedOffCannotMakeALaterOneReadOtherwise(TestDatabase db) throws Exception {
    String online = "alter table p.t validate constraint c;\nalter type p.e add value 'x\\''; drop table p.base; --';\n";
    OnlineScript script = OnlineScript.of(SqlSplitter.split("online.sql", online));
    assertThat(script.runnable()).isTrue();
    assertThat(script.statements()).hasSize(2);
    for (String mode : new String[] {"simple", "extended"}) {
      db.execute("drop schema if exists p cascade; create schema p; create table p.base(id int);"
          + "create function p.flip() returns bool language plpgsql immutable as $$ begin"
          + " perform set_config('standard_' || 'conforming_strings', 'off', false); return true; end $$;"
          + "create table p.t(id int); insert into p.t values (1);"
          + "alter table p.t add constraint c check (p.flip()) not valid; create type p.e as enum ('a');");
      Properties p = new Properties();
      p.setProperty("user", "postgres");
      p.setProperty("preferQueryMode", mode);
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), p)) {
        OnlineInfo info = OnlineRunner.run(c, script, new OnlineStep(new ArtifactRef("online.sql", Path.of("online.sql"),
            "0".repeat(64), SourcePosition.UNKNOWN, FileContent.of(new byte[0])), Duration.ofSeconds(5), Duration.ofMinutes(1)));
        assertThat(info.outcome()).as(mode).isEqualTo(OnlineInfo.Outcome.DONE);
      }
      assertThat(db.queryValue("select count(*) from pg_class where relname = 'base' and relnamespace = 'p'::regnamespace"))
          .as(mode + ": p.base is still there").isEqualTo("1");
      assertThat(db.queryValue("select string_agg(enumlabel, '|' order by enumsortorder) from pg_enum"
          + " where enumtypid = 'p.e'::regtype")).as(mode + ": the label as split").isEqualTo("a|x\\'; drop table p.base; --");
    }
  }

  /**
   * The online step's session is a new one: an {@code ALTER ROLE … SET standard_conforming_strings
   * = off} (or {@code ALTER DATABASE}) the transactional step ran is its default (here the
   * connection's options, as such a default is). No function needed.
   */
  @Test
  void aSessionWhoseDefaultIsOffRunsTheStepAsSplit(TestDatabase db) throws Exception {
    OnlineScript script = OnlineScript.of(SqlSplitter.split("online.sql",
        "alter type p.e add value 'x\\''; drop table p.base; --';\n"));
    assertThat(script.runnable()).isTrue();
    db.execute("drop schema if exists p cascade; create schema p; create table p.base(id int); create type p.e as enum ('a');");
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("options", "-c standard_conforming_strings=off");
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), p)) {
      OnlineInfo info = OnlineRunner.run(c, script, new OnlineStep(new ArtifactRef("online.sql", Path.of("online.sql"),
          "0".repeat(64), SourcePosition.UNKNOWN, FileContent.of(new byte[0])), Duration.ofSeconds(5), Duration.ofMinutes(1)));
      assertThat(info.outcome()).isEqualTo(OnlineInfo.Outcome.DONE);
    }
    assertThat(db.queryValue("select count(*) from pg_class where relname = 'base' and relnamespace = 'p'::regnamespace"))
        .isEqualTo("1");
    assertThat(db.queryValue("select string_agg(enumlabel, '|' order by enumsortorder) from pg_enum"
        + " where enumtypid = 'p.e'::regtype")).isEqualTo("a|x\\'; drop table p.base; --");
  }
}
