package dev.cutter.core.integrity;

import static dev.cutter.core.integrity.TestKeys.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.model.ApplyPackage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntegrityVerifierTest {

  static final Instant VALID_UNTIL = NOW.plusSeconds(86400);

  static PGPSecretKeyRing alice;
  static PGPSecretKeyRing bob;
  static PGPSecretKeyRing carol;
  static PGPSecretKeyRing mallory;

  @TempDir Path dir;
  ApplyPackage pkg;
  Path yaml;

  @BeforeAll
  static void keys() {
    alice = TestKeys.approver("Alice");
    bob = TestKeys.approver("Bob");
    carol = TestKeys.approver("Carol");
    mallory = TestKeys.approver("Mallory");
  }

  @BeforeEach
  void writePackage() {
    pkg = TestPackages.write(dir.resolve("pkg"), VALID_UNTIL);
    yaml = pkg.file();
  }

  private void signBy(PGPSecretKeyRing... signers) throws IOException {
    for (PGPSecretKeyRing s : signers) {
      DetachedSigner.append(yaml, TestKeys.sign(yaml, s, NOW.minusSeconds(60)));
    }
  }

  private TrustPolicy trust(int require, PGPSecretKeyRing... keys) {
    return TestKeys.trust(dir, require, java.util.Arrays.stream(keys).map(PGPSecretKeyRing::toCertificate)
        .toArray(org.bouncycastle.openpgp.PGPPublicKeyRing[]::new));
  }

  private static List<SignatureStatus> statuses(IntegrityResult r) {
    return r.signatures().stream().map(SignatureResult::status).toList();
  }

  @Test
  void passesOneOfOneValidSignature() throws IOException {
    signBy(alice);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, alice), NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.VALID);
    SignatureResult s = r.signatures().get(0);
    assertThat(s.fingerprint()).isEqualTo(Keyring.fingerprint(alice.getPublicKey()));
    assertThat(s.userId()).contains("Alice <alice@example.org>");
    assertThat(r.quorum().summary()).isEqualTo("quorum: 1 of 1 required distinct approvers valid");
    assertThat(r.artifacts()).as("package.yaml and the artifact").hasSize(2).allMatch(ArtifactCheck::matches);
    assertThat(r.expiry().passed()).isTrue();
    assertThat(r.passed()).isTrue();
    assertThat(r.signedBy()).containsExactly(Keyring.fingerprint(alice.getPublicKey()));
  }

  @Test
  void passesTwoOfThree() throws IOException {
    signBy(alice, carol);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(2, alice, bob, carol), NOW);

    assertThat(r.quorum().summary()).isEqualTo("quorum: 2 of 2 required distinct approvers valid");
    assertThat(r.passed()).isTrue();
  }

  @Test
  void countsOneKeySigningTwiceOnce() throws IOException {
    signBy(alice, alice);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(2, alice, bob, carol), NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.VALID, SignatureStatus.VALID);
    assertThat(r.signatures().get(1).detail()).isEqualTo("same approver (Alice <alice@example.org>) as signature 1: counted once");
    assertThat(r.quorum().summary()).isEqualTo("quorum: 1 of 2 required distinct approvers valid: not met");
    assertThat(r.passed()).isFalse();
  }

  @Test
  void refusesAnyChangedByteOfPackageYaml() throws IOException {
    signBy(alice);
    Files.writeString(yaml, Files.readString(yaml).replace("title: Test change", "title: Test chanfe"));
    pkg = TestPackages.load(pkg.directory());

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, alice), NOW);

    // an approver's signature over other bytes: named stale, with the fix, and still refused
    assertThat(statuses(r)).containsExactly(SignatureStatus.STALE);
    assertThat(r.signatures().get(0).detail())
        .isEqualTo("made over other bytes of package.yaml: run cutter package hash --drop-signatures, then sign again");
    assertThat(r.passed()).isFalse();
  }

  @Test
  void aBadSignatureIsNotOutvotedByTheQuorum() throws IOException {
    signBy(alice, bob);
    byte[] damaged = TestKeys.sign(pkg.directory().resolve("ddl/change.sql"), carol, NOW);
    DetachedSigner.append(yaml, damaged);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(2, alice, bob, carol), NOW);

    // signed over other bytes by an approver key: stale, and tamper evidence like a bad signature
    assertThat(statuses(r)).containsExactly(SignatureStatus.VALID, SignatureStatus.VALID, SignatureStatus.STALE);
    assertThat(r.quorum().passed()).isTrue();
    assertThat(r.signaturesPassed()).isFalse();
    assertThat(r.passed()).isFalse();
  }

  @Test
  void countsTwoKeysOfOneApproverOnce() throws IOException {
    PGPSecretKeyRing aliceNew = TestKeys.approver("Alice");
    TrustPolicy policy = TestKeys.trustWithApprovers(dir, 2, orderedMap(
        "Alice", List.of(alice.toCertificate(), aliceNew.toCertificate()), "Bob", List.of(bob.toCertificate())));
    signBy(alice, aliceNew);

    IntegrityResult r = IntegrityVerifier.verify(pkg, policy, NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.VALID, SignatureStatus.VALID);
    assertThat(r.signatures()).extracting(SignatureResult::fingerprint).doesNotHaveDuplicates();
    assertThat(r.signatures().get(1).detail()).isEqualTo("same approver (Alice) as signature 1: counted once");
    assertThat(r.quorum().approvers()).containsExactly("Alice");
    assertThat(r.quorum().summary()).isEqualTo("quorum: 1 of 2 required distinct approvers valid: not met");
    assertThat(r.passed()).as("one person's old and new key are not two approvers").isFalse();
  }

  @Test
  void passesWhenTwoApproversSigned() throws IOException {
    PGPSecretKeyRing aliceNew = TestKeys.approver("Alice");
    TrustPolicy policy = TestKeys.trustWithApprovers(dir, 2, orderedMap(
        "Alice", List.of(alice.toCertificate(), aliceNew.toCertificate()), "Bob", List.of(bob.toCertificate())));
    signBy(aliceNew, bob);

    IntegrityResult r = IntegrityVerifier.verify(pkg, policy, NOW);

    assertThat(r.quorum().approvers()).containsExactly("Alice", "Bob");
    assertThat(r.signedBy()).containsExactly(Keyring.fingerprint(aliceNew.getPublicKey()), Keyring.fingerprint(bob.getPublicKey()));
    assertThat(r.passed()).isTrue();
  }

  @Test
  void aKeyringKeyNoApproverListsDoesNotCount() throws IOException {
    Files.write(dir.resolve("approvers.asc"), TestKeys.armoredPublic(alice.toCertificate(), mallory.toCertificate()));
    TrustPolicy policy = TrustPolicy.load(Files.writeString(dir.resolve("trust.yaml"), "keyring: approvers.asc\nrequire: 1\n"
        + "approvers:\n  - name: Alice\n    keys: [" + Keyring.fingerprint(alice.getPublicKey()) + "]\n"));
    signBy(mallory);

    IntegrityResult r = IntegrityVerifier.verify(pkg, policy, NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.NOT_AN_APPROVER);
    assertThat(r.passed()).isFalse();
  }

  private static java.util.Map<String, List<org.bouncycastle.openpgp.PGPPublicKeyRing>> orderedMap(Object... kv) {
    java.util.Map<String, List<org.bouncycastle.openpgp.PGPPublicKeyRing>> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<org.bouncycastle.openpgp.PGPPublicKeyRing> rings = (List<org.bouncycastle.openpgp.PGPPublicKeyRing>) kv[i + 1];
      if (!rings.isEmpty()) {
        m.put((String) kv[i], rings);
      }
    }
    return m;
  }

  @Test
  void refusesAChangedArtifact() throws IOException {
    signBy(alice);
    Files.writeString(pkg.directory().resolve("ddl/change.sql"), "drop table app.t;\n", StandardOpenOption.APPEND);
    pkg = TestPackages.load(pkg.directory());

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, alice), NOW);

    assertThat(r.signaturesPassed()).as("package.yaml itself is intact").isTrue();
    ArtifactCheck artifact = r.artifacts().get(1);
    assertThat(artifact.path()).isEqualTo("ddl/change.sql");
    assertThat(artifact.matches()).isFalse();
    assertThat(artifact.actual()).isPresent().get().isNotEqualTo(artifact.expected());
    assertThat(r.passed()).isFalse();
  }

  @Test
  void refusesASignerNotInTheKeyring() throws IOException {
    signBy(mallory);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, alice, bob), NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.UNKNOWN_KEY);
    assertThat(r.signatures().get(0).fingerprint()).isEqualTo(Keyring.fingerprint(mallory.getPublicKey()));
    assertThat(r.passed()).isFalse();
  }

  @Test
  void refusesAnExpiredKey() throws IOException {
    PGPSecretKeyRing expired = TestKeys.expiring("Old", NOW.minusSeconds(10 * 86400), NOW.minusSeconds(86400));
    DetachedSigner.append(yaml, TestKeys.signWith(yaml, expired, expired.getSecretKey(), NOW.minusSeconds(2 * 86400)));

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, expired), NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.EXPIRED_KEY);
    assertThat(r.signatures().get(0).detail()).isEqualTo("the key expired at " + NOW.minusSeconds(86400));
    assertThat(r.passed()).isFalse();
  }

  @Test
  void refusesASignatureMadeAfterItsKeyExpired() throws IOException {
    PGPSecretKeyRing expired = TestKeys.expiring("Late", NOW.minusSeconds(10 * 86400), NOW.minusSeconds(86400));
    DetachedSigner.append(yaml, TestKeys.signWith(yaml, expired, expired.getSecretKey(), NOW.minusSeconds(3600)));

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, expired), NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.EXPIRED_KEY);
    assertThat(r.signatures().get(0).detail()).contains("after the key expired at " + NOW.minusSeconds(86400));
  }

  @Test
  void refusesARevokedKey() throws IOException {
    PGPSecretKeyRing dave = TestKeys.approver("Dave");
    signBy(dave);

    IntegrityResult r = IntegrityVerifier.verify(pkg, TestKeys.trust(dir, 1, TestKeys.revoked(dave)), NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.REVOKED_KEY);
    assertThat(r.passed()).isFalse();
  }

  @Test
  void refusesAKeyWithoutTheSignFlag() throws IOException {
    PGPSecretKeyRing erin = TestKeys.certifyOnly("Erin");
    DetachedSigner.append(yaml, TestKeys.signWith(yaml, erin, erin.getSecretKey(), NOW));

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, erin), NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.NOT_SIGNING_KEY);
    assertThat(r.passed()).isFalse();
  }

  @Test
  void countsTwoSubkeysOfOnePrimaryOnce() throws IOException {
    PGPSecretKeyRing frank = TestKeys.withSigningSubkeys("Frank", 2, true);
    for (var subkey : TestKeys.signingSubkeys(frank)) {
      DetachedSigner.append(yaml, TestKeys.signWith(yaml, frank, subkey, NOW));
    }

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(2, frank, alice), NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.VALID, SignatureStatus.VALID);
    assertThat(r.signatures()).extracting(SignatureResult::signingKey).doesNotHaveDuplicates();
    assertThat(r.signatures()).extracting(SignatureResult::fingerprint).containsOnly(Keyring.fingerprint(frank.getPublicKey()));
    assertThat(r.quorum().valid()).isEqualTo(1);
    assertThat(r.passed()).isFalse();
  }

  @Test
  void refusesASigningSubkeyWithoutBackSignature() throws IOException {
    PGPSecretKeyRing grace = TestKeys.withSigningSubkeys("Grace", 1, false);
    DetachedSigner.append(yaml, TestKeys.signWith(yaml, grace, TestKeys.signingSubkeys(grace).get(0), NOW));

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, grace), NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.NOT_SIGNING_KEY);
  }

  @Test
  void refusesABinarySignatureFile() throws IOException {
    byte[] armored = TestKeys.sign(yaml, alice, NOW);
    var sig = SignatureFile.parse(armored).signatures().get(0);
    Files.write(IntegrityVerifier.signatureFileOf(yaml), sig.getEncoded());

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, alice), NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.MALFORMED);
    assertThat(r.signatures().get(0).detail()).contains("binary (unarmored)");
    assertThat(r.passed()).isFalse();
  }

  @Test
  void refusesADamagedArmoredBlockEvenWhenTheQuorumIsMet() throws IOException {
    signBy(alice);
    String good = new String(TestKeys.sign(yaml, bob, NOW), StandardCharsets.US_ASCII);
    String[] lines = good.split("\n");
    lines[2] = lines[2].substring(0, 10) + (lines[2].charAt(10) == 'A' ? 'B' : 'A') + lines[2].substring(11);
    DetachedSigner.append(yaml, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII));
    Files.writeString(IntegrityVerifier.signatureFileOf(yaml), "trailing words\n", StandardOpenOption.APPEND);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, alice, bob), NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.VALID, SignatureStatus.MALFORMED, SignatureStatus.MALFORMED);
    assertThat(r.signatures().get(1).detail()).as("the armor checksum catches the changed character").contains("block at line");
    assertThat(r.signatures().get(2).detail()).contains("unexpected text outside an armored block");
    assertThat(r.quorum().passed()).isTrue();
    assertThat(r.passed()).isFalse();
  }

  @Test
  void refusesAnUnsignedPackage() {
    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, alice), NOW);

    assertThat(r.signatures()).isEmpty();
    assertThat(r.quorum().summary()).contains("package.yaml.asc does not exist");
    assertThat(r.passed()).isFalse();
  }

  @Test
  void refusesAnExpiredAuthorizationSayingWhenInUtc() throws IOException {
    Instant expired = NOW.minusSeconds(7200);
    pkg = TestPackages.write(dir.resolve("old"), expired);
    yaml = pkg.file();
    signBy(alice);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, alice), NOW);

    assertThat(r.signaturesPassed()).isTrue();
    assertThat(r.expiry().passed()).isFalse();
    assertThat(r.expiry().summary()).startsWith("authorization: expired at 2026-05-18T03:00:00Z (UTC)");
    assertThat(r.passed()).isFalse();
  }

  @Test
  void failsWithoutATrustPolicySayingWhereItLooked() throws IOException {
    signBy(alice);

    IntegrityResult r = IntegrityVerifier.verifyWithoutPolicy(pkg, "no trust policy found (looked at: x)", NOW);

    assertThat(statuses(r)).containsExactly(SignatureStatus.UNCHECKED);
    assertThat(r.quorum().summary()).isEqualTo("quorum: not met: no trust policy found (looked at: x)");
    assertThat(r.passed()).isFalse();
  }

  @Test
  void dryRunReportsSignaturesWithoutRequiringThem() {
    IntegrityResult unsigned = IntegrityVerifier.verifyForDryRun(pkg, Optional.of(trust(1, alice)), NOW);

    assertThat(unsigned.signaturesPassed()).isFalse();
    assertThat(unsigned.passed()).as("hashes and expiry hold; signatures are not required").isTrue();
  }
}
