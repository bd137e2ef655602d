package dev.cutter.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code dry-run --sandbox URL} names a superuser and a database to log in to; that database's
 * owner (another user of that server) gave it the search_path {@code app, pg_catalog}. The
 * sandbox's own sessions as the superuser then found the owner's {@code current_setting} before
 * the catalog's and ran it as the superuser.
 */
@WithPostgres
class UrlSandboxSearchPathAttackTest {

  @Test
  void theSandboxSuperusersSessionsCallNoneOfTheDatabaseOwnersFunctions(TestDatabase db) throws Exception {
    String owner = db.createRole("owner");
    String planted = TestDatabase.unique("planted");
    db.execute("alter database " + db.name() + " owner to " + owner);
    db.createSchema("app", owner);
    try (Connection c = db.connectAs(owner); Statement st = c.createStatement()) {
      st.execute("create function app.current_setting(name text) returns text language plpgsql as $$ begin"
          + " if (select rolsuper from pg_catalog.pg_roles where rolname operator(pg_catalog.=) current_user)"
          + " and not exists (select from pg_catalog.pg_roles where rolname operator(pg_catalog.=) '" + planted + "') then"
          + " execute 'create role " + planted + " superuser'; end if;"
          + " return pg_catalog.current_setting(name); end $$");
      st.execute("alter database " + db.name() + " set search_path = app, pg_catalog");
    }
    ConnectionSpec url = new ConnectionSpec(db.server().host(), db.server().port(), db.name(), db.server().superuser(),
        Optional.empty());
    String made;
    try {
      try (UrlSandbox sandbox = UrlSandbox.create(url, "20261205T183000Z-0906")) {
        assertThat(sandbox.superuser().database()).isEqualTo("cutter_dryrun_20261205t183000z_0906");
      }
    } finally {
      made = db.queryValue("select count(*) from pg_roles where rolname = '" + planted + "'");
      db.execute("drop role if exists " + planted);
    }

    assertThat(made).as("the database owner's function ran as the sandbox's superuser").isEqualTo("0");
    assertThat(db.queryValue("select count(*) from pg_database where datname = 'cutter_dryrun_20261205t183000z_0906'"))
        .isEqualTo("0");
  }
}
