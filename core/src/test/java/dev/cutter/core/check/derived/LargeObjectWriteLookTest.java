package dev.cutter.core.check.derived;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The backup scope's look for a large-object write reads a statement's tokens only where its text may name one:
 * every spelling the tokens find must pass the text's look first, and a statement that names none is not read.
 */
class LargeObjectWriteLookTest {

  private static final List<String> WRITES = List.of(
      "select lo_unlink(16401)",
      "SELECT LO_UNLINK(16401)",
      "select pg_catalog.lo_put(16401, 0, '\\x00')",
      "select \"lo_truncate\"(fd, 0) from x",
      "select LoWrite(0, 'x')",
      "select lo_truncate64(0, 1)",
      "select U&\"lo\\005funlink\"(16401)",
      "select u&\"\\006co_unlink\"(16401)",
      "do $$ begin perform lo_unlink(1); end $$",
      "insert into t select lo_put(o, 0, 'x') from objs");

  @Test
  void everyWriteTheTokensFindPassesTheTextsLookFirst() {
    for (String sql : WRITES) {
      assertThat(BackupScopeCheck.mayNameALargeObjectWrite(sql)).as(sql).isTrue();
      assertThat(BackupScopeCheck.largeObjectWrite(sql)).as(sql).isEqualTo(BackupScopeCheck.largeObjectWriteInTokens(sql));
    }
    assertThat(BackupScopeCheck.largeObjectWrite("select lo_unlink(16401)")).isPresent();
  }

  @Test
  void aStatementThatNamesNoneIsNotRead() {
    for (String sql : List.of("create table bench.t0 (id bigint primary key, name text not null)",
        "comment on table bench.t0 is E'table 0\\nit''s \\\\ quoted; with a semicolon'",
        "create view bench.v0 as select id, name from bench.t0 where v > 0", "select lo_get(1)")) {
      assertThat(BackupScopeCheck.largeObjectWriteInTokens(sql)).as(sql).isEmpty();
      assertThat(BackupScopeCheck.largeObjectWrite(sql)).as(sql).isEmpty();
    }
    assertThat(BackupScopeCheck.mayNameALargeObjectWrite("create table bench.t0 (id bigint)")).isFalse();
  }
}
