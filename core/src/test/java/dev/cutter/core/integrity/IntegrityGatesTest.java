package dev.cutter.core.integrity;

import static dev.cutter.core.integrity.TestKeys.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.check.CheckStatus;
import dev.cutter.core.db.ConnectionSpec;
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
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntegrityGatesTest {

  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static PGPSecretKeyRing alice;

  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    alice = TestKeys.approver("Alice");
  }

  private ApplyPackage signedPackage() throws IOException {
    ApplyPackage pkg = TestPackages.write(dir.resolve("pkg"), NOW.plusSeconds(3600));
    DetachedSigner.append(pkg.file(), TestKeys.sign(pkg.file(), alice, NOW.minusSeconds(60)));
    return pkg;
  }

  @Test
  void passesThreeGatesAndNamesTheSigners() throws IOException {
    ApplyPackage pkg = signedPackage();
    IntegrityGates gate = new IntegrityGates(Optional.of(TestKeys.trust(dir, 1, alice.toCertificate())), "", CLOCK);

    Steps.IntegrityOutcome outcome = gate.check(pkg, true);

    assertThat(outcome.gates()).extracting(GateResult::id)
        .containsExactly(GateIds.SIGNATURE, GateIds.ARTIFACT_INTEGRITY, GateIds.AUTHORIZATION);
    assertThat(outcome.gates()).extracting(GateResult::status).containsOnly(GateStatus.PASS);
    assertThat(outcome.signers()).containsExactly(Keyring.fingerprint(alice.getPublicKey()));
    assertThat(outcome.gates().get(0).checks()).singleElement()
        .satisfies(c -> assertThat(c.actual()).isEqualTo("valid " + Keyring.fingerprint(alice.getPublicKey()) + " Alice <alice@example.org>"));
    assertThat(outcome.passed()).isTrue();
  }

  @Test
  void blocksOnAChangedArtifactWithExpectedAndActual() throws IOException {
    ApplyPackage signed = signedPackage();
    Files.writeString(signed.directory().resolve("ddl/change.sql"), "drop schema app cascade;\n");
    ApplyPackage pkg = TestPackages.load(signed.directory());
    IntegrityGates gate = new IntegrityGates(Optional.of(TestKeys.trust(dir, 1, alice.toCertificate())), "", CLOCK);

    Steps.IntegrityOutcome outcome = gate.check(pkg, true);

    GateResult p3 = outcome.gates().get(1);
    assertThat(p3.status()).isEqualTo(GateStatus.FAIL);
    assertThat(p3.message()).startsWith("ddl/change.sql: expected " + pkg.artifact().sha256() + ", found ");
    assertThat(p3.checks()).filteredOn(c -> c.status() == CheckStatus.FAIL).singleElement()
        .satisfies(c -> assertThat(c.expected()).isEqualTo(pkg.artifact().sha256()));
    assertThat(outcome.passed()).isFalse();
  }

  @Test
  void namesWhyASignatureDidNotCount() throws IOException {
    ApplyPackage pkg = TestPackages.write(dir.resolve("pkg"), NOW.plusSeconds(3600));
    DetachedSigner.append(pkg.file(), TestKeys.sign(pkg.file(), alice, NOW.plusSeconds(3600)));
    IntegrityGates gate = new IntegrityGates(Optional.of(TestKeys.trust(dir, 1, alice.toCertificate())), "", CLOCK);

    GateResult signature = gate.check(pkg, true).gates().get(0);

    assertThat(signature.status()).isEqualTo(GateStatus.FAIL);
    assertThat(signature.checks()).singleElement().satisfies(c -> {
      assertThat(c.status()).isEqualTo(CheckStatus.FAIL);
      assertThat(c.actual()).startsWith("future signature " + Keyring.fingerprint(alice.getPublicKey()));
      assertThat(c.message()).contains("more than 5 minutes after now");
    });
  }

  @Test
  void withoutATrustPolicyApplyIsBlockedButDryRunGoesOn() throws IOException {
    ApplyPackage pkg = signedPackage();
    IntegrityGates gate = new IntegrityGates(Optional.empty(), "no trust policy found (looked at: here)", CLOCK);

    Steps.IntegrityOutcome apply = gate.check(pkg, true);
    Steps.IntegrityOutcome dryRun = gate.check(pkg, false);

    assertThat(apply.gates().get(0).status()).isEqualTo(GateStatus.FAIL);
    assertThat(apply.gates().get(0).message()).isEqualTo("quorum: not met: no trust policy found (looked at: here)");
    assertThat(apply.passed()).isFalse();
    assertThat(dryRun.gates().get(0).status()).isEqualTo(GateStatus.SKIPPED);
    assertThat(dryRun.gates().get(0).checks()).extracting(c -> c.actual()).singleElement().asString().startsWith("unchecked ");
    assertThat(dryRun.passed()).isTrue();
  }

  @Test
  void aTlsPolicyBlocksARemoteTargetReachedWithoutVerifyFull() throws IOException {
    ApplyPackage pkg = signedPackage();
    TrustPolicy base = TestKeys.trust(dir, 1, alice.toCertificate());
    TrustPolicy strict = new TrustPolicy(base.file(), base.keyringFile(), base.keyring(), base.require(), base.approvers(), base.derived(),
        TrustPolicy.TlsRequirement.VERIFY_FULL);
    IntegrityGates gate = new IntegrityGates(Optional.of(strict), "", CLOCK);
    ConnectionSpec remote = new ConnectionSpec("db.example.com", 5432, "app", "ops", Optional.empty());

    for (ConnectionSpec.SslMode weak : new ConnectionSpec.SslMode[] {ConnectionSpec.SslMode.PREFER,
        ConnectionSpec.SslMode.REQUIRE, ConnectionSpec.SslMode.VERIFY_CA}) {
      Steps.IntegrityOutcome o = gate.check(pkg, true, remote.withTls(ConnectionSpec.Tls.mode(weak)));
      assertThat(o.passed()).as("sslmode %s", weak).isFalse();
      assertThat(o.gates()).filteredOn(g -> g.id().equals(GateIds.TLS)).singleElement()
          .satisfies(g -> assertThat(g.status()).isEqualTo(GateStatus.FAIL))
          .satisfies(g -> assertThat(g.message()).contains("tls: verify-full").contains("db.example.com"));
    }
    Steps.IntegrityOutcome full = gate.check(pkg, true, remote.withTls(ConnectionSpec.Tls.mode(ConnectionSpec.SslMode.VERIFY_FULL)));
    assertThat(full.passed()).isTrue();
    for (String local : new String[] {"localhost", "127.0.0.1", "::1", "/var/run/postgresql"}) {
      ConnectionSpec l = new ConnectionSpec(local, 5432, "app", "ops", Optional.empty());
      assertThat(gate.check(pkg, true, l).passed()).as("local target %s", local).isTrue();
    }
    assertThat(new IntegrityGates(Optional.of(base), "", CLOCK).check(pkg, true, remote).gates())
        .filteredOn(g -> g.id().equals(GateIds.TLS)).singleElement()
        .satisfies(g -> assertThat(g.status()).isEqualTo(GateStatus.SKIPPED));
  }

  /**
   * An unsigned preflight does not require signatures, as a dry-run does not, but connects to the
   * real target: the TLS requirement holds for it, and its signature gate does not call it a dry-run.
   */
  @Test
  void anUnsignedPreflightIsHeldToTheTlsPolicyAndIsNotCalledADryRun() throws IOException {
    ApplyPackage pkg = TestPackages.write(dir.resolve("unsigned"), NOW.plusSeconds(3600));
    TrustPolicy base = TestKeys.trust(dir, 1, alice.toCertificate());
    TrustPolicy strict = new TrustPolicy(base.file(), base.keyringFile(), base.keyring(), base.require(), base.approvers(),
        base.derived(), TrustPolicy.TlsRequirement.VERIFY_FULL);
    IntegrityGates gate = new IntegrityGates(Optional.of(strict), "", CLOCK);
    ConnectionSpec remote = new ConnectionSpec("db.example.com", 5432, "app", "ops", Optional.empty())
        .withTls(ConnectionSpec.Tls.mode(ConnectionSpec.SslMode.REQUIRE));

    Steps.IntegrityOutcome unsigned = gate.checkUnsigned(pkg, remote);
    assertThat(unsigned.passed()).isFalse();
    assertThat(unsigned.gates()).extracting(GateResult::id).containsExactly(GateIds.SIGNATURE, GateIds.ARTIFACT_INTEGRITY,
        GateIds.AUTHORIZATION, GateIds.TLS);
    assertThat(unsigned.gates()).extracting(GateResult::status).containsExactly(GateStatus.SKIPPED, GateStatus.PASS,
        GateStatus.PASS, GateStatus.FAIL);
    assertThat(unsigned.gates().get(0).message()).isEqualTo("unsigned preflight: signatures reported, not required; "
        + "quorum: not met: package.yaml.asc does not exist: the package is unsigned");
    assertThat(unsigned.gates().get(3).message()).contains("tls: verify-full").contains("db.example.com");
    assertThat(gate.checkUnsigned(pkg, remote.withTls(ConnectionSpec.Tls.mode(ConnectionSpec.SslMode.VERIFY_FULL)))
        .passed()).isTrue();

    // a dry-run's target is its own sandbox: no TLS requirement, and its messages say dry-run
    Steps.IntegrityOutcome dryRun = gate.check(pkg, false, remote);
    assertThat(dryRun.passed()).isTrue();
    assertThat(dryRun.gates().get(0).message()).startsWith("dry-run: signatures reported, not required; ");
    assertThat(dryRun.gates().get(3).status()).isEqualTo(GateStatus.SKIPPED);
    assertThat(dryRun.gates().get(3).message()).isEqualTo("dry-run: the sandbox is cutter's own");
  }
}
