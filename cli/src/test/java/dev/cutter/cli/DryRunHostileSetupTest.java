package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * sandbox.setup is unsigned SQL: a dry-run must not hand it the machine it runs on. Each test is
 * an attack that, run as superuser (as setup used to), leaves a file behind or reads one.
 */
class DryRunHostileSetupTest {

  @TempDir Path tmp;

  private Path mark() {
    return DryRunPackages.writableByAnyone(tmp).resolve("pwned");
  }

  private Cli dryRun(String setupSql) {
    Path pkg = DryRunPackages.write(tmp.resolve("pkg"), setupSql, "select 1;\n", "");
    return Cli.run("dry-run", pkg.toString(), "--report-dir", tmp.resolve("reports").toString());
  }

  @Test
  void copyToProgramInSetupIsRefusedWithItsPositionBeforeTheSandboxStarts() {
    Path mark = mark();
    Cli r = dryRun("create role app_apply;\n\n  copy (select 1) to program 'touch " + mark + "';\n"
        + "copy pg_class from '/etc/passwd';\n");

    assertThat(mark).as("the program did not run").doesNotExist();
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).as("file:line:col of PROGRAM, and of the file name")
        .contains("sandbox/setup.sql:3:22: sandbox setup statement 2")
        .contains("sandbox/setup.sql:4:20: sandbox setup statement 3")
        .contains("server-side file or program");
    assertThat(r.out()).as("no sandbox was started").doesNotContain("sandbox:");
  }

  @Test
  void copyToProgramHiddenInADoBlockFailsForLackOfPrivilege() {
    Path mark = mark();
    Cli r = dryRun("create role app_apply;\n"
        + "do $$ begin execute 'copy (select 1) to program ''touch " + mark + "'''; end $$;\n");

    assertThat(mark).as("the program did not run").doesNotExist();
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).contains("sandbox/setup.sql:2:1: sandbox setup statement 2 failed")
        .contains("pg_execute_server_program");
  }

  /**
   * On PostgreSQL 15 a CREATEROLE role may grant any role that is not a superuser, the program
   * role included: the sandbox administrator has CREATEROLE, so these fail only because the sandbox
   * seals that role.
   */
  @ParameterizedTest
  @ValueSource(strings = {
      // granted in one statement, used in the next
      "grant pg_execute_server_program to current_user;\n"
          + "do $$ begin execute 'copy (select 1) to program ''touch %1$s'''; end $$;\n",
      // granted and used in the same statement: no check between statements could catch it
      "do $$ begin execute 'grant pg_execute_server_program to ' || quote_ident(current_user);\n"
          + "execute 'copy (select 1) to program ''touch %1$s'''; end $$;\n",
      // through a role of the setup's own making, with CREATEROLE
      "create role helper createrole;\nset role helper;\n"
          + "do $$ begin execute 'grant pg_execute_server_program to helper';\n"
          + "execute 'copy (select 1) to program ''touch %1$s'''; end $$;\n",
      "create role reader in role pg_read_server_files;\n",
      "grant pg_write_server_files to current_user;\n"})
  void theProgramAndFileRolesCannotBeGranted(String attack) {
    Path mark = mark();
    Cli r = dryRun("create role app_apply;\n" + attack.formatted(mark));

    assertThat(mark).as("the program did not run").doesNotExist();
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).contains("sandbox setup statement").contains("failed").contains("must be superuser");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "alter role current_user superuser;\n",
      "do $$ begin execute 'alter role ' || quote_ident(current_user) || ' superuser'; end $$;\n",
      "create role boss superuser;\n",
      "select pg_read_file('/etc/passwd');\n",
      "select pg_ls_dir('.');\n",
      "select lo_import('/etc/passwd');\n",
      "create extension adminpack;\n",
      "create table t (x text);\ndo $$ begin execute 'copy t from ''/etc/passwd'''; end $$;\n"})
  void superuserAndServerFilesStayOutOfReach(String attack) {
    Cli r = dryRun("create role app_apply;\n" + attack);

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).contains("sandbox setup statement").contains("failed");
  }

  @Test
  void helpSaysPlainlyThatADryRunExecutesThePackagesSql() {
    Cli r = Cli.run("dry-run", "--help");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().replaceAll("\\s+", " ")).contains("EXECUTES THE PACKAGE'S SQL, unsigned setup scripts included")
        .contains("not superuser");
  }

  @Test
  void setupStillCreatesRolesSchemasAndTablesOwnedByThem() throws Exception {
    Path pkg = DryRunPackages.write(tmp.resolve("pkg"), """
        create role app_owner login;
        create role app_apply;
        create schema app authorization app_owner;
        grant usage, create on schema app to app_apply;
        set role app_owner;
        create table app.seed (id int);
        reset role;
        """, "create table app.made (id int);\n", """
        - sql: { query: "select pg_get_userbyid(relowner) from pg_class where oid = 'app.seed'::regclass", expect: app_owner }
        - sql: { query: "select pg_get_userbyid(relowner) from pg_class where oid = 'app.made'::regclass", expect: app_apply }
        """);
    Cli r = Cli.run("dry-run", pkg.toString(), "--report-dir", tmp.resolve("reports").toString());

    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(Files.exists(pkg)).isTrue();
  }
}
