package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportRenderCommandTest {

  private static final String REPORT = String.join("\n",
      "report_version: 1",
      "run_id: 20260518T054609Z-3f2a",
      "mode: preflight",
      "package:",
      "  id: billing-invoice-lines",
      "  sha256: 5b0e3c1d",
      "  title: \"Billing <lines> & totals\"",
      "  signed_by: []",
      "  authorization: {ref: CHG-1, expires_at: 2026-05-19T06:00:00Z, risk: high}",
      "verdict: BLOCKED",
      "exit_code: 3",
      "production_changed: false",
      "gates:",
      "  - id: P1_preflight",
      "    status: FAIL",
      "    checks:",
      "      - {id: privilege#1, status: FAIL, expected: \"USAGE, CREATE\", actual: USAGE,"
          + " message: \"conn postgresql://u:hunter2secret@h/db | `x`\"}",
      "root_cause: apply_role lacks CREATE on schema billing",
      "next_action: decide",
      "secrets_recorded: none",
      "");

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private static Path write(Path dir, String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }

  @Test
  void rendersMarkdownByDefault(@TempDir Path dir) throws IOException {
    Path report = write(dir, "r.yaml", REPORT);

    int code = run("report", "render", report.toString());

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).startsWith("# BLOCKED: billing-invoice-lines\n")
        .contains("| `privilege#1` | **FAIL** | USAGE, CREATE | USAGE |")
        .contains("\\| \\`x\\`")
        .contains("postgresql://u:\\*\\*\\*\\*@h/db")
        .doesNotContain("hunter2secret");
  }

  @Test
  void rendersAnEscapedSelfContainedHtmlPage(@TempDir Path dir) throws IOException {
    Path report = write(dir, "r.yaml", REPORT);

    int code = run("report", "render", report.toString(), "--format", "html");

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).startsWith("<!DOCTYPE html>").endsWith("</html>\n")
        .contains("Billing &lt;lines&gt; &amp; totals")
        .doesNotContain("<script", "<link", "hunter2secret");
  }

  @Test
  void rejectsAFileThatIsNotYamlWithOneLine(@TempDir Path dir) throws IOException {
    Path report = write(dir, "bad.yaml", "report_version: 1\nrun_id: [unclosed\n");

    int code = run("report", "render", report.toString());

    assertThat(code).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().strip()).startsWith(report + ":").contains("not valid YAML").doesNotContain("\n", "\tat ");
  }

  @Test
  void rejectsYamlThatIsNotAReport(@TempDir Path dir) throws IOException {
    Path report = write(dir, "other.yaml", "apiVersion: cutter/v1\nkind: ApplyPackage\n");

    int code = run("report", "render", report.toString(), "--format", "html");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().strip()).isEqualTo(report + ": not a cutter report: missing field report_version");
  }

  @Test
  void rejectsAMissingFile(@TempDir Path dir) {
    int code = run("report", "render", dir.resolve("nope.yaml").toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString().strip()).endsWith("nope.yaml: no such file");
  }

  @Test
  void rejectsAnUnknownFormat(@TempDir Path dir) throws IOException {
    Path report = write(dir, "r.yaml", REPORT);

    assertThat(run("report", "render", report.toString(), "--format", "pdf")).isEqualTo(2);
  }
}
