package dev.cutter.cli.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.fixtures.SearchPathTrap;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
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
    SearchPathTrap trap = SearchPathTrap.set(db, owner);
    ConnectionSpec url = new ConnectionSpec(db.server().host(), db.server().port(), db.name(), db.server().superuser(),
        Optional.empty());
    boolean sprung;
    try {
      try (UrlSandbox sandbox = UrlSandbox.create(url, "20261205T183000Z-0906")) {
        assertThat(sandbox.superuser().database()).isEqualTo("cutter_dryrun_20261205t183000z_0906");
      }
    } finally {
      sprung = trap.sprungAndCleared();
    }

    assertThat(sprung).as("the database owner's function ran as the sandbox's superuser").isFalse();
    assertThat(db.queryValue("select count(*) from pg_database where datname = 'cutter_dryrun_20261205t183000z_0906'"))
        .isEqualTo("0");
  }
}
