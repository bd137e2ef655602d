package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.catalog.Baseline;
import dev.cutter.core.catalog.SchemaCounts;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.ApplyInfo;
import dev.cutter.core.run.RunReport.BackupInfo;
import dev.cutter.core.run.RunReport.FailedStatement;
import dev.cutter.core.run.RunReport.PackageInfo;
import dev.cutter.core.run.RunReport.Remediation;
import dev.cutter.core.run.RunReport.RollbackInfo;
import dev.cutter.core.run.RunReport.TargetInfo;
import dev.cutter.core.run.RunReport.VerificationInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets planted in every text field of a report never reach a written file or the stdout summary. */
class ReportSecretsTest {

  static final String URI_PASSWORD = "Tr0ub4dor&3xyz";
  static final String ENV_PASSWORD = "s3cr3t-env-value-91";
  static final String PUSH_TOKEN = "ghp_AAAAbbbbCCCCddddEEEEffffGGGGhhhhIIII";
  static final String KEY_BODY = "lQOYBGX1privateKEYmaterial0987";
  static final String BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
  static final String AWS_KEY = "AKIAIOSFODNN7EXAMPLE";
  static final String QUERY_TOKEN = "abcd1234efgh5678";
  static final String CONNINFO_PASSWORD = "conninfoPW99";
  /** A value YAML and Markdown would escape: only masking before rendering catches it. */
  static final String ESCAPED_SECRET = "pa\"ss\\w|o`rd*x";

  static final List<String> SECRETS = List.of(URI_PASSWORD, ENV_PASSWORD, PUSH_TOKEN, KEY_BODY, BEARER, AWS_KEY,
      QUERY_TOKEN, CONNINFO_PASSWORD, ESCAPED_SECRET);

  private static final List<String> PLANTED = List.of(
      "postgresql://deploy:" + URI_PASSWORD + "@db.internal:5432/ledger",
      "PGPASSWORD value " + ENV_PASSWORD + " leaked",
      "git push https://ci:" + PUSH_TOKEN + "@git.example/ops/pkgs.git",
      "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + KEY_BODY + "\n-----END PGP PRIVATE KEY BLOCK-----",
      "Authorization: Bearer " + BEARER,
      "aws key " + AWS_KEY,
      "https://status.example/push?token=" + QUERY_TOKEN + "&msg=OK",
      "host=db password=" + CONNINFO_PASSWORD + " user=deploy",
      "the passphrase is " + ESCAPED_SECRET);

  private int next;

  /** The next planted secret, labelled so that each field gets a different one. */
  private String s(String label) {
    return label + ": " + PLANTED.get(next++ % PLANTED.size());
  }

  private RunReport reportWithSecretsEverywhere() {
    Instant t = Instant.parse("2026-05-18T05:46:09Z");
    Baseline baseline = new Baseline(Map.of(s("schema"), new SchemaCounts("x", Map.of("p", 1), Map.of("r", 1))));
    List<CheckResult> checks = List.of(new CheckResult(s("check id"), CheckStatus.FAIL, s("expected"), s("actual"),
        s("message")));
    List<GateResult> gates = new ArrayList<>();
    for (String id : List.of("signature", "P1_preflight", "P2_backup", "apply", "verify", "rollback")) {
      gates.add(new GateResult(id, GateStatus.FAIL, s("expected"), s("actual"), s("message"), checks));
    }
    return new RunReport("20260518T054609Z-3f2a", RunMode.APPLY,
        new PackageInfo("pkg-secrets", s("sha"), s("title"), List.of(s("signer")), s("ref"), t, s("risk"),
            List.of(s("chain"))),
        new TargetInfo(s("database"), s("sysid"), s("version"), s("login"), s("apply role")),
        Verdict.ESCALATE, 6, true, gates,
        new BackupInfo("FAIL", s("path"), s("format"), s("archive"), 1L, s("sha"), s("plain sha"),
            List.of(s("recipient")), 1, 1, s("pg_dump"), t, t, s("reason")),
        new ApplyInfo("FAIL", 2, 1, "rolled_back", false, List.of(1),
            new FailedStatement(2, 3, "XX000", s("message"), s("detail"), s("hint"), s("where"))),
        new VerificationInfo("FAIL", checks, baseline, baseline, s("note")),
        new RollbackInfo("FAILED", s("reason")),
        s("root cause"), List.of(new Remediation("A", s("action"))), s("next action"), t, t);
  }

  private static SecretScanner scanner() {
    return SecretScanner.forEnvironment(Map.of("PGPASSWORD", ENV_PASSWORD, "HOME", "/home/operator", "PATH", "/bin"),
        "/home/operator").withSecret("backup key passphrase", ESCAPED_SECRET);
  }

  @Test
  void noWrittenFileContainsAPlantedSecret(@TempDir Path dir) throws IOException {
    RunReport report = reportWithSecretsEverywhere();

    WrittenReport written = new ReportWriter(dir, scanner()).write(report);

    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files).as("only the two report files, no temporary leftovers").hasSize(2);
    for (Path file : files) {
      String content = Files.readString(file);
      for (String secret : SECRETS) {
        assertThat(content).as("%s must not contain %s", file.getFileName(), secret).doesNotContain(secret);
      }
    }
    assertThat(written.scanned().secretsRecorded()).startsWith("masked: ")
        .contains("connection password", "value of PGPASSWORD", "URL credential", "PGP private key", "bearer token",
            "AWS access key", "URL token", "password", "backup key passphrase")
        .doesNotContain(SECRETS.toArray(String[]::new));
    assertThat(Files.readString(written.yaml())).contains("secrets_recorded: \"masked: ");
  }

  @Test
  void summariesAndOtherFormatsCarryNoSecret(@TempDir Path dir) {
    WrittenReport written = new ReportWriter(dir, scanner()).write(reportWithSecretsEverywhere());
    ScannedReport scanned = written.scanned();

    List<String> outputs = List.of(ReportRenderer.textSummary(written, scanner()), ReportCodec.json(scanned),
        ReportRenderer.html(scanned), ReportRenderer.markdown(scanned), ReportCodec.yaml(scanned));

    for (String out : outputs) {
      assertThat(out).doesNotContain(SECRETS.toArray(String[]::new));
    }
  }

  @Test
  void readingAnEditedReportMasksWhatWasAddedToIt(@TempDir Path dir) throws IOException {
    WrittenReport written = new ReportWriter(dir, SecretScanner.patternsOnly())
        .write(new FailureClassifier().diagnose(SampleReports.pass()));
    String yaml = Files.readString(written.yaml())
        .replace("format: custom", "format: postgresql://u:" + URI_PASSWORD + "@h/db");
    Files.writeString(written.yaml(), yaml);

    ScannedReport reread = ReportCodec.read(written.yaml(), SecretScanner.patternsOnly());

    assertThat(reread.report().backup().format()).isEqualTo("postgresql://u:****@h/db");
    assertThat(reread.secretsRecorded()).isEqualTo("masked: 1 (connection password)");
    assertThat(ReportRenderer.html(reread)).doesNotContain(URI_PASSWORD);
  }

  @Test
  void homePathsAreShownWithATilde(@TempDir Path dir) throws IOException {
    WrittenReport written = new ReportWriter(dir, SecretScanner.forEnvironment(Map.of(), SampleReports.HOME))
        .write(SampleReports.pass());

    assertThat(Files.readString(written.yaml())).contains("path: \"~/cutter/backups/").doesNotContain(SampleReports.HOME);
    assertThat(Files.readString(written.markdown())).contains("`~/cutter/backups/").doesNotContain(SampleReports.HOME);
  }
}
