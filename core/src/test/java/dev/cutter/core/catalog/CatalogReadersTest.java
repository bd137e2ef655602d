package dev.cutter.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

@WithPostgres
class CatalogReadersTest {

  /** Names that break naive SQL building: quotes, a semicolon, unicode, more than 63 bytes. */
  static final String QUOTE = "it's \"quoted\"";
  static final String SEMI = "x; drop table victim; --";
  static final String UNICODE = "bảng_dữ_liệu_ñ";
  static final String LONG = "l".repeat(70);

  @Test
  void countsConstraintsAndRelationsExactlyAsTheCatalogHoldsThem(TestDatabase db) throws SQLException {
    db.execute("""
        create schema s;
        create table s.parent (id int primary key, v int check (v > 0), u int, unique (id, u)) partition by range (id);
        create table s.p1 partition of s.parent for values from (0) to (10);
        create table s.child (id int primary key, parent_id int);
        alter table s.child add constraint fk foreign key (parent_id) references s.child (id);
        create view s.v as select 1 as one;
        create sequence s.seq;
        """);
    try (Connection c = db.superuser()) {
      Baseline b = BaselineReader.read(c, List.of("s", "absent"));
      assertThat(b.schemas()).containsOnlyKeys("s");
      SchemaCounts s = b.schemas().get("s");
      assertThat(s.constraints()).as("the partition's cloned p/u/c constraints count too")
          .containsEntry("p", 3).containsEntry("u", 2).containsEntry("c", 2).containsEntry("f", 1);
      assertThat(s.relations()).containsEntry("r", 2).containsEntry("p", 1).containsEntry("v", 1)
          .containsEntry("S", 1).containsEntry("I", 2).containsEntry("i", 3);
    }
  }

  @Test
  void readsSchemasWithHostileNames(TestDatabase db) throws SQLException {
    db.execute("create table victim (id int)");
    for (String name : List.of(QUOTE, SEMI, UNICODE, LONG)) {
      String q = Identifiers.quoteAlways(name);
      db.execute("create schema " + q + "; create table " + q + "." + q + " (id int primary key)");
    }
    try (Connection c = db.superuser()) {
      Baseline b = BaselineReader.read(c, List.of(QUOTE, SEMI, UNICODE, LONG));
      assertThat(b.schemas()).containsOnlyKeys(QUOTE, SEMI, UNICODE, Identifiers.truncate(LONG));
      assertThat(b.schemas().get(SEMI).relations()).isEqualTo(Map.of("r", 1, "i", 1));
      for (String name : List.of(QUOTE, SEMI, UNICODE, LONG)) {
        assertThat(CatalogObjects.existing(c, ObjectKind.TABLE, name, List.of(name, "other"))).as(name)
            .isEqualTo(Set.of(name));
        assertThat(CatalogObjects.schemaOid(c, name)).as(name).isPresent();
      }
    }
    assertThat(db.queryValue("select count(*) from victim")).as("nothing was injected").isEqualTo("0");
  }

  @Test
  void looksUpEveryObjectKind(TestDatabase db) throws SQLException {
    String role = db.createRole("someone");
    db.execute("""
        create schema k;
        create table k.t (id int primary key);
        create view k.v as select 1;
        create materialized view k.m as select 1;
        create sequence k.s;
        create function k.f(a int) returns int language sql as 'select a';
        create procedure k.p() language sql as 'select 1';
        create type k.ty as enum ('a');
        create domain k.d as int;
        """);
    try (Connection c = db.superuser()) {
      assertThat(CatalogObjects.existing(c, ObjectKind.TABLE, "k", List.of("t", "v"))).containsExactly("t");
      assertThat(CatalogObjects.existing(c, ObjectKind.VIEW, "k", List.of("t", "v"))).containsExactly("v");
      assertThat(CatalogObjects.existing(c, ObjectKind.MATERIALIZED_VIEW, "k", List.of("m"))).containsExactly("m");
      assertThat(CatalogObjects.existing(c, ObjectKind.INDEX, "k", List.of("t_pkey"))).containsExactly("t_pkey");
      assertThat(CatalogObjects.existing(c, ObjectKind.SEQUENCE, "k", List.of("s", "t"))).containsExactly("s");
      assertThat(CatalogObjects.existing(c, ObjectKind.FUNCTION, "k", List.of("f", "p", "f(integer)", "f(text)")))
          .containsExactly("f", "f(integer)");
      assertThat(CatalogObjects.existing(c, ObjectKind.PROCEDURE, "k", List.of("p", "f"))).containsExactly("p");
      assertThat(CatalogObjects.existing(c, ObjectKind.TYPE, "k", List.of("ty", "d", "nope"))).containsExactly("ty", "d");
      assertThat(CatalogObjects.existing(c, ObjectKind.ROLE, null, List.of(role, "no_such_role"))).containsExactly(role);
    }
  }

  @Test
  void readsTheIdentityAndRefusesClearlyWithoutPgControlSystem(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    try (Connection c = db.connectAs(app)) {
      Identity id = IdentityReader.read(c);
      assertThat(id.database()).isEqualTo(db.name());
      assertThat(id.serverMajor()).isEqualTo(db.server().major());
      assertThat(id.systemIdentifier()).matches("[0-9]+");
      try {
        db.execute("revoke execute on function pg_control_system() from public");
        assertThatThrownBy(() -> IdentityReader.read(c))
            .isInstanceOf(IdentityReader.NotExecutableException.class)
            .hasMessageContaining("pg_catalog.pg_control_system() is not executable by role " + app)
            .hasMessageContaining("grant execute on function pg_catalog.pg_control_system() to " + app);
      } finally {
        db.execute("grant execute on function pg_control_system() to public");
      }
    }
  }

  @Test
  void privilegeLookupsAnswerForHostileRoleAndSchemaNames(TestDatabase db) throws SQLException {
    String hostileRole = Identifiers.truncate("r\"; drop role x; " + UNICODE);
    db.execute("create role " + Identifiers.quoteAlways(hostileRole));
    try {
      db.execute("create schema " + Identifiers.quoteAlways(SEMI) + "; grant usage on schema "
          + Identifiers.quoteAlways(SEMI) + " to " + Identifiers.quoteAlways(hostileRole));
      try (Connection c = db.superuser()) {
        long role = CatalogObjects.roleOid(c, hostileRole).orElseThrow();
        long schema = CatalogObjects.schemaOid(c, SEMI).orElseThrow();
        assertThat(Privileges.missingOnSchema(c, role, schema, List.of("usage", "CREATE"))).containsExactly("CREATE");
        assertThatThrownBy(() -> Privileges.onSchema(c, role, schema, "USAGE, CREATE"))
            .as("a privilege list would be true if ANY were held: refused")
            .isInstanceOf(IllegalArgumentException.class);
      }
    } finally {
      db.execute("drop schema if exists " + Identifiers.quoteAlways(SEMI) + " cascade; drop role "
          + Identifiers.quoteAlways(hostileRole));
    }
  }
}
