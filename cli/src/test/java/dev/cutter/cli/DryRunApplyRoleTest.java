package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a dry-run the artifact runs in a session logged in as apply_role (session_user =
 * apply_role), so {@code RESET ROLE} in it leads nowhere: never to the sandbox's superuser.
 */
class DryRunApplyRoleTest {

  private static final String SETUP = """
      create role app_apply;
      grant create on schema public to app_apply;
      """;

  @TempDir Path tmp;

  @Test
  void resetRoleInTheArtifactStaysApplyRole() {
    Path pkg = DryRunPackages.write(tmp.resolve("pkg"), SETUP, """
        reset role;
        create table public.escaped_as_superuser (x int);
        create table public.who as select session_user::text as s, current_user::text as c;
        """, """
        - sql:
            name: the table is owned by apply_role, not by the sandbox's superuser
            query: "select pg_get_userbyid(relowner) from pg_class where oid = 'public.escaped_as_superuser'::regclass"
            expect: app_apply
        - sql: { name: session_user was apply_role, query: "select s || '/' || c from public.who", expect: app_apply/app_apply }
        """);

    Cli r = Cli.run("dry-run", pkg.toString(), "--report-dir", tmp.resolve("reports").toString());

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("verdict: PASS");
  }

  @Test
  void resetRoleThenAlterRoleSuperuserInADoBlockFailsAndMakesNoSuperuser() throws SQLException {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
      List<String> before = superusers(server);
      Path pkg = DryRunPackages.write(tmp.resolve("pkg"), SETUP, """
          do $$ begin
            execute 'reset role';
            execute 'alter role ' || quote_ident(session_user) || ' superuser';
            execute 'alter role app_apply superuser';
          end $$;
          """, "");

      Cli r = Cli.run("dry-run", pkg.toString(), "--sandbox", server.uri("postgres", "postgres"), "--report-dir",
          tmp.resolve("reports").toString());

      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(4);
      assertThat(r.out()).contains("verdict: FAILED");
      assertThat(superusers(server)).as("no role became superuser (roles outlive the sandbox database)")
          .isEqualTo(before);
    }
  }

  /**
   * observer-role's pattern: apply_role holds CREATEROLE because the change creates a role. On
   * PostgreSQL 15 that lets it grant itself the program role, unless the sandbox seals it.
   */
  @Test
  void aCreateroleApplyRoleCannotReachTheProgramRole() {
    Path mark = DryRunPackages.writableByAnyone(tmp).resolve("pwned");
    Path pkg = DryRunPackages.write(tmp.resolve("pkg"), "create role app_apply createrole;\n", """
        grant pg_execute_server_program to app_apply;
        do $$ begin execute 'copy (select 1) to program ''touch %s'''; end $$;
        """.formatted(mark), "");

    Cli r = Cli.run("dry-run", pkg.toString(), "--report-dir", tmp.resolve("reports").toString());

    assertThat(mark).as("the program did not run").doesNotExist();
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(4);
    assertThat(r.out() + r.err()).doesNotContain("Exception");
  }

  @Test
  void aSuperuserApplyRoleIsRefusedBeforeAnythingRunsAsIt() throws Exception {
    Path mark = DryRunPackages.writableByAnyone(tmp).resolve("pwned");
    Path pkg = DryRunPackages.write(tmp.resolve("pkg"), SETUP,
        "do $$ begin execute 'copy (select 1) to program ''touch %s'''; end $$;\n".formatted(mark), "");
    Path yaml = pkg.resolve("package.yaml");
    Files.writeString(yaml, Files.readString(yaml)
        .replace("apply_role: app_apply", "apply_role: postgres"));

    Cli r = Cli.run("dry-run", pkg.toString(), "--report-dir", tmp.resolve("reports").toString());

    assertThat(mark).as("the program did not run").doesNotExist();
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).contains("role postgres is a superuser or predefined role in the sandbox");
  }

  @Test
  void cutterLeavesNoRoleOfItsOwnOnANamedServer() throws SQLException {
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
      Path pkg = DryRunPackages.write(tmp.resolve("pkg"), SETUP, "create table public.t (x int);\n", "");
      Cli r = Cli.run("dry-run", pkg.toString(), "--sandbox", server.uri("postgres", "postgres"), "--report-dir",
          tmp.resolve("reports").toString());
      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      try (Connection c = server.superuserConnection("postgres"); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select count(*) from pg_roles where rolname like 'cutter\\_sandbox\\_%'")) {
        rs.next();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  private static List<String> superusers(EmbeddedPostgresServer server) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = server.superuserConnection("postgres"); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select rolname from pg_roles where rolsuper and rolname !~ '^pg_' order by 1")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
