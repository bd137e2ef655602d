package dev.cutter.core.scaffold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.scaffold.ScaffoldDerivation.Derived;
import dev.cutter.core.scaffold.ScaffoldDerivation.Note;
import dev.cutter.core.scaffold.ScaffoldDerivation.Placed;
import dev.cutter.core.sql.SqlSplitter;
import dev.cutter.core.sql.SqlStatement;
import dev.cutter.core.sql.StatementKind;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What {@code package new} derives from SQL, against a catalog given as a set of existing objects. */
class ScaffoldDerivationTest {

  /** A catalog holding {@code existing}; unqualified names resolve to an existing object's schema, else {@code app}. */
  private record FakeCatalog(Set<Placed> existing, Optional<String> creation) implements ScaffoldDerivation.Catalog {
    @Override
    public Optional<String> resolve(ObjectKind kind, String name) {
      return existing.stream().filter(p -> p.kind() == kind && p.name().equals(name)).map(Placed::schema).findFirst()
          .or(() -> creation);
    }

    @Override
    public Optional<String> creationSchema() {
      return creation;
    }

    @Override
    public Set<Placed> existing(Collection<Placed> objects) {
      Set<Placed> out = new HashSet<>(objects);
      out.retainAll(existing);
      return out;
    }
  }

  private static Placed table(String schema, String name) {
    return new Placed(ObjectKind.TABLE, schema, name);
  }

  private static Placed schema(String name) {
    return new Placed(ObjectKind.SCHEMA, null, name);
  }

  private static List<ExecStatement> sql(String text) {
    return SqlSplitter.split("x.sql", text).statements().stream().filter(s -> s.kind() != StatementKind.EMPTY)
        .map(ScaffoldDerivationTest::exec).toList();
  }

  private static ExecStatement exec(SqlStatement s) {
    return new ExecStatement(s.index(), s.startLine(), s.text());
  }

  private static Derived derive(String change, String rollback, Placed... existing) {
    return ScaffoldDerivation.derive("ddl/change.sql", sql(change), "ddl/rollback.sql", rollback == null ? List.of()
        : sql(rollback), new FakeCatalog(Set.of(existing), Optional.of("app")));
  }

  @Test
  void aCreatedTableIsAbsentBeforeAndPresentAfterWithItsIndex() {
    Derived d = derive("create table app.invoice (id int);\ncreate index invoice_id_idx on app.invoice (id);\n", null,
        schema("app"));

    Placed index = new Placed(ObjectKind.INDEX, "app", "invoice_id_idx");
    assertThat(d.schemas()).containsExactly("app");
    assertThat(d.absentBefore()).containsExactly(table("app", "invoice"), index);
    assertThat(d.presentBefore()).as("the index's table is created by the change itself").isEmpty();
    assertThat(d.presentAfter()).containsExactly(table("app", "invoice"), index);
    assertThat(d.absentAfter()).isEmpty();
    assertThat(d.notes()).isEmpty();
  }

  @Test
  void aDroppedTableIsPresentBeforeAndAbsentAfter() {
    Derived d = derive("drop table app.legacy;", null, schema("app"), table("app", "legacy"));

    assertThat(d.presentBefore()).containsExactly(table("app", "legacy"));
    assertThat(d.absentBefore()).isEmpty();
    assertThat(d.absentAfter()).containsExactly(table("app", "legacy"));
    assertThat(d.presentAfter()).isEmpty();
  }

  @Test
  void alteredReferencedAndWrittenTablesArePresentBeforeAndNotVerified() {
    Derived d = derive("""
        alter table app.customer add column note text;
        create table app.invoice (customer_id int references app.account (id));
        insert into app.ledger values (1);
        """, null, schema("app"), table("app", "customer"), table("app", "account"), table("app", "ledger"));

    assertThat(d.presentBefore()).containsExactly(table("app", "customer"), table("app", "account"), table("app", "ledger"));
    assertThat(d.absentBefore()).containsExactly(table("app", "invoice"));
    assertThat(d.presentAfter()).as("only what the change creates").containsExactly(table("app", "invoice"));
    assertThat(d.absentAfter()).isEmpty();
  }

  @Test
  void everyTouchedSchemaThatExistsIsListedOnceInTheOrderFirstNamed() {
    Derived d = derive("create table b.t (a int); create table a.t (a int); alter table b.u add column c int;", null,
        schema("a"), schema("b"), table("b", "u"));

    assertThat(d.schemas()).containsExactly("b", "a");
  }

  @Test
  void aSchemaTheChangeCreatesIsVerifiedNotRequiredBefore() {
    Derived d = derive("create schema reporting; create table reporting.daily (d date);", null);

    assertThat(d.schemas()).as("no schema_exists, baseline or backup for a schema that is not there yet").isEmpty();
    assertThat(d.schemasCreated()).containsExactly("reporting");
    assertThat(d.absentBefore()).containsExactly(table("reporting", "daily"));
    assertThat(d.presentAfter()).containsExactly(table("reporting", "daily"));
    assertThat(d.warnings()).isEmpty();
  }

  @Test
  void unqualifiedNamesArePlacedWhereTheServerWouldPutThem() {
    Derived d = derive("create table t (a int); alter table t add column b int; alter table old add column c int;", null,
        schema("app"), schema("legacy"), table("legacy", "old"));

    assertThat(d.absentBefore()).containsExactly(table("app", "t"));
    assertThat(d.presentBefore()).containsExactly(table("legacy", "old"));
    assertThat(d.schemas()).containsExactly("app", "legacy");
  }

  @Test
  void whatTheLiveCatalogContradictsIsLeftOutWithAWarning() {
    Derived d = derive("create table app.exists_already (a int);\ndrop table if exists app.gone;\n", null,
        schema("app"), table("app", "exists_already"));

    assertThat(d.absentBefore()).isEmpty();
    assertThat(d.presentBefore()).isEmpty();
    assertThat(d.warnings()).containsExactly(
        new Note("ddl/change.sql", 1, 1, "table app.exists_already exists already: objects_absent left out (the CREATE"
            + " fails unless it says IF NOT EXISTS or OR REPLACE)", true),
        new Note("ddl/change.sql", 2, 2, "table app.gone does not exist on the target now: objects_present left out (the"
            + " statement fails unless it says IF EXISTS)", true));
    assertThat(d.absentAfter()).as("after the change it is absent all the same").containsExactly(table("app", "gone"));
  }

  @Test
  void aMissingSchemaTheChangeDoesNotCreateIsAWarning() {
    Derived d = derive("create table nowhere.t (a int);", null);

    assertThat(d.schemas()).isEmpty();
    assertThat(d.warnings()).extracting(Note::text).containsExactly("schema nowhere does not exist on the target now and"
        + " the change does not create it: no schema_exists, baseline or backup for it (statements on it fail)");
  }

  @Test
  void statementsTheAnalysisReadsNothingFromAreNamedOncePerCommand() {
    Derived d = derive("grant select on app.t to r;\ncomment on table app.t is 'x';\ngrant usage on schema app to r;\n",
        null, schema("app"), table("app", "t"));

    assertThat(d.notes()).containsExactly(
        new Note("ddl/change.sql", 1, 1, "GRANT (statements 1, 3): nothing is derived from it; check what it does by hand"
            + " (privilege, sql)", false),
        new Note("ddl/change.sql", 2, 2, "COMMENT (statement 2): nothing is derived from it; check what it does by hand"
            + " (privilege, sql)", false));
  }

  @Test
  void kindsNoObjectCheckListsAreNamed() {
    Derived d = derive("create procedure app.p() language sql as 'select 1';", null, schema("app"));

    assertThat(d.absentBefore()).isEmpty();
    assertThat(d.notes()).extracting(Note::text).containsExactly("procedure app.p: no object check lists procedures; add"
        + " a sql check if it matters");
  }

  @Test
  void theRollbackPreconditionRequiresWhatItDropsUnlessItSaysIfExists() {
    Derived d = derive("create table app.a (x int); create table app.b (x int); drop view app.v;",
        "drop table app.a; drop table if exists app.b; create view app.v as select 1;", schema("app"),
        new Placed(ObjectKind.VIEW, "app", "v"));

    assertThat(d.rollbackPresent()).containsExactly(table("app", "a"));
    assertThat(d.rollbackAbsent()).containsExactly(new Placed(ObjectKind.VIEW, "app", "v"));
    assertThat(d.absentAfter()).containsExactly(new Placed(ObjectKind.VIEW, "app", "v"));
  }

  @Test
  void anObjectCreatedAndDroppedAgainIsAbsentBeforeAndAfter() {
    Derived d = derive("create table app.scratch (a int); drop table app.scratch;", null, schema("app"));

    assertThat(d.absentBefore()).containsExactly(table("app", "scratch"));
    assertThat(d.absentAfter()).containsExactly(table("app", "scratch"));
    assertThat(d.presentAfter()).isEmpty();
  }

  @Test
  void withoutACreationSchemaAnUnqualifiedNameIsNotPlacedAndSaysSo() {
    Derived d = ScaffoldDerivation.derive("ddl/change.sql", sql("create table t (a int);"), null, List.of(),
        new FakeCatalog(Set.of(), Optional.empty()));

    assertThat(d.absentBefore()).isEmpty();
    assertThat(d.warnings().stream().map(Note::text).collect(Collectors.toList())).containsExactly("table t is not"
        + " schema-qualified and apply_role has no schema on its search_path for it: no check derived");
  }

  @Test
  void theOnlineStepsIndexesAreAbsentBeforeAndPresentAfterAndItsNotesNameItsFile() {
    Derived d = ScaffoldDerivation.derive("ddl/change.sql", sql("create table app.event (id int);"), "ddl/online.sql",
        sql("create index concurrently event_id_idx on app.event (id);\nanalyze app.event;\n"), null, List.of(),
        new FakeCatalog(Set.of(schema("app")), Optional.of("app")));

    Placed index = new Placed(ObjectKind.INDEX, "app", "event_id_idx");
    assertThat(d.absentBefore()).containsExactly(table("app", "event"), index);
    assertThat(d.presentAfter()).containsExactly(table("app", "event"), index);
    assertThat(d.notes()).containsExactly(new Note("ddl/online.sql", 2, 2, "ANALYZE (statement 2): nothing is derived"
        + " from it; check what it does by hand (privilege, sql)", false));
  }

  @Test
  void aWarningAboutTheOnlineStepNamesTheOnlineFile() {
    Derived d = ScaffoldDerivation.derive("ddl/change.sql", sql("create table app.event (id int);"), "ddl/online.sql",
        sql("drop index concurrently app.missing_idx;\n"), null, List.of(),
        new FakeCatalog(Set.of(schema("app")), Optional.of("app")));

    assertThat(d.warnings()).containsExactly(new Note("ddl/online.sql", 1, 1, "index app.missing_idx does not exist on"
        + " the target now: objects_present left out (the statement fails unless it says IF EXISTS)", true));
  }
}
