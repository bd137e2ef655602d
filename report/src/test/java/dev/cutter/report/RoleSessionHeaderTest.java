package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.run.RunReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the artifact's session reached apply_role is in the header, and a waived privileged login stands out. */
class RoleSessionHeaderTest {

  private static RunReport withSession(String how, boolean privileged) {
    RunReport r = SampleReports.pass();
    return new RunReport(r.runId(), r.mode(), r.pkg(), r.target().withRoleSession(how, privileged), r.verdict(),
        r.exitCode(), r.productionChanged(), r.gates(), r.backup(), r.apply(), r.verification(), r.rollback(),
        r.rootCause(), r.remediation(), r.nextAction(), r.started(), r.finished());
  }

  @Test
  void aPrivilegedLoginTheTrustPolicyAllowedIsInTheYamlAndTheMarkdownHeader(@TempDir Path dir) throws IOException {
    String how = "logged in as deploy_login, SET ROLE billing_owner; login role deploy_login holds what billing_owner"
        + " lacks (superuser): allowed by the trust policy (allow_privileged_login), a statement can act as deploy_login";
    WrittenReport w = new ReportWriter(dir, SampleReports.scanner()).write(withSession(how, true));

    String yaml = Files.readString(w.yaml());
    assertThat(yaml).contains("  role_session: \"" + how + "\"").contains("  privileged_login_allowed: true");
    assertThat(Files.readString(w.markdown()))
        .contains("| role session | " + how + " |")
        .contains("| privileged login | allowed by the trust policy: a statement could act as the login role deploy_login |");
    ScannedReport reread = ReportCodec.read(w.yaml(), SampleReports.scanner());
    assertThat(ReportCodec.yaml(reread)).as("round trip").isEqualTo(yaml);
  }

  @Test
  void aSessionAuthenticatedAsApplyRoleSaysSoWithoutTheWarning(@TempDir Path dir) throws IOException {
    WrittenReport w = new ReportWriter(dir, SampleReports.scanner())
        .write(withSession("a separate login as billing_owner (login role deploy_login holds what billing_owner lacks"
            + " (CREATEROLE))", false));
    assertThat(Files.readString(w.yaml())).contains("role_session: ").doesNotContain("privileged_login_allowed");
    assertThat(Files.readString(w.markdown())).doesNotContain("privileged login");
  }
}
