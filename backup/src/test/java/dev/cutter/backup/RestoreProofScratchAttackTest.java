package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Attacks on the restore proof's database on an operator's server ({@code --restore-into}), where
 * other users have logins: nobody but cutter's admin (and a superuser) can connect to it while it
 * holds a copy of production; cutter drops only the database it created, also with a session still
 * connected to it, and a hostile run id cannot reach into its SQL.
 */
@WithPostgres
class RestoreProofScratchAttackTest {

  /** An admin as an operator would name one: CREATEDB and CREATEROLE (for the proof's own role), not a superuser. */
  private static ConnectionSpec admin(TestDatabase db) {
    String admin = db.createRole("proofadmin", "createdb", "createrole");
    return new ConnectionSpec(db.server().host(), db.server().port(), "postgres", admin, Optional.empty());
  }

  private static String exists(TestDatabase db, String name) {
    return db.queryValue("select count(*) from pg_database where datname = '" + name.replace("'", "''") + "'");
  }

  @Test
  void anotherLoginOfTheOperatorsServerCannotConnectToTheProofDatabase(TestDatabase db) throws Exception {
    ConnectionSpec admin = admin(db);
    String other = db.createRole("colleague");
    String name;
    try (RestoreProof proof = RestoreProof.open(() -> ScratchServer.at(admin), db.server().major(), "20261205T120000Z-0201")) {
      name = proof.database();
      // while it holds production's restored catalog (function bodies, reltuples) and its rows
      SQLException e = catchThrowableOfType(SQLException.class, () -> db.server().connect(name, other).close());
      assertThat((Object) e).as("a colleague's login reaches the proof database").isNotNull();
      assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("42501");
      try (Connection c = dev.cutter.core.db.Connections.open(proof.connection(), "test")) {
        assertThat(c.isValid(5)).as("cutter's own admin still connects (pg_restore does, as it)").isTrue();
      }
    }
    assertThat(exists(db, name)).as("dropped by a non-superuser admin").isEqualTo("0");
  }

  @Test
  void theProofDatabaseIsDroppedWithASessionStillConnectedToIt(TestDatabase db) throws Exception {
    ConnectionSpec admin = admin(db);
    String name;
    Connection lingering;
    try (RestoreProof proof = RestoreProof.open(() -> ScratchServer.at(admin), db.server().major(), "20261205T120000Z-0202")) {
      name = proof.database();
      // a session the proof's own login left (a pg_restore job still connected)
      lingering = dev.cutter.core.db.Connections.open(proof.connection(), "lingering");
    }
    try (lingering) {
      assertThat(exists(db, name)).as("dropped whoever is connected").isEqualTo("0");
      assertThat(lingering.isValid(2)).as("the connected session was ended").isFalse();
    }
  }

  @Test
  void aDatabaseNamedLikeAProofOfTheSameRunIsNeverDropped(TestDatabase db) throws Exception {
    ConnectionSpec admin = admin(db);
    String runId = "20261205T120000Z-0203";
    String lookalike = "cutter_proof_20261205t120000z_0203_00000000";
    db.execute("create database " + lookalike);
    try {
      String name;
      try (RestoreProof proof = RestoreProof.open(() -> ScratchServer.at(admin), db.server().major(), runId)) {
        name = proof.database();
        assertThat(name).startsWith("cutter_proof_20261205t120000z_0203_").isNotEqualTo(lookalike);
      }
      assertThat(exists(db, name)).isEqualTo("0");
      assertThat(exists(db, lookalike)).as("a database cutter did not create stays").isEqualTo("1");
    } finally {
      db.execute("drop database if exists " + lookalike);
    }
  }

  @Test
  void aRunIdWithSqlInItNamesOnlyTheProofsOwnDatabase(TestDatabase db) throws Exception {
    ConnectionSpec admin = admin(db);
    String victim = TestDatabase.unique("victim");
    db.execute("create database " + victim);
    try {
      String name;
      try (RestoreProof proof = RestoreProof.open(() -> ScratchServer.at(admin), db.server().major(),
          "x\"; drop database " + victim + "; --")) {
        name = proof.database();
        assertThat(name).matches("cutter_proof_[a-z0-9_]+_[0-9a-f]{8}");
      }
      assertThat(exists(db, name)).isEqualTo("0");
      assertThat(exists(db, victim)).isEqualTo("1");
    } finally {
      db.execute("drop database if exists " + victim);
    }
  }

  /**
   * The restore runs the source's code as the proof's own role. Were that role the database's
   * owner, that code could give CONNECT on it back to PUBLIC (a colleague's login then reads the
   * restored copy of production while the proof runs) or set the database's defaults for the
   * comparison's session. It holds CONNECT, CREATE and TEMPORARY on it, without grant option.
   */
  @Test
  void theProofsOwnRoleCannotOpenItsDatabaseToOthersNorSetItsDefaults(TestDatabase db) throws Exception {
    String other = db.createRole("colleague");
    try (RestoreProof proof = RestoreProof.open(() -> ScratchServer.at(RestoreProofTest.admin(db)), db.server().major(),
        "20261205T120000Z-0207")) {
      String name = proof.database();
      assertThat(proof.connection().user()).as("the proof restores as a role of its own").isEqualTo(name);
      try (Connection c = dev.cutter.core.db.Connections.open(proof.connection(), "restore-time code");
          var st = c.createStatement()) {
        st.execute("grant connect on database " + name + " to public");
        SQLException set = catchThrowableOfType(SQLException.class,
            () -> st.execute("alter database " + name + " set search_path = elsewhere, pg_catalog"));
        assertThat((Object) set).as("the proof's role set its database's search_path").isNotNull();
        assertThat(set.getSQLState()).as(set.getMessage()).isEqualTo("42501");
        st.execute("create schema restored"); // what a restore does: it may still create
      }
      SQLException e = catchThrowableOfType(SQLException.class, () -> db.server().connect(name, other).close());
      assertThat((Object) e).as("a colleague's login reaches the proof database").isNotNull();
      assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("42501");
    }
  }
}
