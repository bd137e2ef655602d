package dev.cutter.core.check;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.ArtifactRef;
import dev.cutter.core.model.FileContent;
import dev.cutter.core.model.Authorization;
import dev.cutter.core.model.BackupPolicy;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.Risk;
import dev.cutter.core.model.Sandbox;
import dev.cutter.core.model.SourcePosition;
import dev.cutter.core.model.Target;
import dev.cutter.core.model.YamlValue;
import dev.cutter.fixtures.TestDatabase;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Packages and artifacts for preflight tests, built directly (the loader is tested elsewhere). */
final class TestPackages {

  private TestPackages() {}

  static String systemIdentifier(TestDatabase db) {
    return db.queryValue("select system_identifier::text from pg_control_system()");
  }

  static Target target(TestDatabase db, String applyRole) {
    return new Target(db.name(), systemIdentifier(db), Optional.empty(), applyRole, Optional.empty());
  }

  static ApplyPackage pkg(Target target, BackupPolicy backup, List<CheckSpec> preflight) {
    Path dir = Path.of("pkg");
    ArtifactRef artifact = new ArtifactRef("change.sql", dir.resolve("change.sql"), "0".repeat(64), SourcePosition.UNKNOWN, FileContent.of(new byte[0]));
    return new ApplyPackage(dir.resolve("package.yaml"), dir, "f".repeat(64), "test-package", "test",
        new Authorization("ref", Instant.parse("2100-01-01T00:00:00Z"), Risk.LOW, List.of()), target, artifact,
        preflight, backup, ApplySettings.defaults(), List.of(), Optional.empty(), Sandbox.empty(),
        FileContent.of(new byte[0]));
  }

  static ApplyPackage pkg(Target target) {
    return pkg(target, BackupPolicy.none(), List.of());
  }

  static CheckSpec check(String name, String arg) {
    return new CheckSpec(name, new YamlValue.Scalar(arg, true, "tag:yaml.org,2002:str", SourcePosition.UNKNOWN),
        SourcePosition.UNKNOWN);
  }

  static ConnectionSpec login(TestDatabase db, String user) {
    return new ConnectionSpec(db.server().host(), db.server().port(), db.name(), user, Optional.empty());
  }

  /** {@code n} statements, one a line: CREATE TABLE schema.t1 … tn. */
  static List<ExecStatement> createTables(String schema, int n) {
    List<ExecStatement> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(new ExecStatement(i, i, "create table " + schema + ".t" + i + " (id bigint primary key)"));
    }
    return out;
  }

  static Preflight preflight(java.util.Map<String, CheckType> types, List<ExecStatement> statements) {
    return new Preflight(types, p -> statements, (spec, role) -> Optional.empty(), Preflight.DEFAULT_PARALLELISM);
  }

  /** The rehearsal as the check type {@code rehearse}. */
  static final CheckType REHEARSE = new CheckType() {
    @Override
    public String name() {
      return "rehearse";
    }

    @Override
    public void validate(YamlValue args, Problems problems) {}

    @Override
    public CheckResult run(YamlValue args, CheckContext ctx) throws java.sql.SQLException {
      return Rehearsal.run(ctx);
    }
  };

  /** {@code rehearse: true}. */
  static CheckSpec rehearse() {
    return new CheckSpec("rehearse", new YamlValue.Scalar("true", true, "tag:yaml.org,2002:bool", SourcePosition.UNKNOWN),
        SourcePosition.UNKNOWN);
  }
}
