package dev.cutter.checks;

import static dev.cutter.checks.Packages.byId;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.check.derived.ArtifactNames;
import dev.cutter.core.check.derived.BackupScopeCheck;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * R47: an artifact that sets its own search_path names objects that every check must read where
 * PostgreSQL will find them. The analysis names them in the first schema listed; P1 proves they are
 * there (or created there) and refuses a name PostgreSQL would find elsewhere, and every other check
 * (the backup scope here) reads the schema the artifact writes, not apply_role's.
 */
@WithPostgres
class ArtifactNamesTest {

  @TempDir Path dir;

  private static void seed(TestDatabase db) throws SQLException {
    db.execute("create schema app");
    db.execute("create schema billing");
    db.execute("create table app.t (id int)");
    db.execute("create table public.audit (id int)");
    db.execute("create table billing.invoices (id int)");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of());
    }
  }

  private CheckResult check(TestDatabase db, String sql, String id) throws Exception {
    return check(db, "postgres", sql, id);
  }

  private CheckResult check(TestDatabase db, String applyRole, String sql, String id) throws Exception {
    ApplyPackage p = Packages.write(dir, db, applyRole, sql, "  - schema_exists: app\n");
    return byId(Packages.preflight(db, "postgres", p, sql), id);
  }

  @Test
  void namesFoundOrCreatedInTheFirstSchemaTheArtifactListsPass(TestDatabase db) throws Exception {
    seed(db);
    CheckResult r = check(db, "set search_path = app, public\ninsert into t values (1)\ncreate table u (a int)\n"
        + "insert into u values (1)\nreset search_path\ninsert into audit values (1)", ArtifactNames.ID);
    assertThat(r.status()).as(r.message()).isEqualTo(CheckStatus.PASS);
    assertThat(r.actual()).contains("app");
  }

  /** PostgreSQL would find {@code audit} in public, the second schema: every check read app.audit. */
  @Test
  void aNameTheArtifactsPathFindsOnlyInALaterSchemaIsRefused(TestDatabase db) throws Exception {
    seed(db);
    CheckResult r = check(db, "set search_path = app, public\ninsert into audit values (1)", ArtifactNames.ID);
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.cause()).isEqualTo(new Cause.NameUnproven(List.of("statement 2 (line 2): table audit")));
    assertThat(r.message()).contains("search_path the artifact set at statement 1 (line 1) to app, public")
        .contains("schema app holds no table of that name").contains("Qualify the name");
  }

  @Test
  void aSchemaListedFirstThatDoesNotExistOrMayNotBeUsedIsRefused(TestDatabase db) throws Exception {
    seed(db);
    CheckResult absent = check(db, "set search_path = nowhere, public\ncreate table n (a int)", ArtifactNames.ID);
    assertThat(absent.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(absent.message()).contains("schema nowhere does not exist");
    String role = db.createRole("writer");
    db.execute("grant create on schema public to " + role);
    CheckResult unusable = check(db, role, "set search_path = billing, public\ncreate table n (a int)", ArtifactNames.ID);
    assertThat(unusable.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(unusable.message()).contains("may not use schema billing");
  }

  @Test
  void aSchemaTheArtifactCreatesBeforeListingItPasses(TestDatabase db) throws Exception {
    seed(db);
    CheckResult r = check(db, "create schema fresh\nset search_path = fresh\ncreate table n (a int)\ninsert into n values (1)",
        ArtifactNames.ID);
    assertThat(r.status()).as(r.message()).isEqualTo(CheckStatus.PASS);
  }

  @Test
  void aChangeOfThePathTheTextDoesNotTellRefusesTheNamesAfterIt(TestDatabase db) throws Exception {
    seed(db);
    CheckResult r = check(db, "select set_config('search_path', current_user, false)\ncreate table n (a int)",
        ArtifactNames.ID);
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.message()).contains("cannot follow").contains("cutter cannot tell which schema");
    CheckResult user = check(db, "set search_path = \"$user\", app\ninsert into t values (1)", ArtifactNames.ID);
    assertThat(user.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(user.message()).contains("lists \"$user\" first");
  }

  /**
   * The backup scope reads the schema the artifact's own path writes: apply_role's path finds no
   * {@code invoices} and took it for a new object in public, inside the scope.
   */
  @Test
  void theBackupScopeSeesTheSchemaTheArtifactsOwnPathDropsFrom(TestDatabase db) throws Exception {
    seed(db);
    String sql = "set search_path = billing\ndrop table invoices";
    ApplyPackage p = Packages.write(dir, db, "postgres", sql, "  - schema_exists: app\n");
    ApplyPackage scoped = Packages.with(p, p.preflight(),
        new BackupPolicy(true, List.of("public"), dir.resolve("backups"), 0, List.of(), Optional.empty()));
    CheckResult r = byId(Packages.preflight(db, "postgres", scoped, sql), BackupScopeCheck.ID);
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.message()).contains("schema billing").contains("DROP table billing.invoices");
  }

  @Test
  void anArtifactThatNamesNoSearchPathHasNothingToProve(TestDatabase db) throws Exception {
    seed(db);
    List<CheckResult> all = Packages.preflight(db, "postgres",
        Packages.write(dir, db, "postgres", "insert into audit values (1)", "  - schema_exists: app\n"), "insert into audit values (1)");
    assertThat(all).extracting(CheckResult::id).doesNotContain(ArtifactNames.ID).contains(BackupScopeCheck.ID);
  }
}
