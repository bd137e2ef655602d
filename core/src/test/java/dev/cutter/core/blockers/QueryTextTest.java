package dev.cutter.core.blockers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueryTextTest {

  @Test
  void masksEveryKindOfLiteralAndKeepsNames() {
    assertThat(QueryText.masked("update acct set card = '4111 1111' , v = 12.5e-3 where \"Id\" = 42 and x = $1"))
        .isEqualTo("update acct set card = '****' , v = **** where \"Id\" = **** and x = $1");
    assertThat(QueryText.masked("select E'it\\'s secret', $tag$ hunter2 $tag$, $$x$$ -- pw=swordfish\n from t2"))
        .isEqualTo("select E'****', $tag$****$tag$, $$****$$ --**** from t2");
    assertThat(QueryText.masked("insert into t values ('a''b', /* token 9f */ 7)"))
        .isEqualTo("insert into t values ('****', /******/ ****)");
  }

  @Test
  void nestedCommentsAreMaskedWhole() {
    assertThat(QueryText.masked("select /* a /* b */ password hunter2 */ 1")).isEqualTo("select /******/ ****");
  }

  @Test
  void anUnterminatedLiteralIsMaskedToTheEndAndLongTextIsCut() {
    assertThat(QueryText.masked("select 'secret that was cut off by track_activity_query_size"))
        .isEqualTo("select '****'");
    String cut = QueryText.masked("select " + "c1, ".repeat(100) + "c2 from t");
    assertThat(cut).hasSize(QueryText.MAX_LENGTH).endsWith("…");
    assertThat(QueryText.masked(null)).isNull();
  }
}
