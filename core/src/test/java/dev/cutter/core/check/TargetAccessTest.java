package dev.cutter.core.check;

import static dev.cutter.core.check.TestPackages.login;
import static dev.cutter.core.check.TestPackages.pkg;
import static dev.cutter.core.check.TestPackages.target;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.cutter.core.check.TargetAccess.RoleRefused;
import dev.cutter.core.check.TargetAccess.RoleSession;
import dev.cutter.core.check.TargetAccess.Route;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.exec.RoleSwitch;
import dev.cutter.core.exec.RoleSwitch.Attribute;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.model.YamlValue;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The session that runs an artifact can act as apply_role and as nothing more: every way a
 * statement has back to its login role (RESET ROLE, SET SESSION AUTHORIZATION, set_config, also
 * inside DO) leads to apply_role itself or to a login role that holds nothing apply_role lacks.
 */
@WithPostgres
class TargetAccessTest {

  private static TargetAccess access(TestDatabase db, String login) {
    return new TargetAccess(login(db, login), (spec, role) -> Optional.empty());
  }

  private static String query(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** Runs each escape a statement could try; returns current_user after them. */
  private static String afterEscapes(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("reset role");
      st.execute("select set_config('role', 'none', false)");
      st.execute("do $$ begin execute 'reset role'; end $$");
      try {
        st.execute("set session authorization postgres");
      } catch (SQLException e) {
        assertThat(e.getSQLState()).as("SET SESSION AUTHORIZATION needs a superuser login").isEqualTo("42501");
      }
    }
    return query(c, "select current_user");
  }

  @Test
  void superuserLoginRunsTheArtifactUnderALoginAsApplyRole(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    try (RoleSession s = access(db, "postgres").openAs(app, "test")) {
      assertThat(s.route()).isEqualTo(Route.AUTHENTICATED_AS_ROLE);
      assertThat(s.how()).isEqualTo("a separate login as " + app + " (login role postgres holds what " + app
          + " lacks (superuser))");
      assertThat(query(s.connection(), "select session_user")).isEqualTo(app);
      assertThat(afterEscapes(s.connection())).as("every escape leads back to apply_role").isEqualTo(app);
    }
  }

  @Test
  void superuserLoginIsRefusedWhenApplyRoleCannotLogIn(TestDatabase db) {
    String app = db.createRole("app", "nologin");
    RoleRefused e = catchThrowableOfType(RoleRefused.class, () -> access(db, "postgres").openAs(app, "test"));
    assertThat(e.reason()).isEqualTo(TargetAccess.Refusal.PRIVILEGED_LOGIN);
    assertThat(e.excess().attributes()).containsExactly(Attribute.SUPERUSER);
    assertThat(e.getMessage()).startsWith("login role postgres holds what " + app + " lacks (superuser), so a statement"
        + " could RESET ROLE and act as postgres; logging in as " + app + " failed: ").contains("allow_privileged_login");
  }

  @Test
  void theTrustPolicyMayAllowAPrivilegedLoginAndTheSessionSaysSo(TestDatabase db) throws SQLException {
    String app = db.createRole("app", "nologin");
    TargetAccess allowed = new TargetAccess(login(db, "postgres"), (spec, role) -> Optional.empty(), true);
    try (RoleSession s = allowed.openAs(app, "test")) {
      assertThat(s.route()).isEqualTo(Route.SET_ROLE_FROM_PRIVILEGED_LOGIN);
      assertThat(s.privilegedLoginUsed()).isTrue();
      assertThat(s.how()).contains("allowed by the trust policy (allow_privileged_login), a statement can act as postgres");
      assertThat(query(s.connection(), "select current_user")).isEqualTo(app);
    }
    String canLogIn = db.createRole("app");
    try (RoleSession s = allowed.openAs(canLogIn, "test")) {
      assertThat(s.route()).as("the waiver is the last resort, after a login as apply_role")
          .isEqualTo(Route.AUTHENTICATED_AS_ROLE);
    }
  }

  @Test
  void createroleLoginThatIsAMemberOfApplyRoleIsRedirectedOrRefused(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    String ops = db.createRole("ops", "CREATEROLE");
    db.execute("grant " + app + " to " + ops);
    try (RoleSession s = access(db, ops).openAs(app, "test")) {
      assertThat(s.route()).isEqualTo(Route.AUTHENTICATED_AS_ROLE);
      assertThat(query(s.connection(), "select session_user")).isEqualTo(app);
      assertThat(afterEscapes(s.connection())).isEqualTo(app);
    }
    String quiet = db.createRole("app", "nologin");
    String ops2 = db.createRole("ops", "CREATEROLE");
    db.execute("grant " + quiet + " to " + ops2);
    RoleRefused e = catchThrowableOfType(RoleRefused.class, () -> access(db, ops2).openAs(quiet, "test"));
    assertThat(e.excess().attributes()).containsExactly(Attribute.CREATEROLE);
    assertThat(e.getMessage()).contains("holds what " + quiet + " lacks (CREATEROLE)");
  }

  @Test
  void leanLoginReachesApplyRoleBySetRole(TestDatabase db) throws SQLException {
    String app = db.createRole("app", "nologin");
    String deployer = db.createRole("deployer");
    db.execute("grant " + app + " to " + deployer);
    try (RoleSession s = access(db, deployer).openAs(app, "test")) {
      assertThat(s.route()).isEqualTo(Route.SET_ROLE_FROM_LEAN_LOGIN);
      assertThat(query(s.connection(), "select current_user")).isEqualTo(app);
      assertThat(afterEscapes(s.connection())).as("RESET ROLE reaches the lean login only").isEqualTo(deployer);
    }
  }

  @Test
  void anythingTheLoginHoldsBeyondApplyRoleCounts(TestDatabase db) throws SQLException {
    String app = db.createRole("app", "nologin");
    String ops = db.createRole("ops", "nologin");
    String deployer = db.createRole("deployer", "CREATEDB", "BYPASSRLS");
    db.execute("grant " + app + " to " + deployer + "; grant " + ops + " to " + deployer
        + "; grant pg_read_server_files to " + ops + "; create table owned_by_deployer(a int);"
        + " alter table owned_by_deployer owner to " + deployer);
    try (Connection c = db.connectAs(deployer)) {
      RoleSwitch.Excess x = RoleSwitch.standing(c, app).excess();
      assertThat(x.attributes()).containsExactlyInAnyOrder(Attribute.CREATEDB, Attribute.BYPASSRLS);
      assertThat(x.memberships()).as("direct and inherited").containsExactlyInAnyOrder(ops, "pg_read_server_files");
      assertThat(x.ownedObjects()).isEqualTo(1);
      assertThat(x.describe()).isEqualTo("CREATEDB, BYPASSRLS; member of " + String.join(", ", x.memberships())
          + "; owner of 1 object");
    }
    db.execute("alter role " + app + " CREATEDB BYPASSRLS; grant " + ops + " to " + app
        + "; alter table owned_by_deployer owner to " + app);
    try (Connection c = db.connectAs(deployer)) {
      assertThat(RoleSwitch.standing(c, app).leanMember()).as("apply_role holds all of it too").isTrue();
    }
  }

  @Test
  void privilegesGrantedToTheLoginByNameCountUnlessApplyRoleHoldsThemToo(TestDatabase db) throws SQLException {
    String app = db.createRole("app", "nologin");
    String deployer = db.createRole("deployer");
    db.execute("grant " + app + " to " + deployer + "; create schema billing; create table billing.cards(n text);"
        + " create table billing.notes(n text); grant usage on schema billing to " + deployer + ", " + app + ";"
        + " grant update (n) on billing.notes to " + deployer + "; grant select on billing.cards to " + deployer
        + " with grant option; grant select on billing.cards to " + app + ";"
        + " revoke connect on database " + db.name() + " from public; grant connect on database " + db.name()
        + " to " + deployer);
    try (Connection c = db.connectAs(deployer)) {
      assertThat(RoleSwitch.standing(c, app).excess().privileges()).as("USAGE is held by both; CONNECT is moot")
          .containsExactly("UPDATE on column billing.notes.n", "SELECT WITH GRANT OPTION on table billing.cards");
    }
    RoleRefused e = catchThrowableOfType(RoleRefused.class, () -> access(db, deployer).openAs(app, "test"));
    assertThat(e.getMessage()).contains("lacks (UPDATE on column billing.notes.n, SELECT WITH GRANT OPTION on table"
        + " billing.cards)");
    db.execute("revoke update (n) on billing.notes from " + deployer + "; revoke grant option for select on"
        + " billing.cards from " + deployer);
    try (RoleSession s = access(db, deployer).openAs(app, "test")) {
      assertThat(s.route()).isEqualTo(Route.SET_ROLE_FROM_LEAN_LOGIN);
    }
  }

  @Test
  void rehearsalFromASuperuserLoginCannotActAsTheSuperuser(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    String victim = TestDatabase.unique("escaped");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    List<ExecStatement> escape = List.of(
        new ExecStatement(1, 1, "do $$ begin execute 'reset role'; execute 'create role " + victim + " superuser'; end $$"));
    CheckResult r = rehearse(db, "postgres", app, escape);
    assertThat(r.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(r.message()).as("the superuser's right to create roles is out of reach").contains("SQLSTATE 42501")
        .contains("a separate login as " + app);

    String nologin = db.createRole("app", "nologin");
    CheckResult blocked = rehearse(db, "postgres", nologin, escape);
    assertThat(blocked.status()).isEqualTo(CheckStatus.FAIL);
    assertThat(blocked.actual()).isEqualTo("no session that acts only as apply_role (PRIVILEGED_LOGIN)");
    assertThat(blocked.message()).contains("holds what " + nologin + " lacks (superuser)");
  }

  private static CheckResult rehearse(TestDatabase db, String login, String applyRole, List<ExecStatement> statements) {
    CheckType type = new CheckType() {
      @Override
      public String name() {
        return "rehearse";
      }

      @Override
      public void validate(YamlValue args, Problems problems) {}

      @Override
      public CheckResult run(YamlValue args, CheckContext ctx) throws SQLException {
        return Rehearsal.run(ctx);
      }
    };
    CheckSpec spec = new CheckSpec("rehearse", new YamlValue.Scalar("true", true, "tag:yaml.org,2002:bool",
        SourcePosition.UNKNOWN), SourcePosition.UNKNOWN);
    Preflight p = new Preflight(Map.of("rehearse", type), x -> statements, (s, role) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM);
    return p.run(login(db, login), pkg(target(db, applyRole), dev.cutter.core.model.BackupPolicy.none(), List.of(spec)),
        statements, false).results().stream().filter(x -> x.id().startsWith("rehearse")).findFirst().orElseThrow();
  }
}
