package dev.cutter.checks;

import static dev.cutter.checks.Packages.byId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.check.Preflight;
import dev.cutter.core.check.Problems;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.model.Sha256;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.model.YamlValue;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile package's check SQL, tried against a real server with the operator logged in as the
 * superuser: it can neither end its read-only transaction nor act with the login's rights, and
 * the built-in checks call nothing a role planted under a built-in's name.
 */
@WithPostgres
class CheckSqlAttacksTest {

  @TempDir Path dir;

  /** Each attack a check's query may try; all are one scalar on one line. */
  private static final List<String> ATTACKS = List.of(
      "commit; drop table public.victim; select 1",
      "begin",
      "do $$begin drop table public.victim; end$$",
      "call public.p()",
      "set role postgres",
      "copy public.victim to stdout",
      "select 1; select 2",
      "select 1 \\\\; drop table public.victim",
      "rollback; set session authorization postgres; select 1");

  private static String yaml(TestDatabase db, String applyRole, String checks, String verify, String precondition) {
    String sysid = db.queryValue("select system_identifier::text from pg_control_system()");
    return """
        apiVersion: cutter/v1
        kind: ApplyPackage
        id: test-pkg
        title: Test package
        authorization:
          ref: CHG-1
          expires_at: 2100-01-01T00:00:00Z
          risk: low
        target:
          database: %s
          system_identifier: "%s"
          apply_role: %s
        artifact:
          path: ddl/change.sql
          sha256: %s
        preflight:
        %s
        verify:
        %s
        rollback:
          artifact: { path: ddl/change.sql, sha256: %s }
          precondition:
        %s
        """.formatted(db.name(), sysid, applyRole, Sha256.of("select 1;\n".getBytes(StandardCharsets.UTF_8)), checks, verify,
        Sha256.of("select 1;\n".getBytes(StandardCharsets.UTF_8)), precondition);
  }

  private ApplyPackage load(String yaml) throws IOException {
    Files.createDirectories(dir.resolve("ddl"));
    Files.writeString(dir.resolve("ddl/change.sql"), "select 1;\n");
    Files.writeString(dir.resolve("package.yaml"), yaml);
    return PackageLoader.withInstalledChecks().load(dir);
  }

  private static String check(String query) {
    return "  - sql: { name: attack, query: \"" + query + "\", expect: 1 }";
  }

  private static ConnectionSpec superuserLogin(TestDatabase db) {
    return new ConnectionSpec("localhost", db.server().port(), db.name(), db.server().superuser(), Optional.empty());
  }

  private static Preflight preflight() {
    return new Preflight(Preflight.installedTypes(), p -> Packages.statements("select 1;\n"), (s, r) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM);
  }

  @Test
  void everyAttackIsRefusedAtLoadAtItsQueryInPreflightVerifyAndPrecondition(TestDatabase db) {
    String app = db.createRole("app");
    String safe = check("select 1");
    for (String attack : ATTACKS) {
      String text = yaml(db, app, check(attack), safe, check(attack).replace("  - ", "    - "));
      assertThatThrownBy(() -> load(text)).as(attack).isInstanceOfSatisfying(InvalidInputException.class, e -> {
        List<String> where = e.diagnostics().stream().map(d -> d.line() + ":" + d.column() + " " + d.message()).toList();
        assertThat(where).as(attack).hasSize(2);
        assertThat(where.get(0)).as("the query scalar of preflight[1]").startsWith("17:33 preflight[1].sql.query: ");
        assertThat(where.get(1)).startsWith("23:35 rollback.precondition[1].sql.query: ");
        assertThat(e.diagnostics()).allSatisfy(d -> assertThat(d.file()).endsWith("package.yaml"));
      });
    }
    String inVerify = yaml(db, app, safe, check(ATTACKS.get(0)), safe.replace("  - ", "    - "));
    assertThatThrownBy(() -> load(inVerify)).isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(
        e.diagnostics().stream().map(Diagnostic::toString)).singleElement().asString().endsWith(
        "package.yaml:19:33: verify[1].sql.query: a check is exactly one statement; found 3, the second"
            + " (drop table public.victim) on line 1 of the query"));
  }

  @Test
  void anAttackThatSlipsPastLoadingStillCannotEndTheReadOnlyTransaction(TestDatabase db) throws IOException {
    String app = db.createRole("app");
    db.execute("create table victim (id int); insert into victim values (1); grant select on victim to " + app);
    ApplyPackage pkg = load(yaml(db, app, check("select 1"), check("select 1"), check("select 1").replace("  - ", "    - ")));
    List<CheckSpec> smuggled = ATTACKS.stream().map(a -> new CheckSpec("sql", YamlValue.parse(
        "{ name: attack, query: \"" + a + "\", expect: 1 }", new Problems("x")).orElseThrow(), SourcePosition.UNKNOWN)).toList();

    List<CheckResult> r = preflight().run(superuserLogin(db), pkg, smuggled);

    assertThat(r).hasSize(ATTACKS.size()).allSatisfy(x -> assertThat(x.status()).as(x.toString()).isEqualTo(CheckStatus.ERROR));
    assertThat(db.queryValue("select count(*) from victim")).as("nothing committed, nothing dropped").isEqualTo("1");
  }

  @Test
  void aViewApplyRolePlantedDoesNotRunItsFunctionAsTheSuperuserLogin(TestDatabase db) throws IOException {
    String app = db.createRole("app");
    db.createSchema("gov", app);
    try (var c = db.connectAs(app); var st = c.createStatement()) {
      st.execute("""
          create function gov.who() returns text language plpgsql as $$
          begin
            if (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then
              raise exception 'ran as superuser %', current_user;
            end if;
            return current_user;
          end $$;
          create view gov.probe as select gov.who() as who;
          """);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    ApplyPackage pkg = load(yaml(db, app, check("select who from gov.probe").replace("expect: 1", "expect: " + app),
        check("select 1"), check("select 1").replace("  - ", "    - ")));

    List<CheckResult> r = preflight().run(superuserLogin(db), pkg, pkg.preflight());

    CheckResult probe = byId(r, "sql#1");
    assertThat(probe.status()).as(probe.toString()).isEqualTo(CheckStatus.PASS);
    assertThat(probe.actual()).isEqualTo(app);
  }

  @Test
  void builtInChecksCallNothingPlantedUnderABuiltInsName(TestDatabase db) throws IOException {
    String owner = db.createRole("owner");
    db.execute("alter database " + db.name() + " owner to " + owner);
    db.createSchema("evil", owner);
    db.execute("create table evil.rows (id int)");
    int major = db.server().major();
    ApplyPackage pkg = load(yaml(db, owner, """
          - server_version: "%d"
          - schema_exists: evil
          - objects_present: { schema: evil, functions: [current_setting] }
          - privilege: { role: %s, schema: evil, has: [USAGE, CREATE, OWNER] }
          - baseline: { schema: evil, relations: { r: 1 } }
        """.formatted(major, owner).stripTrailing(), check("select 1"), check("select 1").replace("  - ", "    - ")));
    // the database's owner plants functions and an operator named like built-ins, first on the database's search_path
    try (var c = db.connectAs(owner); var st = c.createStatement()) {
      st.execute("""
          create function evil.trap() returns bool language plpgsql as $$
            begin raise exception 'planted function called as %', current_user; end $$;
          create function evil.current_setting(text) returns text language plpgsql as $$
            begin raise exception 'planted current_setting called as %', current_user; end $$;
          create function evil.current_database() returns name language plpgsql as $$
            begin raise exception 'planted current_database called as %', current_user; end $$;
          create function evil.name_eq(name, name) returns bool language plpgsql as $$
            begin raise exception 'planted = called as %', current_user; end $$;
          create operator evil.= (leftarg = name, rightarg = name, function = evil.name_eq);
          create function evil.count_step(bigint) returns bigint language plpgsql as $$
            begin raise exception 'planted count(*) called as %', current_user; end $$;
          create aggregate evil.count(*) (sfunc = evil.count_step, stype = bigint, initcond = '0');
          """);
      st.execute("alter database " + db.name() + " set search_path = evil, pg_catalog, public");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }

    List<CheckResult> r = preflight().run(superuserLogin(db), pkg, pkg.preflight());

    assertThat(r).allSatisfy(x -> assertThat(x.status()).as(x.toString()).isEqualTo(CheckStatus.PASS));
  }
}
