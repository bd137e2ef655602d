package dev.cutter.core.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.sql.SqlSplitter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which statements the online step accepts, decided from tokens (never from comments or literals), and where it says no. */
class OnlineScriptTest {

  private static OnlineScript judge(String sql) {
    return OnlineScript.of(SqlSplitter.split("online.sql", sql));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "create index concurrently t_a on t (a);",
      "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"T a\" ON ONLY app.t USING btree (a) INCLUDE (b) WHERE a > 0;",
      "drop index concurrently if exists app.t_a;",
      "reindex index concurrently app.t_a;",
      "reindex (verbose) table concurrently t;",
      "reindex schema concurrently app;",
      "alter table if exists only app.t validate constraint t_fk;",
      "alter type mood add value if not exists 'calm' after 'sad';",
      "analyze;",
      "analyse verbose app.t (a, b);"})
  void acceptsTheOnlineStatements(String sql) {
    OnlineScript s = judge(sql);
    assertThat(s.rejections()).as(sql).isEmpty();
    assertThat(s.statements()).hasSize(1);
  }

  @Test
  void recordsWhatAnIndexBuildNamesForTheCleanup() {
    OnlineScript s = judge("-- two builds\ncreate unique index concurrently \"Key\" on App.\"T\" (a);\n"
        + "  reindex table concurrently t;\n");
    assertThat(s.statements()).extracting(OnlineStatement::kind).containsExactly(OnlineKind.CREATE_INDEX, OnlineKind.REINDEX);
    OnlineStatement.IndexBuild create = s.statements().get(0).builds().orElseThrow();
    assertThat(create.indexName()).isEqualTo("Key");
    assertThat(create.relation()).containsExactly("app", "T");
    OnlineStatement second = s.statements().get(1);
    assertThat(second.line()).isEqualTo(3);
    assertThat(second.column()).isEqualTo(3);
    assertThat(second.builds().orElseThrow().scope()).isEqualTo("TABLE");
  }

  @Test
  void refusesEverythingElseNamingFileLineAndColumn() {
    OnlineScript s = judge("""
        create index concurrently ok on t (a);
        update t set a = 1;
        create index t_b on t (b);
          begin;
        create /* concurrently */ index t_c on t (c);
        create index concurrently t_d on t (d) \\; update t set a = 2;
        \\set x 1
        create index concurrently on t (e);
        alter table t validate constraint c, add column z int;
        commit;
        vacuum t;
        """);
    assertThat(s.statements()).as("only the first is accepted").hasSize(1);
    assertThat(s.rejections()).extracting(Diagnostic::line).containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    assertThat(s.rejections().get(0).toString()).isEqualTo("online.sql:2:1: online step: `update t set a …` is not"
        + " accepted in the online step; only " + OnlineScript.ALLOWED + " (put other statements in the transactional"
        + " artifact)");
    assertThat(s.rejections().get(1).message()).contains("without CONCURRENTLY");
    assertThat(s.rejections().get(2).toString()).startsWith("online.sql:4:3: online step: `begin` is transaction control");
    assertThat(s.rejections().get(3).message()).as("a comment is not CONCURRENTLY").contains("without CONCURRENTLY");
    assertThat(s.rejections().get(4).message()).contains("joined with \\;");
    assertThat(s.rejections().get(5).message()).contains("psql meta-command `\\set x 1`");
    assertThat(s.rejections().get(6).message()).contains("names no index");
    assertThat(s.rejections().get(7).message()).contains("only a lone VALIDATE CONSTRAINT");
    assertThat(s.rejections().get(8).message()).contains("transaction control");
    assertThat(s.rejections().get(9).message()).contains("is not accepted in the online step");
  }

  @Test
  void aSemicolonInsideALiteralIsNoSecondStatement() {
    assertThat(judge("alter type mood add value 'a;b';").rejections()).isEmpty();
  }

  @Test
  void anEmptyArtifactIsRefused() {
    assertThat(judge("-- nothing yet\n").rejections()).extracting(Diagnostic::toString)
        .containsExactly("online.sql:1:1: online step: the artifact holds no statement; remove online: from the package or"
            + " add statements (" + OnlineScript.ALLOWED + ")");
  }

  @Test
  void theWholeOnlineStatementListIsKeptInOrder() {
    OnlineScript s = judge("create index concurrently a on t (a);\ndrop index concurrently b;\nanalyze t;\n");
    assertThat(s.statements()).extracting(OnlineStatement::index).containsExactly(1, 2, 3);
    assertThat(s.statements()).extracting(OnlineStatement::kind)
        .isEqualTo(List.of(OnlineKind.CREATE_INDEX, OnlineKind.DROP_INDEX, OnlineKind.ANALYZE));
  }

  @Test
  void namesWhatEachStatementNeedsApplyRoleToOwn() {
    OnlineScript s = judge("create index concurrently a on app.t (a);\ndrop index concurrently if exists app.b;\n"
        + "reindex schema concurrently app;\nalter table only t validate constraint c;\n"
        + "alter type app.mood add value 'x';\nanalyze t;\n");
    assertThat(s.statements()).extracting(st -> st.owns().map(o -> String.join(".", o.name()) + (o.type() ? " (type)" : ""))
        .orElse("-")).containsExactly("app.t", "app.b", "-", "t", "app.mood (type)", "-");
  }

  @Test
  void theColumnIsWhereTheStatementStartsOnItsLine() {
    OnlineScript s = judge("analyze a; update t set a = 1;\n\t/* x */ vacuum t;\n");
    assertThat(s.rejections()).extracting(d -> d.line() + ":" + d.column()).as("a block comment is part of the statement psql sends").containsExactly("1:12", "2:2");
  }
}
