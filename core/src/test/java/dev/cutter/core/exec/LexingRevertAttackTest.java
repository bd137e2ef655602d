package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.exec.ApplyEngine.Sending;
import dev.cutter.core.sql.SqlSplitter;
import dev.cutter.core.sql.SqlStatement;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@WithPostgres
class LexingRevertAttackTest {

  private static List<ExecStatement> split(String script) {
    List<ExecStatement> s = new ArrayList<>();
    for (SqlStatement x : SqlSplitter.split("s.sql", script).statements()) {
      s.add(new ExecStatement(x.index(), x.startLine(), x.text(), x.copyData(), x.standardConformingStrings()));
    }
    return s;
  }

  /**
   * The other way round: the split follows a {@code SET} to off, the server is back on. A {@code SET
   * LOCAL} a {@code ROLLBACK TO SAVEPOINT} undoes, or a {@code set_config} back to on: the split
   * reads {@code 'a\'; drop table p.base; --'} as one string, the server would end it after the
   * backslash and run the DROP. Not sent (one at a time and joined); p.base stays.
   */
  @Test
  void aSettingTheServerRevertedBehindTheSplitStopsTheRunBeforeTheString(TestDatabase db) throws Exception {
    for (String revert : List.of("savepoint s;\nset local standard_conforming_strings = off;\nrollback to savepoint s;\n",
        "set standard_conforming_strings = off;\nselect set_config('standard_conforming_strings', 'on', false);\n")) {
      List<ExecStatement> s = split(revert + "select 'a\\'; drop table p.base; --';\n");
      int attack = s.size();
      assertThat(s.get(attack - 1).standardConformingStrings()).as("lexed with the setting off").isFalse();
      for (Sending way : Sending.values()) {
        Outcome o = FreshSchema.run(db, s, way);
        assertThat(o.ending()).as(way.name()).isEqualTo(Ending.ROLLED_BACK);
        assertThat(o.lexingChanged()).as(way.name())
            .isEqualTo(new LexingSettingChanged.Mismatch(attack, attack, false, true));
        assertThat(db.queryValue("select count(*) from pg_class where relname = 'base' and relnamespace = 'p'::regnamespace"))
            .as(way.name()).isEqualTo("1");
      }
    }
  }
}
