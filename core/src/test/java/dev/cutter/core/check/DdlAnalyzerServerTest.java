package dev.cutter.core.check;

import static dev.cutter.core.check.TestPackages.login;
import static dev.cutter.core.check.TestPackages.pkg;
import static dev.cutter.core.check.TestPackages.target;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.derived.ApplyRolePrivileges;
import dev.cutter.core.check.derived.DdlAnalyzer;
import dev.cutter.core.check.derived.Requirement;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The derived privileges of apply_role against the server. For every statement form, in every
 * schema spelling (plain, upper case, quoted, mixed case, a keyword) and qualified or through the
 * search_path: the objects are made as the superuser in a transaction that is rolled back, the
 * {@code apply_role_privileges} check derives what a role holding nothing lacks, and the
 * statement then runs as that role (SET ROLE) — with exactly the derived set it must succeed,
 * and without any one of them it must fail with 42501. A form whose privileges are not derived
 * must be one the check names as not derived.
 */
@WithPostgres
class DdlAnalyzerServerTest {

  /**
   * A statement template ({@code {S}} is the schema as written, {@code {R}} the applying role,
   * {@code {R2}} a role it is not in), SQL to run first, and the documented limit it falls
   * under (null: derived exactly).
   */
  record Form(String template, String setup, Limit limit) {
    Form(String template) {
      this(template, null, null);
    }

    Form(String template, String setup) {
      this(template, setup, null);
    }

    Form(String template, Limit limit) {
      this(template, null, limit);
    }
  }

  /** The documented limits of the derivation (docs/preflight.md), each a kind of disagreement the test expects. */
  enum Limit {
    /** USAGE on the schema of a created object is asked though the server checks only CREATE for the bare creation. */
    USAGE_ON_CREATE,
    /** The statement needs privileges the analysis does not derive, and the analysis says so (NotDerived). */
    NOT_DERIVED,
    /** A recognised form whose needs are read only in part (its query, LIKE, OR REPLACE, a new owner). */
    PARTIAL
  }

  /** How the server contradicted the derived set. */
  enum Contradiction { WITH_SET_FAILS, WITHOUT_ONE_SUCCEEDS, WITHOUT_ONE_OTHER_ERROR, NOT_DERIVABLE, NOT_SAID }

  record Disagreement(Form form, Contradiction how, Cause.Grant grant, String detail) {
    /** Whether this is the disagreement the form's documented limit allows. */
    boolean documented() {
      if (form.limit() == Limit.USAGE_ON_CREATE) {
        return how == Contradiction.WITHOUT_ONE_SUCCEEDS && grant.privilege().equals("USAGE");
      }
      return (form.limit() == Limit.NOT_DERIVED || form.limit() == Limit.PARTIAL) && how == Contradiction.WITH_SET_FAILS;
    }
  }

  static final List<Form> FORMS = List.of(
      // CREATE in a schema
      new Form("create table {S}.n (a int)", Limit.USAGE_ON_CREATE),
      new Form("create unlogged table if not exists {S}.n (a int, b text)", Limit.USAGE_ON_CREATE),
      new Form("create view {S}.n as select 1 as a", Limit.USAGE_ON_CREATE),
      new Form("create view {S}.n as select a from {S}.t"),
      new Form("create materialized view {S}.n as select 1 as a", Limit.USAGE_ON_CREATE),
      new Form("create sequence {S}.n start 5", Limit.USAGE_ON_CREATE),
      new Form("create function {S}.n() returns int language sql as 'select 1'", Limit.USAGE_ON_CREATE),
      new Form("create procedure {S}.n() language sql as 'select 1'", Limit.USAGE_ON_CREATE),
      new Form("create type {S}.n as enum ('x')", Limit.USAGE_ON_CREATE),
      new Form("create type {S}.n as (a int)", Limit.USAGE_ON_CREATE),
      new Form("create domain {S}.n as int check (value > 0)", Limit.USAGE_ON_CREATE),
      new Form("create temp table n (a int)"),
      new Form("create temporary view n as select 1 as a"),
      new Form("create temp sequence n"),
      new Form("create table {S}.n (id serial primary key)"),
      new Form("create table {S}.n (id int generated always as identity)"),
      // CREATE SCHEMA
      new Form("create schema n"),
      new Form("create schema if not exists n"),
      new Form("create schema n authorization {R}"),
      new Form("create schema n create table t (a int)"),
      // CREATE INDEX
      new Form("create index on {S}.t (b)"),
      new Form("create unique index if not exists n on only {S}.t (a, b)"),
      new Form("create index n on {S}.pt (a)"),
      // ALTER and DROP of each kind
      new Form("alter table {S}.t add column c int"),
      new Form("alter table if exists only {S}.t alter column b set default 0"),
      new Form("alter table {S}.t rename to n"),
      new Form("alter table {S}.t rename column b to c"),
      new Form("alter table {S}.\"order\" add column c int"),
      new Form("drop table {S}.t2"),
      new Form("drop table if exists {S}.t2, {S}.nothing"),
      new Form("drop table {S}.t2, {S}.\"order\" cascade"),
      new Form("alter view {S}.v rename to n"),
      new Form("alter view {S}.v alter column a set default 1"),
      new Form("drop view {S}.v"),
      new Form("alter materialized view {S}.mv rename to n"),
      new Form("drop materialized view {S}.mv"),
      new Form("alter index {S}.ti rename to n"),
      new Form("drop index {S}.ti"),
      new Form("alter sequence {S}.q restart with 5"),
      new Form("alter sequence {S}.q rename to n"),
      new Form("drop sequence {S}.q"),
      new Form("alter function {S}.f() immutable"),
      new Form("drop function {S}.f()"),
      new Form("drop function if exists {S}.f"),
      new Form("alter procedure {S}.pr() security definer"),
      new Form("drop procedure {S}.pr()"),
      new Form("alter type {S}.y add value 'b'"),
      new Form("alter type {S}.y rename value 'a' to 'z'"),
      new Form("alter type {S}.y rename to n"),
      new Form("alter type {S}.y set schema other", Limit.USAGE_ON_CREATE),
      new Form("alter table {S}.t set schema other", Limit.USAGE_ON_CREATE),
      new Form("alter function {S}.f() rename to n"),
      new Form("alter function {S}.f set schema other", Limit.USAGE_ON_CREATE),
      new Form("alter procedure {S}.pr() rename to n"),
      new Form("alter view {S}.v set schema other", Limit.USAGE_ON_CREATE),
      new Form("alter sequence if exists {S}.q set schema other", Limit.USAGE_ON_CREATE),
      new Form("alter domain {S}.d set schema other", Limit.USAGE_ON_CREATE),
      new Form("alter schema {S} rename to n"),
      new Form("drop type {S}.y"),
      new Form("alter domain {S}.d set not null"),
      new Form("alter domain {S}.d rename to n"),
      new Form("drop domain {S}.d"),
      new Form("drop schema {S} cascade"),
      new Form("drop schema if exists {S}, other cascade"),
      // REFERENCES
      new Form("create table {S}.n (a int references other.u)"),
      new Form("create table {S}.n (a int, foreign key (a) references other.u (a))"),
      new Form("alter table {S}.t add foreign key (b) references other.u"),
      new Form("alter table {S}.t add constraint n foreign key (b) references other.u (a) not valid"),
      // PARTITION OF, INHERITS
      new Form("create table {S}.n partition of {S}.pt for values in (1)"),
      new Form("create table {S}.n (c int) inherits ({S}.t)"),
      // statements whose privileges the analysis does not derive (Limit.NOT_DERIVED)
      new Form("create or replace view {S}.v as select 1 as a", Limit.PARTIAL),
      new Form("create or replace function {S}.f() returns int language sql as 'select 2'", Limit.PARTIAL),
      new Form("create table {S}.n (like {S}.t)", Limit.PARTIAL),
      new Form("create table {S}.n as select a from {S}.t", Limit.PARTIAL),
      new Form("create materialized view {S}.n as select a from {S}.t", Limit.PARTIAL),
      new Form("create schema n authorization {R2}", Limit.PARTIAL),
      new Form("alter table {S}.t owner to {R2}", Limit.PARTIAL),
      new Form("alter table {S}.pt attach partition {S}.n for values in (2)", "create table {S}.n (a int)"),
      new Form("insert into {S}.t values (1, 1)", Limit.NOT_DERIVED),
      new Form("update {S}.t set b = 1", Limit.NOT_DERIVED),
      new Form("delete from {S}.t", Limit.NOT_DERIVED),
      new Form("truncate {S}.t", Limit.NOT_DERIVED),
      new Form("grant select on {S}.t to {R2}", Limit.NOT_DERIVED),
      new Form("comment on table {S}.t is 'x'", Limit.NOT_DERIVED),
      new Form("create trigger n before insert on {S}.t for each row execute function {S}.tf()",
          "create function {S}.tf() returns trigger language plpgsql as 'begin return new; end'", Limit.NOT_DERIVED),
      // statements the analysis derives nothing for, and that need nothing
      new Form("select 1"),
      new Form("do $$ begin perform 1; end $$"));

  private static final String FIXTURE = """
      create schema {S};
      create table {S}.t (a int primary key, b int);
      create table {S}.t2 (a int);
      create table {S}."order" (a int);
      create index ti on {S}.t (b);
      create view {S}.v as select 1 as a;
      create materialized view {S}.mv as select 1 as a;
      create sequence {S}.q;
      create function {S}.f() returns int language sql as 'select 1';
      create procedure {S}.pr() language sql as 'select 1';
      create type {S}.y as enum ('a');
      create domain {S}.d as int;
      create table {S}.pt (a int) partition by list (a);
      create schema other;
      create table other.u (a int primary key);
      """;

  /** Schemas as written in statements: the schema created, its spellings, and whether its name can stand on a search_path option. */
  record Schema(String created, List<String> spellings) {}

  static final List<Schema> SCHEMAS = List.of(
      new Schema("app", List.of("app", "APP", "\"app\"")),
      new Schema("\"MixedCase\"", List.of("\"MixedCase\"")),
      new Schema("\"user\"", List.of("\"user\"")),
      new Schema("\"semi;colon -- x\"", List.of("\"semi;colon -- x\"")));

  /** One run's outcome, for the report and the coverage test. */
  record Outcome(List<Disagreement> disagreements, Map<String, Integer> casesPerRequirement, Map<String, Integer> casesPerGrant) {}

  @Test
  void derivedPrivilegesAreExactlyWhatTheServerChecks(TestDatabase db) throws Exception {
    Outcome o = runAll(db);
    System.out.println("analyzer differential cases per requirement kind: " + o.casesPerRequirement());
    System.out.println("analyzer differential cases per derived privilege: " + o.casesPerGrant());
    assertThat(o.disagreements().stream().filter(d -> !d.documented()).map(Disagreement::detail).toList())
        .as("derived privileges and the server disagree").isEmpty();
    // each documented limit is still real: a form that became exact must lose its limit
    for (Form f : FORMS) {
      if (f.limit() != null) {
        assertThat(o.disagreements()).as("the documented limit %s of %s still shows", f.limit(), f.template())
            .anyMatch(d -> d.form() == f);
      }
    }

    // every requirement kind, every object kind the analysis names, every derived privilege kind has a case
    Set<String> requirementKinds = new LinkedHashSet<>();
    for (Class<?> k : Requirement.class.getPermittedSubclasses()) {
      requirementKinds.add(k.getSimpleName());
    }
    for (ObjectKind k : ObjectKind.values()) {
      if (DdlAnalyzer.analyze(1, 1, "create " + k.sqlName() + " s.x").stream().anyMatch(r -> r instanceof Requirement.CreateIn)) {
        requirementKinds.add("CreateIn " + k);
      }
      if (DdlAnalyzer.analyze(1, 1, "drop " + k.sqlName() + " s.x").stream().anyMatch(r -> r instanceof Requirement.Owns)) {
        requirementKinds.add("Owns " + k);
        requirementKinds.add(Cause.Grant.OWNERSHIP + " " + k.sqlName());
      }
    }
    requirementKinds.addAll(List.of("CREATE database", "TEMPORARY database", "CREATE schema", "USAGE schema", "REFERENCES table"));
    Set<String> covered = new LinkedHashSet<>(o.casesPerRequirement().keySet());
    o.casesPerRequirement().keySet().forEach(k -> covered.add(k.split(" ")[0]));
    covered.addAll(o.casesPerGrant().keySet());
    assertThat(covered).as("kinds with a differential case").containsAll(requirementKinds);
  }

  /** A new requirement kind, or an object kind the analysis newly names, must get a form here before it can be trusted. */
  @Test
  void everyRequirementKindHasAForm() {
    Set<String> needed = new LinkedHashSet<>();
    for (Class<?> k : Requirement.class.getPermittedSubclasses()) {
      needed.add(k.getSimpleName());
    }
    for (ObjectKind k : ObjectKind.values()) {
      if (DdlAnalyzer.analyze(1, 1, "create " + k.sqlName() + " s.x").stream().anyMatch(r -> r instanceof Requirement.CreateIn)) {
        needed.add("CreateIn " + k);
      }
      if (DdlAnalyzer.analyze(1, 1, "drop " + k.sqlName() + " s.x").stream().anyMatch(r -> r instanceof Requirement.Owns)) {
        needed.add("Owns " + k);
      }
    }
    Set<String> covered = new LinkedHashSet<>();
    for (Form f : FORMS) {
      if (f.limit() == Limit.PARTIAL) {
        continue;
      }
      for (Requirement r : DdlAnalyzer.analyze(1, 1, f.template().replace("{S}", "app").replace("{R}", "r"))) {
        covered.add(r.getClass().getSimpleName());
        if (r instanceof Requirement.CreateIn ci) {
          covered.add("CreateIn " + ci.kind());
        } else if (r instanceof Requirement.Owns ow) {
          covered.add("Owns " + ow.kind());
        }
      }
    }
    assertThat(covered).as("requirement kinds with a server-checked form").containsAll(needed);
  }

  private Outcome runAll(TestDatabase db) throws Exception {
    List<Disagreement> disagreements = new ArrayList<>();
    Map<String, Integer> perRequirement = new TreeMap<>();
    Map<String, Integer> perGrant = new TreeMap<>();
    for (Schema schema : SCHEMAS) {
      try (Connection c = connect(db, schema.created())) {
        c.setAutoCommit(false);
        for (Form f : FORMS) {
          Map<String, Boolean> texts = new java.util.LinkedHashMap<>();
          for (String spelling : schema.spellings()) {
            texts.put(f.template().replace("{S}", spelling), false);
            texts.put(upperKeywords(f.template()).replace("{S}", spelling), false);
          }
          if (f.template().contains("{S}.")) {
            texts.put(f.template().replace("{S}.", ""), true);
          }
          for (Map.Entry<String, Boolean> e : texts.entrySet()) {
            runCase(db, c, schema, f, e.getKey(), e.getValue(), disagreements, perRequirement, perGrant);
          }
        }
      }
    }
    return new Outcome(disagreements, perRequirement, perGrant);
  }

  private static void runCase(TestDatabase db, Connection c, Schema schema, Form f, String template, boolean viaPath,
      List<Disagreement> disagreements, Map<String, Integer> perRequirement, Map<String, Integer> perGrant) throws Exception {
    String role = TestDatabase.unique("dz");
    String other = TestDatabase.unique("dz_other");
    String text = template.replace("{R2}", other).replace("{R}", role);
    try (Statement st = c.createStatement()) {
      st.execute("create role " + role + " nologin; create role " + other + " nologin");
      st.execute(FIXTURE.replace("{S}", schema.created()));
      st.execute("revoke temporary on database " + Identifiers.quote(c.getCatalog()) + " from public");
      if (f.setup() != null) {
        st.execute(f.setup().replace("{S}", schema.created()));
      }
      if (viaPath) {
        // an unqualified name resolves only through a schema the role may use: that is where it stands, not what it needs
        st.execute("grant usage on schema " + schema.created() + " to " + role);
      }
      List<Cause.Grant> derived = derive(db, c, role, text);
      if (derived == null) {
        disagreements.add(new Disagreement(f, Contradiction.NOT_DERIVABLE, null, "the check could not derive (objects absent) for: " + text));
        return;
      }
      List<Requirement> analysis = DdlAnalyzer.analyze(1, 1, text);
      if (f.limit() == Limit.NOT_DERIVED && analysis.stream().noneMatch(r -> r instanceof Requirement.NotDerived)) {
        disagreements.add(new Disagreement(f, Contradiction.NOT_SAID, null, "the analysis does not say it derives nothing for: " + text));
      }
      for (Requirement r : analysis) {
        String key = r.getClass().getSimpleName();
        if (r instanceof Requirement.CreateIn ci) {
          key += " " + ci.kind();
        } else if (r instanceof Requirement.Owns ow) {
          key += " " + ow.kind();
        }
        perRequirement.merge(key, 1, Integer::sum);
      }
      for (Cause.Grant g : derived) {
        perGrant.merge(g.privilege() + " " + g.objectKind(), 1, Integer::sum);
      }
      String withAll = runAs(c, role, derived, null, text);
      if (withAll != null) {
        disagreements.add(new Disagreement(f, Contradiction.WITH_SET_FAILS, null,
            "with the derived set " + describe(derived) + " the server answered " + withAll + ": " + text));
      }
      for (Cause.Grant g : derived) {
        String without = runAs(c, role, derived, g, text);
        if (!"42501".equals(without)) {
          disagreements.add(new Disagreement(f, without == null ? Contradiction.WITHOUT_ONE_SUCCEEDS : Contradiction.WITHOUT_ONE_OTHER_ERROR,
              g, "without " + g.describe() + " (derived " + describe(derived) + ") the server answered "
              + (without == null ? "success" : without) + ": " + text));
        }
      }
    } finally {
      c.rollback();
    }
  }

  /** What the check says a role holding nothing lacks; null when it reports absent objects instead. */
  private static List<Cause.Grant> derive(TestDatabase db, Connection c, String role, String text) throws SQLException {
    CheckResult r = ApplyRolePrivileges.run(new CheckContext(ApplyRolePrivileges.ID, c, pkg(target(db, role)),
        List.of(new ExecStatement(1, 1, text)), new TargetAccess(login(db, db.server().superuser()), (spec, x) -> Optional.empty())));
    if (r.status() == CheckStatus.PASS) {
      return List.of();
    }
    if (r.cause() instanceof Cause.MissingPrivilege mp) {
      return mp.missing().stream().map(g -> new Cause.Grant(g.privilege(), g.objectKind(), g.object())).toList();
    }
    return null;
  }

  /** The SQLSTATE of {@code text} run as {@code role} holding {@code grants} but {@code except}; null on success. */
  private static String runAs(Connection c, String role, List<Cause.Grant> grants, Cause.Grant except, String text)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("savepoint probe");
      try {
        for (Cause.Grant g : grants) {
          if (!g.equals(except)) {
            st.execute(grantSql(c, g, role));
          }
        }
        st.execute("set role " + role);
        try {
          st.execute(text);
          return null;
        } catch (SQLException e) {
          return e.getSQLState();
        }
      } finally {
        st.execute("rollback to savepoint probe");
      }
    }
  }

  private static String grantSql(Connection c, Cause.Grant g, String role) throws SQLException {
    if (g.privilege().equals(Cause.Grant.OWNERSHIP)) {
      if (g.objectKind().equals("index")) {
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("select indrelid::regclass::text from pg_index where indexrelid = '"
                + g.object().replace("'", "''") + "'::regclass")) {
          rs.next();
          return "alter table " + rs.getString(1) + " owner to " + role;
        }
      }
      return "alter " + g.objectKind() + " " + g.object() + " owner to " + role;
    }
    if (g.objectKind().equals("database")) {
      return "grant " + g.privilege() + " on database " + Identifiers.quote(c.getCatalog()) + " to " + role;
    }
    return "grant " + g.privilege() + " on " + g.objectKind() + " " + g.object() + " to " + role;
  }

  private static String describe(List<Cause.Grant> grants) {
    return grants.isEmpty() ? "{}" : grants.stream().map(Cause.Grant::describe).toList().toString();
  }

  private static Connection connect(TestDatabase db, String schema) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", db.server().superuser());
    p.setProperty("options", "-c search_path=" + schema.replace(" ", "\\ "));
    return DriverManager.getConnection(db.jdbcUrl(), p);
  }

  /** The template with its words outside quotes in upper case (placeholders kept). */
  private static String upperKeywords(String s) {
    StringBuilder b = new StringBuilder();
    char quote = 0;
    boolean placeholder = false;
    for (char ch : s.toCharArray()) {
      if (quote != 0) {
        quote = ch == quote ? 0 : quote;
        b.append(ch);
      } else if (ch == '\'' || ch == '"') {
        quote = ch;
        b.append(ch);
      } else {
        placeholder = ch == '{' || (placeholder && ch != '}');
        b.append(placeholder ? ch : Character.toUpperCase(ch));
      }
    }
    return b.toString().replace("$$ BEGIN PERFORM 1; END $$", "$$ begin perform 1; end $$");
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
