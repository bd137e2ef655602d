package dev.cutter.core.integrity;

import static dev.cutter.core.integrity.TestKeys.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.Steps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 19.11: the operator's trust policy may forbid a package to switch its apply timeouts off. */
class TimeoutPolicyTest {

  static PGPSecretKeyRing alice;

  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    alice = TestKeys.approver("Alice");
  }

  private ApplyPackage signed(ApplySettings apply) throws IOException {
    ApplyPackage p = TestPackages.write(dir.resolve("pkg"), NOW.plusSeconds(3600));
    DetachedSigner.append(p.file(), TestKeys.sign(p.file(), alice, NOW.minusSeconds(60)));
    return new ApplyPackage(p.file(), p.directory(), p.sha256(), p.id(), p.title(), p.authorization(), p.target(),
        p.artifact(), p.preflight(), p.backup(), apply, p.verify(), p.rollback(), p.sandbox(), p.source());
  }

  private TrustPolicy trust(String extra) throws IOException {
    TestKeys.trust(dir, 1, alice.toCertificate());
    return TrustPolicy.load(Files.writeString(dir.resolve("trust.yaml"), "keyring: approvers.asc\nrequire: 1\n" + extra));
  }

  private static GateResult authorization(Steps.IntegrityOutcome o) {
    return o.gates().stream().filter(g -> g.id().equals(GateIds.AUTHORIZATION)).findFirst().orElseThrow();
  }

  @Test
  void aPolicyThatForbidsOffBlocksAPackageThatSwitchesATimeoutOff() throws IOException {
    ApplySettings off = new ApplySettings(ApplySettings.Mode.TRANSACTION, ApplySettings.OFF, Duration.ofMinutes(1));
    Steps.IntegrityOutcome o = new IntegrityGates(Optional.of(trust("allow_timeouts_off: false\n")), "",
        Clock.fixed(NOW, ZoneOffset.UTC)).check(signed(off), true);

    assertThat(o.passed()).isFalse();
    assertThat(authorization(o).status()).isEqualTo(GateStatus.FAIL);
    assertThat(authorization(o).message()).contains("allow_timeouts_off: false").contains("lock_timeout=off");
  }

  @Test
  void offIsAllowedByDefaultAndTimeoutsThatAreSetAlwaysPass() throws IOException {
    ApplySettings off = new ApplySettings(ApplySettings.Mode.TRANSACTION, ApplySettings.OFF, Duration.ofMinutes(1));
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    assertThat(new IntegrityGates(Optional.of(trust("")), "", clock).check(signed(off), true).passed()).isTrue();
    assertThat(new IntegrityGates(Optional.of(trust("allow_timeouts_off: false\n")), "", clock)
        .check(signed(ApplySettings.defaults()), true).passed()).isTrue();
  }

  @Test
  void aPolicyThatForbidsOffAlsoBlocksAnOnlineStepThatSwitchesATimeoutOff() throws IOException {
    ApplyPackage p = signed(ApplySettings.defaults());
    ApplyPackage withOnline = new ApplyPackage(p.file(), p.directory(), p.sha256(), p.id(), p.title(), p.authorization(),
        p.target(), p.artifact(), p.preflight(), p.backup(), p.apply(), p.verify(), p.rollback(), p.sandbox(), p.source(),
        Optional.of(new dev.cutter.core.model.OnlineStep(p.artifact(), Duration.ofSeconds(5), ApplySettings.OFF)));
    Steps.IntegrityOutcome o = new IntegrityGates(Optional.of(trust("allow_timeouts_off: false\n")), "",
        Clock.fixed(NOW, ZoneOffset.UTC)).check(withOnline, true);

    assertThat(authorization(o).status()).isEqualTo(GateStatus.FAIL);
    assertThat(authorization(o).message()).endsWith("the package sets mode=transaction lock_timeout=5000ms"
        + " statement_timeout=600000ms online: lock_timeout=5000ms statement_timeout=off");
    assertThat(new IntegrityGates(Optional.of(trust("")), "", Clock.fixed(NOW, ZoneOffset.UTC)).check(withOnline, true)
        .passed()).as("allowed by default").isTrue();
  }
}
