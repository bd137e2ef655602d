package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cases where psql 15 demonstrably mis-splits text the server accepts (psql-semantics 1.12):
 * the splitter follows the server. Each test shows psql's split differs and that the server
 * runs every statement the splitter produced.
 */
@WithPostgres
class PsqlMisSplitTest {

  @TempDir Path dir;

  @BeforeAll
  static void psqlIsInstalled() {
    PsqlCapture.requirePsql15();
  }

  @Test
  void functionNamedBeginDoesNotSwallowTheFollowingStatements(TestDatabase db) throws Exception {
    String script = """
        create function public.begin() returns int language sql as $$ select 1 $$;
        create table after_begin (id int);
        select public.begin();
        """;
    List<String> ours = assertServerRunsOurSplitAndPsqlDiffers(script, db);
    assertThat(ours).hasSize(3);
    assertThat(db.queryValue("select count(*) from pg_class where relname = 'after_begin'")).isEqualTo("1");
  }

  @Test
  void columnNamedEndInsideBeginAtomicBodyDoesNotEndTheBody(TestDatabase db) throws Exception {
    String script = """
        create table ev (id int, "end" int);
        insert into ev values (1, 7);
        create function last_end() returns int language sql
        begin atomic
          select e.end as end from ev e;
        end;
        select last_end();
        """;
    List<String> ours = assertServerRunsOurSplitAndPsqlDiffers(script, db);
    assertThat(ours).hasSize(4);
    assertThat(db.queryValue("select last_end()")).isEqualTo("7");
  }

  @Test
  void continuedEscapeStringKeepsItsBackslashEscapes(TestDatabase db) throws Exception {
    String script = "select E'a'\n'b\\'c' as v;\ncreate table after_continuation (id int);\n";
    List<String> ours = assertServerRunsOurSplitAndPsqlDiffers(script, db);
    assertThat(ours).containsExactly("select E'a'\n'b\\'c' as v;", "create table after_continuation (id int);");
  }

  private List<String> assertServerRunsOurSplitAndPsqlDiffers(String script, TestDatabase db) throws Exception {
    List<String> ours = SqlSplitter.split("case.sql", script).statements().stream().map(SqlStatement::text).toList();

    Path file = Files.writeString(dir.resolve("case.sql"), script, StandardCharsets.UTF_8);
    String psqlDb = db.name() + "_psql"; // psql's broken statements run apart from the test database
    db.execute("create database " + psqlDb);
    try {
      List<String> psqlSent = PsqlCapture.queriesSentBy(file, db.server(), psqlDb);
      assertThat(psqlSent).as("psql 15 mis-splits this script").isNotEmpty().isNotEqualTo(ours);
    } finally {
      db.execute("drop database " + psqlDb + " with (force)");
    }

    try (Connection c = db.superuser(); Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      for (String sql : ours) {
        st.execute(sql); // throws if the server rejects a statement
      }
    }
    return ours;
  }
}
