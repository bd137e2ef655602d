package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.sql.CheckQuery.Reason;
import dev.cutter.core.sql.CheckQuery.Refused;
import org.junit.jupiter.api.Test;

class CheckQueryTest {

  private static Reason reason(String sql) {
    CheckQuery.Verdict v = CheckQuery.examine(sql);
    assertThat(v).as(sql).isInstanceOf(Refused.class);
    return ((Refused) v).reason();
  }

  private static String accepted(String sql) {
    CheckQuery.Verdict v = CheckQuery.examine(sql);
    assertThat(v).as(sql).isInstanceOf(CheckQuery.Query.class);
    return ((CheckQuery.Query) v).text();
  }

  @Test
  void acceptsOneQueryOfEveryReadingForm() {
    assertThat(accepted("select count(*) from gov.runs where open")).isEqualTo("select count(*) from gov.runs where open");
    assertThat(accepted("-- how many\nSELECT 1;")).isEqualTo("SELECT 1;");
    accepted("with x as (select 1 as a) select a from x");
    accepted("values (1)");
    accepted("table gov.runs");
    accepted("show server_version");
    accepted("((select 1) union (select 2))");
    accepted("select ';' || $$; commit; $$ || e'\\'; drop table t; --' /* ; begin */");
    accepted("select 1;  \n-- trailing comment\n");
  }

  @Test
  void refusesASecondStatementHowsoeverItIsJoined() {
    assertThat(reason("commit; drop table gov.victim; select 1")).isEqualTo(Reason.SEVERAL_STATEMENTS);
    assertThat(reason("select 1; select 2")).isEqualTo(Reason.SEVERAL_STATEMENTS);
    assertThat(reason("select 1 \\; drop table gov.victim")).as("psql's \\; joins both into one message")
        .isEqualTo(Reason.SEVERAL_STATEMENTS);
    Refused r = (Refused) CheckQuery.examine("select 1\n;\nselect 2");
    assertThat(r.line()).isEqualTo(3);
    assertThat(r.message()).isEqualTo("a check is exactly one statement; found 2, the second (select 2) on line 3 of the query");
  }

  @Test
  void refusesTransactionControlAndEveryCommandThatIsNotAQuery() {
    assertThat(reason("begin")).isEqualTo(Reason.TRANSACTION_CONTROL);
    assertThat(reason("COMMIT")).isEqualTo(Reason.TRANSACTION_CONTROL);
    assertThat(reason("rollback")).isEqualTo(Reason.TRANSACTION_CONTROL);
    assertThat(reason("savepoint s")).isEqualTo(Reason.TRANSACTION_CONTROL);
    assertThat(reason("do $$begin drop table gov.victim; end$$")).isEqualTo(Reason.NOT_A_QUERY);
    assertThat(reason("call gov.p()")).isEqualTo(Reason.NOT_A_QUERY);
    assertThat(reason("set role postgres")).isEqualTo(Reason.NOT_A_QUERY);
    assertThat(reason("reset role")).isEqualTo(Reason.NOT_A_QUERY);
    assertThat(reason("set session authorization postgres")).isEqualTo(Reason.NOT_A_QUERY);
    assertThat(reason("copy gov.victim to stdout")).isEqualTo(Reason.NOT_A_QUERY);
    assertThat(reason("copy (select 1) to program 'id'")).isEqualTo(Reason.NOT_A_QUERY);
    assertThat(reason("explain analyze delete from gov.victim")).isEqualTo(Reason.NOT_A_QUERY);
    assertThat(reason("delete from gov.victim returning 1")).isEqualTo(Reason.NOT_A_QUERY);
    assertThat(reason("(delete from gov.victim)")).isEqualTo(Reason.NOT_A_QUERY);
    assertThat(reason("lock table gov.victim")).isEqualTo(Reason.NOT_A_QUERY);
    assertThat(reason("vacuum")).isEqualTo(Reason.NOT_A_QUERY);
    assertThat(((Refused) CheckQuery.examine("call gov.p()")).message())
        .isEqualTo("a check is one query starting with SELECT, WITH, VALUES, TABLE or SHOW, not CALL");
  }

  @Test
  void refusesMetaCommandsEmptyTextAndWhatDoesNotEnd() {
    assertThat(reason("\\! rm -rf /")).isEqualTo(Reason.META_COMMAND);
    assertThat(reason("-- nothing")).isEqualTo(Reason.EMPTY);
    assertThat(reason(";")).isEqualTo(Reason.EMPTY);
    assertThat(reason("select 'unterminated")).isEqualTo(Reason.MALFORMED);
    assertThat(reason("select $x$ never closed")).isEqualTo(Reason.MALFORMED);
  }
}
