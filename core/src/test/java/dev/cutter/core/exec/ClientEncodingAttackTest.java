package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.exec.ApplyEngine.Sending;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A hidden change of the client encoding instead of standard_conforming_strings: a function (here a
 * column default) turns backslash_quote on and the client encoding to SJIS. The server then decodes
 * {@code Á} (UTF-8 C3 81) and the backslash after it as two characters of its own, and the
 * split's {@code E'Á\\'} goes on past its quote: the attacker's statement, one SELECT of two strings
 * in the split and the review, is a SELECT, a DROP of p.base and a COMMIT to the server.
 */
@WithPostgres
class ClientEncodingAttackTest {

  static final String ENC = "create function p.enc() returns int language plpgsql stable as $$ begin"
      + " execute 'select set_' || 'config($1, $2, false)' using 'backslash_' || 'quote', 'on';"
      + " execute 'select set_' || 'config($1, $2, false)' using 'client_' || 'encoding', 'SJIS';"
      + " return 1; end $$;";
  static final String ATTACK = "select E'\u00c1\\\\', '; drop table p.base; commit; --';";

  @Test
  void aStatementSentAheadOfAnEncodingChangeIsNotReadOtherwise(TestDatabase db) throws Exception {
    List<String> texts = List.of(ENC, "create table p.t(id int, x int default p.enc());",
        "insert into p.t(id) values (1);", ATTACK);
    List<ExecStatement> s = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      s.add(new ExecStatement(i + 1, 2 * i + 3, texts.get(i)));
    }
    assertThat(s.get(3).readingDependsOnSettings()).as("kept back until every earlier result arrived").isTrue();
    for (Sending way : Sending.values()) {
      Outcome o = FreshSchema.run(db, s, way);
      // the driver gives the connection up at the encoding's change, reported with the insert's result
      assertThat(o.ending()).as(way.name()).isEqualTo(Ending.CONNECTION_LOST);
      assertThat(o.failedIndex()).as(way.name() + ": the insert's result, the attack not sent").isEqualTo(3);
      assertThat(db.queryValue("select count(*) from pg_class where relnamespace = 'p'::regnamespace"))
          .as(way.name() + ": p.base is there, nothing committed").isEqualTo("1");
    }
  }
}
