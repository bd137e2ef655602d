package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13.5: {@code preflight --sarif} and {@code report render --format sarif} on real runs, valid SARIF 2.1.0. */
@WithPostgres
class SarifCommandTest {

  /** The official schema, kept with the report module's tests. */
  static final Path SCHEMA = Path.of("..", "report", "src", "test", "resources", "sarif", "sarif-schema-2.1.0.json");

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  static JsonNode validSarif(String text) throws IOException {
    JsonSchema schema;
    try (InputStream in = Files.newInputStream(SCHEMA)) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
    }
    JsonNode doc = new ObjectMapper().readTree(text);
    assertThat(schema.validate(doc)).extracting(ValidationMessage::getMessage).as("valid SARIF 2.1.0").isEmpty();
    return doc;
  }

  static List<String> results(JsonNode sarif) {
    List<String> out = new ArrayList<>();
    sarif.at("/runs/0/results").forEach(r -> out.add(r.path("ruleId").asText() + " "
        + r.at("/locations/0/physicalLocation/artifactLocation/uri").asText() + ":"
        + r.at("/locations/0/physicalLocation/region/startLine").asInt()));
    return out;
  }

  static int lineOf(Path file, String text) throws IOException {
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i + 1;
      }
    }
    throw new AssertionError(text + " not in " + file);
  }

  private String role(TestDatabase db) {
    String role = db.createRole("app");
    db.execute("grant create on schema public to " + role);
    Cli init = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(init.exit()).as(init.err()).isZero();
    return role;
  }

  @Test
  void preflightWritesTheFailedCheckAtItsPackageYamlLine(TestDatabase db) throws IOException {
    String role = role(db);
    Path pkg = approver.write(dir.resolve("pkg"), "sarif-preflight", db, role, "create table s_a (id int);\n",
        "\n  - schema_exists: public\n  - objects_present: { schema: public, tables: [not_there] }", "[]", null);
    Path out = dir.resolve("findings.sarif");

    Cli r = Cli.run("preflight", pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString(), "--sarif", out.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    JsonNode sarif = validSarif(Files.readString(out));
    assertThat(results(sarif)).containsExactly(
        "check/objects_present package.yaml:" + lineOf(pkg.resolve("package.yaml"), "objects_present"));
    assertThat(sarif.at("/runs/0/results/0/message/text").asText()).startsWith("P1_preflight objects_present#2: ");
    JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readTree(report().toFile());
    assertThat(report.path("gates").findValuesAsText("id")).contains("P1_preflight");
    report.path("gates").forEach(g -> assertThat(g.path("duration_ms").isIntegralNumber())
        .as("preflight gate %s timed", g.path("id").asText()).isTrue());
  }

  @Test
  void renderPutsTheFailingStatementOnItsArtifactLine(TestDatabase db) throws IOException {
    String role = role(db);
    Path pkg = approver.write(dir.resolve("pkg"), "sarif-apply", db, role,
        "create table s_b (id int);\n\n-- then\nselect 1/0;\n", "[]", "[]", null);
    Cli apply = Cli.run("apply", pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString());
    assertThat(apply.exit()).as(apply.out() + apply.err()).isEqualTo(4);
    assertThat(apply.out()).contains("verdict: FAILED");
    Path yaml = report();

    Cli r = Cli.run("report", "render", yaml.toString(), "--format", "sarif", "--package", pkg.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(results(validSarif(r.out()))).containsExactly("sql/22012 change.sql:4");
  }

  @Test
  void renderingSarifNeedsTheReportsOwnPackage(TestDatabase db) throws IOException {
    String role = role(db);
    Path pkg = approver.write(dir.resolve("pkg"), "sarif-own", db, role, "select 1/0;\n", "[]", "[]", null);
    Path other = approver.write(dir.resolve("other"), "sarif-other", db, role, "select 1;\n", "[]", "[]", null);
    Cli.run("apply", pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString());
    Path yaml = report();

    Cli none = Cli.run("report", "render", yaml.toString(), "--format", "sarif");
    Cli wrong = Cli.run("report", "render", yaml.toString(), "--format", "sarif", "--package", other.toString());

    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("--format sarif needs --package PKG").doesNotContain("Exception");
    assertThat(wrong.exit()).isEqualTo(2);
    assertThat(wrong.err().strip()).startsWith(other.resolve("package.yaml").toString())
        .contains("not the package of this report").doesNotContain("\tat ");
  }

  @Test
  void aSwappedArtifactIsAResultOnItsPinnedSha256Line(TestDatabase db) throws IOException {
    String role = role(db);
    Path pkg = approver.write(dir.resolve("pkg"), "sarif-swapped", db, role, "create table s_c (id int);\n", "[]", "[]",
        null);
    Files.writeString(pkg.resolve("change.sql"), "drop table s_c;\n");
    Path out = dir.resolve("findings.sarif");

    Cli r = Cli.run("preflight", pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString(), "--sarif", out.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    assertThat(results(validSarif(Files.readString(out)))).containsExactly(
        "gate/P3_artifact_integrity package.yaml:" + lineOf(pkg.resolve("package.yaml"), "  sha256:"));
  }

  @Test
  void preflightPutsALockHazardAndAMissingPrivilegeOnTheirArtifactLines(TestDatabase db) throws IOException {
    String role = role(db);
    db.execute("create table s_busy (id int)");
    db.execute("alter table s_busy owner to " + role);
    db.execute("create schema s_locked");
    db.execute("grant usage on schema s_locked to " + role);
    String sql = "create table s_new (id int);\n\ncreate index s_busy_id on s_busy (id);\n"
        + "create table s_locked.t (id int);\n";
    Path pkg = approver.write(dir.resolve("pkg"), "sarif-lint", db, role, sql, "[]", "[]", null);
    Path out = dir.resolve("findings.sarif");

    Cli r = Cli.run("preflight", pkg.toString(), "--target", db.uri("postgres"), "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString(), "--sarif", out.toString());

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
    JsonNode sarif = validSarif(Files.readString(out));
    int artifactEntry = lineOf(pkg.resolve("package.yaml"), "  sha256:");
    assertThat(results(sarif)).containsExactly(
        "check/apply_role_privileges package.yaml:" + artifactEntry,
        "privilege/CREATE change.sql:4",
        "check/lock_hazards package.yaml:1",
        "lint/index-not-concurrent change.sql:3");
    JsonNode privilege = sarif.at("/runs/0/results/1");
    assertThat(privilege.path("level").asText()).isEqualTo("error");
    assertThat(privilege.at("/message/text").asText()).isEqualTo("apply_role " + role + " lacks CREATE on schema"
        + " s_locked (P1_preflight apply_role_privileges); fix: GRANT CREATE ON SCHEMA s_locked TO " + role + ";");
    JsonNode lint = sarif.at("/runs/0/results/3");
    assertThat(lint.path("level").asText()).as("denied by default").isEqualTo("error");
    assertThat(lint.at("/message/text").asText()).startsWith("index-not-concurrent on ")
        .endsWith("; predicted ShareLock (denied by the lint policy)");

    // the report file keeps no causes: rendered from it, the lint result stays and the privilege is the check alone
    Cli render = Cli.run("report", "render", report().toString(), "--format", "sarif", "--package", pkg.toString());
    assertThat(render.exit()).as(render.err()).isZero();
    assertThat(results(validSarif(render.out()))).containsExactly(
        "check/apply_role_privileges package.yaml:" + artifactEntry,
        "check/lock_hazards package.yaml:1",
        "lint/index-not-concurrent change.sql:3");
  }

  @Test
  void theSarifFileIsNeverWrittenThroughASymbolicLink() throws IOException {
    Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me\n");
    Path link = Files.createSymbolicLink(dir.resolve("out.sarif"), victim);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SarifOutput.write(link, "{}"))
        .isInstanceOf(dev.cutter.core.InvalidInputException.class).hasMessageContaining("cannot write the SARIF file");
    assertThat(Files.readString(victim)).isEqualTo("keep me\n");
  }

  private Path report() throws IOException {
    try (Stream<Path> s = Files.walk(dir.resolve("reports"))) {
      return s.filter(p -> p.toString().endsWith(".yaml")).findFirst().orElseThrow();
    }
  }
}
