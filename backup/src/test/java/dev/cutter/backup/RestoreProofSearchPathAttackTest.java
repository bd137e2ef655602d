package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.fixtures.SearchPathTrap;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code --restore-into} names the target's own server with the target's own database in its URL
 * (the scratch admin logs in there to create the proof's database). apply_role, which owns that
 * database, gave it the search_path {@code app, pg_catalog}: the admin's sessions (a superuser)
 * then found apply_role's {@code current_setting} before the catalog's while the proof's database
 * was made, and ran it as the superuser.
 */
@WithPostgres
class RestoreProofSearchPathAttackTest {

  @Test
  void theScratchAdminsSessionsCallNoneOfApplyRolesFunctions(TestDatabase db) throws Exception {
    String app = db.createRole("app");
    SearchPathTrap trap = SearchPathTrap.set(db, app);
    ConnectionSpec intoTheTargetsDatabase = new ConnectionSpec(db.server().host(), db.server().port(), db.name(),
        db.server().superuser(), Optional.empty());
    boolean sprung;
    try {
      try (RestoreProof proof = RestoreProof.open(() -> ScratchServer.at(intoTheTargetsDatabase), db.server().major(),
          "20261205T183000Z-0905")) {
        assertThat(proof.database()).startsWith("cutter_proof_20261205t183000z_0905_");
      }
    } finally {
      sprung = trap.sprungAndCleared();
    }

    assertThat(sprung).as("apply_role's function ran as the scratch's superuser").isFalse();
    assertThat(RestoreProofTest.proofDatabases(db, "20261205T183000Z-0905")).isEmpty();
  }
}
