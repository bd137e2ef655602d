package dev.cutter.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classifier against the server: every statement form, in generated spellings (case,
 * comments, line breaks, quoted, upper-case and schema-qualified names), is sent inside an open
 * transaction block and the server's own answer decides its kind — an EmptyQueryResponse is
 * {@code EMPTY}, a CopyInResponse {@code COPY_FROM_STDIN}, SQLSTATE 25001 {@code NON_TRANSACTIONAL},
 * a transaction command tag (or a block the statement ended) {@code TRANSACTION_CONTROL}, anything
 * else {@code SQL} (which must then have run without error, so that a typo cannot pass for SQL).
 * {@code META_COMMAND} never reaches the server: psql is asked what it sends.
 */
@WithPostgres
class StatementClassifierServerTest {

  /** A statement template, the kind the server gives it, and SQL run first in the same block. */
  record Form(String template, StatementKind kind, String setup) {
    Form(String template, StatementKind kind) {
      this(template, kind, null);
    }
  }

  private static final StatementKind SQL = StatementKind.SQL;
  private static final StatementKind NT = StatementKind.NON_TRANSACTIONAL;
  private static final StatementKind TC = StatementKind.TRANSACTION_CONTROL;

  private static final String PUBLISHER = "connection 'host=127.0.0.1 port=1 dbname=none' publication pub";
  private static final String SUBSCRIPTION = "create subscription probe_sub " + PUBLISHER + ", pub2 with (connect = false)";
  private static final String ENABLED_SUBSCRIPTION = SUBSCRIPTION + "; alter subscription probe_sub enable";

  static final List<Form> FORMS = List.of(
      // what the server refuses in a transaction block
      new Form("create database {newdb}", NT),
      new Form("create database {newdb} with template = template0 encoding = 'UTF8'", NT),
      new Form("drop database {newdb}", NT),
      new Form("drop database if exists {newdb} with (force)", NT),
      new Form("create index concurrently {newidx} on {t} (a)", NT),
      new Form("create unique index concurrently if not exists {newidx} on {t} (a)", NT),
      new Form("create index concurrently on {t} using btree (a)", NT),
      new Form("drop index concurrently {i}", NT),
      new Form("drop index concurrently if exists {i}", NT),
      new Form("reindex table concurrently {t}", NT),
      new Form("reindex index concurrently {i}", NT),
      new Form("reindex (verbose, concurrently) index {i}", NT),
      new Form("reindex (concurrently true) table {t}", NT),
      new Form("reindex (concurrently) schema {s}", NT),
      new Form("reindex (concurrently false) schema {s}", NT),
      new Form("reindex (verbose) schema {s}", NT),
      new Form("reindex (concurrently off, verbose) database {db}", NT),
      new Form("reindex (concurrently 'false') system {db}", NT),
      new Form("reindex schema {s}", NT),
      new Form("reindex database {db}", NT),
      new Form("reindex system {db}", NT),
      new Form("vacuum", NT),
      new Form("vacuum {t}", NT),
      new Form("vacuum (analyze) {t}", NT),
      new Form("vacuum full verbose {t}", NT),
      new Form("vacuum analyze {t} (a)", NT),
      new Form("cluster", NT),
      new Form("cluster verbose", NT),
      new Form("alter database {db} set tablespace pg_default", NT),
      new Form("create tablespace {newts} location '/nonexistent/probe'", NT),
      new Form("drop tablespace {newts}", NT),
      new Form("drop tablespace if exists {newts}", NT),
      new Form("alter system set work_mem = '1MB'", NT),
      new Form("alter system reset all", NT),
      new Form("discard all", NT),
      new Form("alter table {p} detach partition {c} concurrently", NT),
      new Form("commit prepared 'probe_gid'", NT),
      new Form("rollback prepared 'probe_gid'", NT),
      new Form("create subscription {newsub} " + PUBLISHER, NT),
      new Form("create subscription {newsub} " + PUBLISHER + " with (create_slot = true, connect = true)", NT),
      new Form("drop subscription {sub}", NT, SUBSCRIPTION),
      new Form("alter subscription {sub} refresh publication", NT, ENABLED_SUBSCRIPTION),
      new Form("alter subscription {sub} refresh publication with (copy_data = false)", NT, ENABLED_SUBSCRIPTION),
      new Form("alter subscription {sub} set publication pub", NT, ENABLED_SUBSCRIPTION),
      new Form("alter subscription {sub} add publication pub3", NT, ENABLED_SUBSCRIPTION),
      new Form("alter subscription {sub} drop publication pub2", NT, ENABLED_SUBSCRIPTION),
      // the same words where the server runs the statement in the block
      new Form("create index {newidx} on {t} (a)", SQL),
      new Form("create index \"concurrently\" on {t} (a)", SQL),
      new Form("drop index {i}", SQL),
      new Form("reindex table {t}", SQL),
      new Form("reindex index {i}", SQL),
      new Form("reindex (concurrently false) table {t}", SQL),
      new Form("reindex (verbose, concurrently 0) index {i}", SQL),
      new Form("reindex (verbose) table {t}", SQL),
      new Form("cluster {t} using {iname}", SQL),
      new Form("cluster verbose {t}", SQL, "cluster sch.tab using idx"),
      new Form("analyze {t}", SQL),
      new Form("alter database {db} set work_mem = '2MB'", SQL),
      new Form("alter database {db} reset all", SQL),
      new Form("alter table {p} detach partition {c}", SQL),
      new Form("alter type {y} add value 'b'", SQL),
      new Form("alter type {y} add value if not exists 'a'", SQL),
      new Form("discard plans", SQL),
      new Form("discard temp", SQL),
      new Form("discard sequences", SQL),
      new Form("create subscription {newsub} " + PUBLISHER + " with (connect = false)", SQL),
      new Form("create subscription {newsub} " + PUBLISHER + " with (enabled = false, connect = false, slot_name = none)", SQL),
      new Form("create subscription {newsub} " + PUBLISHER + " with (connect = 'off')", SQL),
      new Form("create subscription {newsub} " + PUBLISHER + " with (create_slot = false, connect = 0)", SQL),
      new Form("create subscription {newsub} " + PUBLISHER + " with (connect = true)", NT),
      new Form("create subscription {newsub} " + PUBLISHER + " with (binary = false)", NT),
      new Form("alter subscription {sub} set publication pub with (refresh = false)", SQL, ENABLED_SUBSCRIPTION),
      new Form("alter subscription {sub} add publication pub3 with (refresh = false)", SQL, ENABLED_SUBSCRIPTION),
      new Form("alter subscription {sub} disable", SQL, ENABLED_SUBSCRIPTION),
      new Form("alter subscription {sub} enable", SQL, SUBSCRIPTION),
      new Form("select 1", SQL),
      new Form("select 'vacuum; commit'", SQL),
      new Form("prepare probe_q as select 1", SQL),
      new Form("insert into {t} values (5)", SQL),
      new Form("create table vacuum_probe (a int)", SQL),
      new Form("create table \"vacuum\" (a int)", SQL),
      new Form("refresh materialized view concurrently {mv}", SQL),
      new Form("checkpoint", SQL),
      new Form("copy {t} to stdout", SQL),
      new Form("copy (select 'from stdin') to stdout", SQL),
      new Form("lock table {t}", SQL),
      new Form("declare probe_cur cursor for select 1", SQL),
      new Form("set local work_mem = '2MB'", SQL),
      new Form("show work_mem", SQL),
      new Form("create temp table probe_tmp (a int) on commit drop", SQL),
      new Form("with x as (select 1) select * from x", SQL),
      // transaction control
      new Form("begin", TC),
      new Form("begin work", TC),
      new Form("begin transaction isolation level serializable", TC),
      new Form("start transaction", TC),
      new Form("start transaction read only", TC),
      new Form("commit", TC),
      new Form("commit work", TC),
      new Form("commit and chain", TC),
      new Form("end", TC),
      new Form("end transaction", TC),
      new Form("abort", TC),
      new Form("rollback", TC),
      new Form("rollback work", TC),
      new Form("rollback and no chain", TC),
      new Form("rollback to savepoint {sp}", TC, "savepoint probe_s"),
      new Form("rollback to {sp}", TC, "savepoint probe_s"),
      new Form("savepoint {newsp}", TC),
      new Form("release {sp}", TC, "savepoint probe_s"),
      new Form("release savepoint {sp}", TC, "savepoint probe_s"),
      new Form("prepare transaction 'probe_gid'", TC),
      // COPY that reads the script
      new Form("copy {t} from stdin", StatementKind.COPY_FROM_STDIN),
      new Form("copy {t} (a) from stdin", StatementKind.COPY_FROM_STDIN),
      new Form("copy {t} from stdin with (format csv)", StatementKind.COPY_FROM_STDIN),
      new Form("copy {t} from stdin where a > 0", StatementKind.COPY_FROM_STDIN),
      // nothing at all
      new Form(";", StatementKind.EMPTY),
      new Form("-- only a comment", StatementKind.EMPTY),
      new Form("/* only a comment */", StatementKind.EMPTY),
      new Form("/* a comment */ ;", StatementKind.EMPTY));

  /**
   * Forms whose kind depends on the catalog, not on the text: the classifier reads text only,
   * so it gives these the kind shown, and the server disagrees. Each is a documented limit
   * (docs/sql-splitting.md): a partitioned table's CLUSTER or REINDEX TABLE, which the server refuses in
   * a block, fails the transaction and rolls it back; a subscription without a slot is dropped
   * in its own step although a block would have taken it.
   */
  static final List<Form> CATALOG_DEPENDENT = List.of(
      new Form("cluster {p} using part_a", SQL, "create index part_a on sch.part (a)"),
      new Form("reindex table {p}", SQL),
      new Form("drop subscription {sub}", NT,
          "create subscription probe_sub " + PUBLISHER + " with (connect = false, slot_name = none)"));

  private static final Set<String> TRANSACTION_TAGS =
      Set.of("BEGIN", "START TRANSACTION", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PREPARE TRANSACTION");

  /** Spellings of one object's name: plain, upper case, quoted, schema-qualified, quoted and qualified, upper and qualified. */
  private static final int STYLES = 6;

  private static final List<UnaryOperator<String>> TEXT_VARIANTS = List.of(
      s -> s,
      StatementClassifierServerTest::upperOutsideQuotes,
      s -> "-- a note; vacuum\n" + s,
      s -> "/* outer /* nested begin; */ still a comment */ " + s,
      s -> s.contains("--") ? s : outsideQuotes(s, ' ', "\n\t "),
      s -> s + ";",
      s -> s + " -- trailing note",
      StatementClassifierServerTest::alternatingCase);

  private static final String FIXTURE = """
      create schema sch;
      create table sch.tab (a int primary key);
      create index idx on sch.tab (a);
      create table sch.part (a int) partition by list (a);
      create table sch.part_1 partition of sch.part for values in (1);
      create type sch.mood as enum ('a');
      create materialized view sch.mv as select 1 as a;
      create unique index on sch.mv (a);
      create publication pub;
      create publication pub2;
      """;

  @Test
  void everyFormIsClassifiedAsTheServerTreatsIt(TestDatabase db) throws Exception {
    db.execute(FIXTURE);
    List<String> disagreements = new ArrayList<>();
    Map<StatementKind, Integer> cases = new EnumMap<>(StatementKind.class);
    try (WireSession w = session(db)) {
      for (Form f : FORMS) {
        for (String text : spellings(f, db.name())) {
          StatementKind ours = StatementClassifier.classify(text);
          Observed server = observe(w, f.setup(), text);
          cases.merge(server.kind(), 1, Integer::sum);
          if (ours != server.kind() || server.kind() != f.kind()) {
            disagreements.add("classifier " + ours + ", server " + server + " (table says " + f.kind() + "): " + text);
          } else if (server.kind() == SQL && server.answer().sqlstate() != null) {
            disagreements.add("an SQL form must run in the block, but the server answered " + server.answer().sqlstate() + ": " + text);
          }
        }
      }
    }
    System.out.println("classifier differential cases per kind: " + cases);
    assertThat(disagreements).as("classifier and server disagree").isEmpty();
    for (StatementKind k : StatementKind.values()) {
      if (k != StatementKind.META_COMMAND) {
        assertThat(cases.getOrDefault(k, 0)).as("server-checked cases of %s", k).isGreaterThanOrEqualTo(8);
      }
    }
  }

  @Test
  void catalogDependentFormsAreTheDocumentedLimits(TestDatabase db) throws Exception {
    db.execute(FIXTURE);
    List<String> seen = new ArrayList<>();
    try (WireSession w = session(db)) {
      for (Form f : CATALOG_DEPENDENT) {
        for (String text : spellings(f, db.name())) {
          StatementKind ours = StatementClassifier.classify(text);
          Observed server = observe(w, f.setup(), text);
          assertThat(ours).as("the classifier's kind of %s", text).isEqualTo(f.kind());
          assertThat(server.kind()).as("the server's kind of %s (%s)", text, server).isNotEqualTo(f.kind())
              .isIn(SQL, NT);
          seen.add(text);
        }
      }
    }
    assertThat(seen).hasSizeGreaterThanOrEqualTo(CATALOG_DEPENDENT.size());
  }

  @Test
  void metaCommandsNeverReachTheServer(TestDatabase db, @TempDir Path dir) throws Exception {
    PsqlCapture.requirePsql15();
    String script = """
        \\set probe 1
        select 1;
        \\echo vacuum
          \\pset format unaligned
        select 2;
        \\if true
        select 3;
        \\endif
        """;
    Path file = dir.resolve("meta.sql");
    Files.writeString(file, script, StandardCharsets.UTF_8);
    List<String> sent = PsqlCapture.queriesSentBy(file, db.server(), db.name());
    SplitResult split = SqlSplitter.split("meta.sql", script);
    List<String> meta = split.statements().stream().filter(s -> s.kind() == StatementKind.META_COMMAND).map(SqlStatement::text).toList();
    List<String> rest = split.statements().stream().filter(s -> s.kind() != StatementKind.META_COMMAND).map(SqlStatement::text).toList();
    assertThat(meta).hasSize(5);
    assertThat(sent).containsExactlyElementsOf(rest).doesNotContainAnyElementsOf(meta);
  }

  /** A new StatementKind must get server-checked forms here before it can be trusted. */
  @Test
  void everyKindHasAForm() {
    Set<StatementKind> covered = new LinkedHashSet<>();
    FORMS.forEach(f -> covered.add(f.kind()));
    covered.add(StatementKind.META_COMMAND); // metaCommandsNeverReachTheServer
    assertThat(covered).containsExactlyInAnyOrder(StatementKind.values());
  }

  record Observed(StatementKind kind, WireSession.Answer answer) {
    @Override
    public String toString() {
      return kind + " [tag " + answer.tag() + ", sqlstate " + answer.sqlstate() + ", status " + answer.status() + "]";
    }
  }

  private static WireSession session(TestDatabase db) throws Exception {
    WireSession w = new WireSession(db.server().host(), db.server().port(), db.server().superuser(), db.name());
    w.query("set search_path = sch, public");
    return w;
  }

  /**
   * The server's kind of {@code text}, sent in an open block (after {@code setup}) that is then
   * rolled back; prepared statements and a prepared transaction, which outlive it, are removed.
   */
  static Observed observe(WireSession w, String setup, String text) throws Exception {
    w.query("begin");
    if (setup != null) {
      WireSession.Answer s = w.query(setup);
      assertThat(s.sqlstate()).as("setup %s", setup).isNull();
    }
    WireSession.Answer a = w.query(text);
    w.query("rollback");
    w.query("deallocate all");
    if ("PREPARE TRANSACTION".equals(a.tag())) {
      w.query("rollback prepared 'probe_gid'");
    }
    StatementKind kind;
    if (a.emptyQuery()) {
      kind = StatementKind.EMPTY;
    } else if (a.copyIn()) {
      kind = StatementKind.COPY_FROM_STDIN;
    } else if ("25001".equals(a.sqlstate())) {
      kind = NT;
    } else if (a.tag() != null && TRANSACTION_TAGS.contains(a.tag()) || a.status() == 'I') {
      kind = TC;
    } else {
      kind = SQL;
    }
    return new Observed(kind, a);
  }

  /** Every spelling of a form: each name style, each text variant (duplicates once). */
  static Set<String> spellings(Form f, String database) {
    Set<String> out = new LinkedHashSet<>();
    for (int style = 0; style < STYLES; style++) {
      String text = f.template()
          .replace("{t}", rel(style, "sch", "tab"))
          .replace("{i}", rel(style, "sch", "idx"))
          .replace("{p}", rel(style, "sch", "part"))
          .replace("{c}", rel(style, "sch", "part_1"))
          .replace("{y}", rel(style, "sch", "mood"))
          .replace("{mv}", rel(style, "sch", "mv"))
          .replace("{s}", name(style, "sch"))
          .replace("{iname}", name(style, "idx"))
          .replace("{db}", name(style, database))
          .replace("{newdb}", name(style, "probe_newdb"))
          .replace("{newidx}", name(style, "probe_newidx"))
          .replace("{newts}", name(style, "probe_ts"))
          .replace("{sub}", name(style, "probe_sub"))
          .replace("{newsub}", name(style, "probe_newsub"))
          .replace("{sp}", name(style, "probe_s"))
          .replace("{newsp}", name(style, "probe_s2"));
      for (UnaryOperator<String> v : TEXT_VARIANTS) {
        out.add(v.apply(text));
      }
    }
    return out;
  }

  private static String rel(int style, String schema, String name) {
    return switch (style) {
      case 0 -> name;
      case 1 -> name.toUpperCase(Locale.ROOT);
      case 2 -> "\"" + name + "\"";
      case 3 -> schema + "." + name;
      case 4 -> "\"" + schema + "\".\"" + name + "\"";
      default -> (schema + "." + name).toUpperCase(Locale.ROOT);
    };
  }

  private static String name(int style, String name) {
    return switch (style % 3) {
      case 0 -> name;
      case 1 -> name.toUpperCase(Locale.ROOT);
      default -> "\"" + name + "\"";
    };
  }

  /** {@code s} with every {@code from} character outside quotes and comments-free literals replaced by {@code to}. */
  private static String outsideQuotes(String s, char from, String to) {
    StringBuilder b = new StringBuilder();
    char quote = 0;
    for (char ch : s.toCharArray()) {
      if (quote != 0) {
        if (ch == quote) {
          quote = 0;
        }
        b.append(ch);
      } else if (ch == '\'' || ch == '"') {
        quote = ch;
        b.append(ch);
      } else {
        b.append(ch == from ? to : String.valueOf(ch));
      }
    }
    return b.toString();
  }

  private static String upperOutsideQuotes(String s) {
    return mapOutsideQuotes(s, false);
  }

  private static String alternatingCase(String s) {
    return mapOutsideQuotes(s, true);
  }

  private static String mapOutsideQuotes(String s, boolean alternate) {
    StringBuilder b = new StringBuilder();
    char quote = 0;
    int i = 0;
    for (char ch : s.toCharArray()) {
      if (quote != 0) {
        if (ch == quote) {
          quote = 0;
        }
        b.append(ch);
      } else if (ch == '\'' || ch == '"') {
        quote = ch;
        b.append(ch);
      } else {
        boolean up = !alternate || i++ % 2 == 0;
        b.append(up ? Character.toUpperCase(ch) : Character.toLowerCase(ch));
      }
    }
    return b.toString();
  }
}
