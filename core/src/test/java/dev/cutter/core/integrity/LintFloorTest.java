package dev.cutter.core.integrity;

import static dev.cutter.core.integrity.TestKeys.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.InvalidInputException;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.lint.LintPolicy;
import dev.cutter.core.lint.LintRule;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.Steps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trust policy's lint.floor: rules no package may allow; a package that allows one is BLOCKED at authorization. */
class LintFloorTest {

  static PGPSecretKeyRing alice;

  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    alice = TestKeys.approver("Alice");
  }

  private ApplyPackage signed(LintPolicy lint) throws IOException {
    ApplyPackage p = TestPackages.write(dir.resolve("pkg"), NOW.plusSeconds(3600));
    DetachedSigner.append(p.file(), TestKeys.sign(p.file(), alice, NOW.minusSeconds(60)));
    return new ApplyPackage(p.file(), p.directory(), p.sha256(), p.id(), p.title(), p.authorization(), p.target(),
        p.artifact(), p.preflight(), p.backup(), p.apply(), p.verify(), p.rollback(), p.sandbox(), p.source(), p.online(), lint);
  }

  private TrustPolicy trust(String extra) throws IOException {
    TestKeys.trust(dir, 1, alice.toCertificate());
    return TrustPolicy.load(Files.writeString(dir.resolve("trust.yaml"), "keyring: approvers.asc\nrequire: 1\n" + extra));
  }

  private Steps.IntegrityOutcome check(TrustPolicy policy, LintPolicy lint) throws IOException {
    return new IntegrityGates(Optional.of(policy), "", Clock.fixed(NOW, ZoneOffset.UTC)).check(signed(lint), true);
  }

  private static GateResult authorization(Steps.IntegrityOutcome o) {
    return o.gates().stream().filter(g -> g.id().equals(GateIds.AUTHORIZATION)).findFirst().orElseThrow();
  }

  @Test
  void theFloorIsReadFromTheTrustPolicy() throws IOException {
    assertThat(trust("lint:\n  floor: [cluster, drop-table]\n").lintFloor())
        .containsExactlyInAnyOrder(LintRule.CLUSTER, LintRule.DROP_TABLE);
    assertThat(trust("").lintFloor()).isEmpty();
  }

  @Test
  void anUnknownRuleInTheFloorIsAnInvalidPolicyWithItsPosition() throws IOException {
    assertThatThrownBy(() -> trust("lint:\n  floor: [cluster, no-such-rule]\n"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("trust.yaml:4:20: lint.floor: unknown lint rule 'no-such-rule'");
  }

  @Test
  void aPackageThatAllowsAFloorRuleIsBlockedAtAuthorization() throws IOException {
    Steps.IntegrityOutcome o = check(trust("lint:\n  floor: [index-not-concurrent]\n"),
        new LintPolicy(Set.of(), Set.of(LintRule.INDEX_NOT_CONCURRENT, LintRule.CLUSTER)));

    assertThat(o.passed()).isFalse();
    GateResult auth = authorization(o);
    assertThat(auth.status()).isEqualTo(GateStatus.FAIL);
    assertThat(auth.message()).startsWith("the package allows lock-hazard rule(s) index-not-concurrent that the trust"
        + " policy's lint.floor denies");
    assertThat(auth.checks()).extracting(CheckResult::id, CheckResult::status)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(IntegrityGates.LINT_FLOOR, CheckStatus.FAIL));
  }

  @Test
  void allowingRulesOutsideTheFloorPasses() throws IOException {
    assertThat(check(trust("lint:\n  floor: [index-not-concurrent]\n"),
        new LintPolicy(Set.of(LintRule.INDEX_NOT_CONCURRENT), Set.of(LintRule.CLUSTER))).passed())
        .as("denying a floor rule is fine; allowing another rule is fine").isTrue();
  }
}
