package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import org.junit.jupiter.api.Test;

/**
 * The read-only verbs (baseline, target, history) read the catalog as the login, often a
 * superuser, in a READ ONLY transaction, where {@code COPY … TO} a file or program still runs.
 * apply_role that owns the database sets its search_path to {@code app, pg_catalog}; its
 * look-alikes of the catalog's operators must not be what these verbs call.
 */
@WithPostgres
class ReadOnlyVerbsSearchPathAttackTest {

  @Test
  void theReadOnlyVerbsCallNoOperatorTheDatabasesOwnerPutBeforeTheCatalog(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    db.execute("alter database " + db.name() + " owner to " + app);
    db.createSchema("app", app);
    String planted = TestDatabase.unique("planted");
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("create table app.t(id int primary key)");
      // text || text and name = name, each run as whoever calls it: a superuser writes a server file
      String spy = " if (select rolsuper from pg_catalog.pg_roles where pg_catalog.nameeq(rolname, current_user)) then"
          + " execute pg_catalog.format('copy (select 1) to %L',"
          + " pg_catalog.concat(pg_catalog.current_setting('data_directory'), '/" + planted + "')); end if;";
      st.execute("create function app.cat(a text, b text) returns text language plpgsql as $$ begin" + spy
          + " return pg_catalog.textcat(a, b); end $$");
      st.execute("create operator app.|| (leftarg = text, rightarg = text, function = app.cat)");
      st.execute("create function app.eq(a name, b name) returns boolean language plpgsql as $$ begin" + spy
          + " return pg_catalog.nameeq(a, b); end $$");
      st.execute("create operator app.= (leftarg = name, rightarg = name, function = app.eq)");
      st.execute("alter database " + db.name() + " set search_path = app, pg_catalog");
    }

    Cli baseline = Cli.run("baseline", "--schema", "app", "--target", db.uri("postgres"));
    Cli target = Cli.run("target", "--target", db.uri("postgres"));
    Cli history = Cli.run("history", "--target", db.uri("postgres"));

    assertThat(db.queryValue("select (pg_catalog.pg_stat_file('" + planted + "', true)).size is not null"))
        .as("apply_role's operator ran as the superuser login of a read-only verb").isEqualTo("f");
    assertThat(baseline.exit()).as(baseline.err()).isZero();
    assertThat(target.exit()).as(target.err()).isZero();
    // no journal in this database (no cutter init): history reads the catalog to say so, and refuses
    assertThat(history.exit()).as(history.err()).isEqualTo(3);
    assertThat(history.err()).contains("no journal");
  }
}
