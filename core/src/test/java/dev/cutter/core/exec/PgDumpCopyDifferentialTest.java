package dev.cutter.core.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.ApplyEngine.Ending;
import dev.cutter.core.exec.ApplyEngine.Outcome;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.run.PackageScripts;
import dev.cutter.core.sql.ArtifactScript;
import dev.cutter.core.sql.SplitResult;
import dev.cutter.core.sql.SqlSplitter;
import dev.cutter.core.sql.SqlStatement;
import dev.cutter.core.sql.StatementKind;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain {@code pg_dump} of a database with several tables and awkward values (tabs, newlines,
 * carriage returns, backslashes, a lone {@code \.}, the text {@code \N} beside SQL NULL, quotes,
 * non-ASCII, bytea, arrays, JSON, more data than one CopyData message) is applied with psql 15
 * ({@code -v ON_ERROR_STOP=1 -f}) into one database and with cutter's split and engine into
 * another; both must hold the same rows, and cutter's artifact rules must accept the dump as it is.
 */
@WithPostgres
class PgDumpCopyDifferentialTest {

  @TempDir Path dir;

  private static final String SOURCE = """
      create schema app;
      create table app.customer (id int primary key, name text not null, note text, "end" text);
      create table app.orders (id bigint generated always as identity primary key,
        customer int references app.customer (id), lines jsonb, tags text[], blob bytea, total numeric(12, 2),
        placed timestamptz);
      create table public.awkward (k serial primary key, v text, w varchar(40));
      create sequence app.counter start 17;
      select setval('app.counter', 42);
      insert into app.customer values
        (1, E'tab\\there', E'new\\nline', 'end'),
        (2, E'back\\\\slash', E'\\\\.', E'carriage\\r\\nreturn'),
        (3, '\\N', null, ''),
        (4, 'quote '' and "double"', 'ünïcödé ✓ 𝄞', E'\\\\N'),
        (5, E'\\\\.\\n\\\\.', E'trailing tab\\t', E'x\\\\ty');
      insert into app.orders (customer, lines, tags, blob, total, placed) values
        (1, '{"a": "tab\\there", "b": [1, null]}', array['x', 'y z', null, 'q"uote'], E'\\\\x00ff5c2e0a', 12.5,
         '2026-01-02 03:04:05+00'),
        (2, null, '{}', '', null, null);
      insert into public.awkward (v, w)
        select repeat(E'row ' || g || E'\\t\\\\ \\n', 40), md5(g::text) from generate_series(1, 1500) g;
      """;

  @Test
  void cutterLoadsAPlainDumpAsPsqlDoes(TestDatabase db) throws Exception {
    db.execute(SOURCE);
    Path dump = dir.resolve("dump.sql");
    run(List.of("pg_dump", "--format=plain", "--no-owner", "--no-privileges", "-f", dump.toString(), "-d", db.name()), db);
    String sql = Files.readString(dump, StandardCharsets.UTF_8);
    assertThat(sql).as("the dump carries its data as COPY … FROM stdin").contains("COPY app.customer (id, name, note, \"end\") FROM stdin;");

    String viaPsql = db.name() + "_psql";
    String viaCutter = db.name() + "_cutter";
    db.execute("create database " + viaPsql);
    db.execute("create database " + viaCutter);
    try {
      run(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", viaPsql, "-f", dump.toString()), db);

      SplitResult split = SqlSplitter.split("dump.sql", sql);
      ArtifactScript script = ArtifactScript.of(split, ApplySettings.Mode.TRANSACTION);
      assertThat(script.rejections()).as("a plain dump is a valid artifact").isEmpty();
      assertThat(script.statements()).filteredOn(s -> s.kind() == StatementKind.COPY_FROM_STDIN)
          .extracting(SqlStatement::text).hasSize(3);
      Outcome o;
      try (Connection c = simple(db, viaCutter)) {
        o = ApplyEngine.run(c, PackageScripts.statements(script), ApplySettings.defaults(), conn -> { });
      }
      assertThat(o.error()).isNull();
      assertThat(o.ending()).isEqualTo(Ending.COMMITTED);

      for (String table : List.of("app.customer", "app.orders", "public.awkward")) {
        String rows = "select count(*) || ':' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from " + table + " t";
        String psqlRows = valueIn(db, viaPsql, rows);
        assertThat(valueIn(db, viaCutter, rows)).as(table).isEqualTo(psqlRows);
        assertThat(psqlRows).as(table + " in the source").isEqualTo(db.queryValue(rows));
      }
      String sequences = "select (select last_value from app.counter) || ',' || (select last_value from public.awkward_k_seq)";
      assertThat(valueIn(db, viaCutter, sequences)).isEqualTo(valueIn(db, viaPsql, sequences)).isEqualTo("42,1500");
      assertThat(valueIn(db, viaCutter, "select note from app.customer where id = 2")).isEqualTo("\\.");
      assertThat(valueIn(db, viaCutter, "select name is not null and note is null from app.customer where id = 3"))
          .isEqualTo("t");
    } finally {
      db.execute("drop database " + viaPsql + " with (force)");
      db.execute("drop database " + viaCutter + " with (force)");
    }
  }

  private static Connection simple(TestDatabase db, String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", db.server().superuser());
    p.setProperty("preferQueryMode", "simple");
    return DriverManager.getConnection(db.server().jdbcUrl(database), p);
  }

  private static String valueIn(TestDatabase db, String database, String query) throws SQLException {
    try (Connection c = db.server().superuserConnection(database);
        var rs = c.createStatement().executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private void run(List<String> command, TestDatabase db) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(command);
    argv.addAll(List.of("-h", db.server().host(), "-p", String.valueOf(db.server().port()), "-U", db.server().superuser()));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectOutput(dir.resolve(command.get(0) + ".log").toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("PG"));
    env.put("PGCLIENTENCODING", "UTF8");
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(command.get(0) + " finished").isTrue();
    assertThat(p.exitValue()).as(command.get(0) + ": " + Files.readString(dir.resolve(command.get(0) + ".log"))).isZero();
  }
}
