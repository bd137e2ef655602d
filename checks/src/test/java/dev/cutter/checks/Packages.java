package dev.cutter.checks;

import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.Preflight;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.exec.Journal;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.model.Sha256;
import dev.cutter.fixtures.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Writes real packages for a test database, loads them with the installed check types and runs P1. */
final class Packages {

  private Packages() {}

  /**
   * A package for {@code db} pinned to {@code applyRole} whose artifact is {@code sql} (one
   * statement a line) and whose preflight list is {@code preflightYaml} (indented list items).
   */
  static ApplyPackage write(Path dir, TestDatabase db, String applyRole, String sql, String preflightYaml) throws IOException {
    Files.createDirectories(dir.resolve("ddl"));
    Files.writeString(dir.resolve("ddl/change.sql"), sql);
    String sysid = db.queryValue("select system_identifier::text from pg_control_system()");
    String yaml = """
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
        """.formatted(db.name(), sysid, applyRole, Sha256.of(sql.getBytes(StandardCharsets.UTF_8)), preflightYaml.stripTrailing());
    Files.writeString(dir.resolve("package.yaml"), yaml);
    return PackageLoader.withInstalledChecks().load(dir);
  }

  /** A preflight list of one sql check: no row of app.t is flagged (the tables {@link #seedFlagged} makes). */
  static final String FLAGGED_CHECK = """
        - sql: { name: no flagged rows, query: "select not exists (select 1 from app.t where flagged)", expect: true }
      """;

  /**
   * Role app owning schema app and its table app.t (one row, not flagged), granted the journal,
   * not its owner; returns the role's name.
   */
  static String seedFlagged(TestDatabase db) throws SQLException {
    String app = db.createRole("app");
    db.createSchema("app", app);
    db.execute("create table app.t (id int primary key, flagged boolean not null default false)");
    db.execute("alter table app.t owner to " + app);
    db.execute("insert into app.t values (1, false)");
    try (Connection c = db.superuser()) {
      Journal.init(c, List.of(app));
    }
    return app;
  }

  /** {@code p} with another preflight list and backup policy. */
  static ApplyPackage with(ApplyPackage p, List<CheckSpec> preflight, BackupPolicy backup) {
    return new ApplyPackage(p.file(), p.directory(), p.sha256(), p.id(), p.title(), p.authorization(), p.target(),
        p.artifact(), preflight, backup, p.apply(), p.verify(), p.rollback(), p.sandbox(), p.source());
  }

  /** The artifact's lines as statements (these tests write one statement a line). */
  static List<ExecStatement> statements(String sql) {
    List<ExecStatement> out = new ArrayList<>();
    String[] lines = sql.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        out.add(new ExecStatement(out.size() + 1, i + 1, lines[i]));
      }
    }
    return out;
  }

  /** The artifact's statements as apply splits and sends them (each with its ';', meta-commands judged). */
  static List<ExecStatement> split(String sql) {
    return dev.cutter.core.run.PackageScripts.statements(dev.cutter.core.sql.ArtifactScript.of(
        dev.cutter.core.sql.SqlSplitter.split("ddl.sql", sql), dev.cutter.core.model.ApplySettings.Mode.TRANSACTION));
  }

  /** P1 over {@code statements}, as split by apply. */
  static List<CheckResult> preflightSplit(TestDatabase db, String login, ApplyPackage pkg, String sql) {
    ConnectionSpec spec = new ConnectionSpec(db.server().host(), db.server().port(), db.name(), login, Optional.empty());
    return new Preflight(Preflight.installedTypes(), p -> split(sql), (s, r) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM).run(spec, pkg, split(sql), false).results();
  }

  static List<CheckResult> preflight(TestDatabase db, String login, ApplyPackage pkg, String sql) {
    ConnectionSpec spec = new ConnectionSpec(db.server().host(), db.server().port(), db.name(), login, Optional.empty());
    return new Preflight(Preflight.installedTypes(), p -> statements(sql), (s, r) -> Optional.empty(),
        Preflight.DEFAULT_PARALLELISM).run(spec, pkg, statements(sql), false).results();
  }

  static CheckResult byId(List<CheckResult> results, String id) {
    return results.stream().filter(r -> r.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no result " + id + " in " + results));
  }
}
