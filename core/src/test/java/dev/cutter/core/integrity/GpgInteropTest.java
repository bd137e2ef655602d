package dev.cutter.core.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.model.ApplyPackage;
import dev.cutter.fixtures.Gpg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cutter and the real gpg 2.2 read each other's keys and signatures. */
class GpgInteropTest {

  static final String GPG_PASSPHRASE = "gpg side passphrase";

  @TempDir static Path shared;
  static Gpg gpg;
  static String gpgFingerprint;
  static ApproverKeys.Generated cutterKey;

  @TempDir Path dir;

  @BeforeAll
  static void keys() throws IOException {
    gpg = Gpg.in(shared);
    gpgFingerprint = gpg.generateKey("Gpg Approver <gpg@example.org>", GPG_PASSPHRASE);
    cutterKey = ApproverKeys.generate("Cutter Approver <cutter@example.org>", TestKeys.PASSPHRASE.toCharArray(), Instant.now(), Optional.empty());
    Path secret = Files.write(shared.resolve("cutter.sec.asc"), cutterKey.armoredSecretKey());
    gpg.withPassphrase(TestKeys.PASSPHRASE, "--import", secret.toString()).orFail();
  }

  @AfterAll
  static void stopAgent() {
    gpg.close();
  }

  private ApplyPackage pkg() {
    return TestPackages.write(dir.resolve("pkg"), Instant.now().plusSeconds(3600));
  }

  private TrustPolicy trustBoth() throws IOException {
    byte[] gpgPublic = gpg.run("", "--armor", "--export", gpgFingerprint).orFail().stdout().getBytes();
    Files.write(dir.resolve("approvers.asc"), concat(gpgPublic, cutterKey.armoredPublicKey()));
    return TrustPolicy.load(Files.writeString(dir.resolve("trust.yaml"), "keyring: approvers.asc\nrequire: 2\n"));
  }

  private void gpgSigns(Path yaml, String who, String passphrase) throws IOException {
    Path out = dir.resolve("gpg-" + who + ".asc");
    gpg.withPassphrase(passphrase, "--local-user", who, "--armor", "--output", out.toString(), "--detach-sign", yaml.toString()).orFail();
    DetachedSigner.append(yaml, Files.readAllBytes(out));
  }

  @Test
  void gpgImportsACutterKeyAsEd25519WithCv25519Subkey() {
    String colons = gpg.run("", "--with-colons", "--list-secret-keys", cutterKey.fingerprint()).orFail().stdout();

    assertThat(colons).as("secret primary: Ed25519 (algo 22), sign+certify")
        .containsPattern("(?m)^sec:[^:]*:255:22:(?:[^:]*:){7}sc");
    assertThat(colons).as("encryption subkey: cv25519 (algo 18)").containsPattern("(?m)^ssb:[^:]*:255:18:(?:[^:]*:){7}e:");
    assertThat(colons).contains("Cutter Approver <cutter@example.org>");
  }

  @Test
  void gpgVerifiesASignatureCutterMade() throws IOException {
    ApplyPackage pkg = pkg();
    PGPSecretKeyRing ring = DetachedSigner.readSecretKey(cutterKey.armoredSecretKey(), "test").ring();
    try (var in = Files.newInputStream(pkg.file())) {
      DetachedSigner.append(pkg.file(), DetachedSigner.sign(in, ring, TestKeys.PASSPHRASE.toCharArray(), Instant.now()).armored());
    }

    Gpg.Result verify = gpg.run("", "--status-fd", "1", "--verify", IntegrityVerifier.signatureFileOf(pkg.file()).toString(), pkg.file().toString());

    assertThat(verify.exitCode()).as(verify.stderr()).isZero();
    assertThat(verify.stdout()).contains("[GNUPG:] VALIDSIG " + cutterKey.fingerprint());
  }

  @Test
  void cutterVerifiesSignaturesGpgMadeWithItsOwnAndWithAnImportedCutterKey() throws IOException {
    ApplyPackage pkg = pkg();
    gpgSigns(pkg.file(), gpgFingerprint, GPG_PASSPHRASE);
    gpgSigns(pkg.file(), cutterKey.fingerprint(), TestKeys.PASSPHRASE);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trustBoth(), Instant.now());

    assertThat(r.signatures()).extracting(SignatureResult::status).containsExactly(SignatureStatus.VALID, SignatureStatus.VALID);
    assertThat(r.signatures()).extracting(SignatureResult::fingerprint).containsExactly(gpgFingerprint, cutterKey.fingerprint());
    assertThat(r.signatures().get(0).userId()).contains("Gpg Approver <gpg@example.org>");
    assertThat(r.passed()).isTrue();
  }

  @Test
  void cutterRefusesAGpgSignatureOverAChangedPackage() throws IOException {
    ApplyPackage pkg = pkg();
    gpgSigns(pkg.file(), gpgFingerprint, GPG_PASSPHRASE);
    // the keyless digest-prefix check agrees with gpg's signature: over these bytes, not stale
    assertThat(StaleSignatures.scan(pkg.file(), Files.readAllBytes(pkg.file())).stale()).isZero();
    Files.writeString(pkg.file(), Files.readString(pkg.file()).replace("title: Test change", "title: Test chanfe"));

    IntegrityResult r = IntegrityVerifier.verify(TestPackages.load(pkg.directory()), trustBoth(), Instant.now());

    assertThat(r.signatures()).extracting(SignatureResult::status).containsExactly(SignatureStatus.STALE);
    assertThat(StaleSignatures.scan(pkg.file(), Files.readAllBytes(pkg.file())).stale()).isEqualTo(1);
  }

  @Test
  void cutterRefusesABinaryGpgSignature() throws IOException {
    ApplyPackage pkg = pkg();
    Path asc = IntegrityVerifier.signatureFileOf(pkg.file());
    gpg.withPassphrase(GPG_PASSPHRASE, "--local-user", gpgFingerprint, "--output", asc.toString(), "--detach-sign", pkg.file().toString()).orFail();

    IntegrityResult r = IntegrityVerifier.verify(pkg, trustBoth(), Instant.now());

    assertThat(r.signatures()).extracting(SignatureResult::status).containsExactly(SignatureStatus.MALFORMED);
    assertThat(r.passed()).isFalse();
  }

  @Test
  void cutterRefusesAKeyRevokedWithGpgsOwnRevocationCertificate() throws IOException {
    ApplyPackage pkg = pkg();
    String revoked = gpg.generateKey("Rex Revoked <rex@example.org>", GPG_PASSPHRASE);
    gpgSigns(pkg.file(), revoked, GPG_PASSPHRASE);
    // gpg 2.2 writes a revocation certificate at key generation, its armor line guarded by a ':'.
    Path rev = gpg.home().resolve("openpgp-revocs.d/" + revoked + ".rev");
    Path importable = Files.writeString(dir.resolve("rex.rev"), Files.readString(rev).replace(":-----BEGIN", "-----BEGIN"));
    gpg.run("", "--import", importable.toString()).orFail();
    Files.write(dir.resolve("approvers.asc"), gpg.run("", "--armor", "--export", revoked).orFail().stdout().getBytes());
    TrustPolicy trust = TrustPolicy.load(Files.writeString(dir.resolve("trust.yaml"), "keyring: approvers.asc\nrequire: 1\n"));

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust, Instant.now());

    assertThat(r.signatures()).extracting(SignatureResult::status).containsExactly(SignatureStatus.REVOKED_KEY);
    assertThat(r.passed()).isFalse();
  }

  @Test
  void cutterRefusesAGpgKeyThatHasExpired() throws IOException {
    ApplyPackage pkg = pkg();
    // "!" freezes gpg's clock at that instant: a started clock moves on, and a loaded machine made the key a second late
    String old = gpg.generateKey("Olga Old <olga@example.org>", GPG_PASSPHRASE, "1d", "--faked-system-time", "20200101T000000!");
    Path sig = dir.resolve("olga.asc");
    gpg.withPassphrase(GPG_PASSPHRASE, "--faked-system-time", "20200101T120000!", "--local-user", old, "--armor",
        "--output", sig.toString(), "--detach-sign", pkg.file().toString()).orFail();
    DetachedSigner.append(pkg.file(), Files.readAllBytes(sig));
    Files.write(dir.resolve("approvers.asc"), gpg.run("", "--armor", "--export", old).orFail().stdout().getBytes());
    TrustPolicy trust = TrustPolicy.load(Files.writeString(dir.resolve("trust.yaml"), "keyring: approvers.asc\nrequire: 1\n"));

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust, Instant.now());

    assertThat(r.signatures()).extracting(SignatureResult::status).containsExactly(SignatureStatus.EXPIRED_KEY);
    assertThat(r.signatures().get(0).detail()).isEqualTo("the key expired at 2020-01-02T00:00:00Z");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
