package dev.cutter.core.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.CutterException;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.fixtures.Gpg;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.stream.StreamSupport;
import org.bouncycastle.bcpg.ElGamalPublicBCPGKey;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signatures that should not count, do not: keys and signatures made by the real gpg that a
 * careless or hostile approver could hand in — an expired or future-dated signature, a key whose
 * flags forbid signing, keys below today's minimum. Each is refused with its own status.
 */
class SignatureRefusalsGpgTest {

  static final String PASSPHRASE = "refusals passphrase";
  /** After the keys were made: their self-signatures are not from the future. */
  static Instant NOW;

  @TempDir static Path shared;
  static Gpg gpg;
  static String approver;
  static String rsa1024;
  static String secp256k1;
  static String brainpool;
  static String nistP256;
  static String certifyOnly;
  static TrustPolicy trust;

  @TempDir Path dir;

  @BeforeAll
  static void keys() throws IOException {
    gpg = Gpg.in(shared);
    approver = generate("Sig Approver <sig@example.org>", "ed25519", "sign");
    rsa1024 = generate("Weak Rsa <rsa@example.org>", "rsa1024", "sign");
    secp256k1 = generate("Koblitz Curve <k1@example.org>", "secp256k1", "sign");
    brainpool = generate("Brain Pool <bp@example.org>", "brainpoolP256r1", "sign");
    nistP256 = generate("Nist Curve <p256@example.org>", "nistp256", "sign");
    certifyOnly = generate("Certify Only <cert@example.org>", "ed25519", "cert");
    gpg.withPassphrase(PASSPHRASE, "--quick-add-key", certifyOnly, "ed25519", "auth", "never").orFail();
    Path keyring = shared.resolve("approvers.asc");
    Files.writeString(keyring, gpg.run("", "--armor", "--export", approver, rsa1024, secp256k1, brainpool, nistP256, certifyOnly)
        .orFail().stdout());
    trust = TrustPolicy.load(Files.writeString(shared.resolve("trust.yaml"), "keyring: approvers.asc\nrequire: 1\n"));
    NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
  }

  @AfterAll
  static void stopAgent() {
    gpg.close();
  }

  private static String generate(String userId, String algorithm, String usage) {
    gpg.withPassphrase(PASSPHRASE, "--quick-generate-key", userId, algorithm, usage, "never").orFail();
    String colons = gpg.run("", "--with-colons", "--list-secret-keys", userId).orFail().stdout();
    return colons.lines().filter(l -> l.startsWith("fpr:")).findFirst().map(l -> l.split(":")[9]).orElseThrow();
  }

  private ApplyPackage pkg() {
    return TestPackages.write(dir.resolve("pkg"), NOW.plus(Duration.ofDays(7)));
  }

  /** gpg signs package.yaml with {@code key}; {@code options} go first (e.g. --faked-system-time). */
  private void gpgSigns(ApplyPackage pkg, String key, String... options) throws IOException {
    Path out = dir.resolve("sig-" + System.nanoTime() + ".asc");
    List<String> args = new ArrayList<>(List.of(options));
    args.addAll(List.of("--local-user", key + "!", "--armor", "--output", out.toString(), "--detach-sign", pkg.file().toString()));
    gpg.withPassphrase(PASSPHRASE, args.toArray(String[]::new)).orFail();
    DetachedSigner.append(pkg.file(), Files.readAllBytes(out));
  }

  private static SignatureResult only(IntegrityResult r) {
    assertThat(r.signatures()).hasSize(1);
    return r.signatures().get(0);
  }

  @Test
  void refusesASignaturePastItsOwnExpiration() throws IOException {
    ApplyPackage pkg = pkg();
    gpgSigns(pkg, approver, "--default-sig-expire", "1d");

    SignatureResult fresh = only(IntegrityVerifier.verify(pkg, trust, NOW));
    IntegrityResult later = IntegrityVerifier.verify(pkg, trust, NOW.plus(Duration.ofDays(2)));

    assertThat(fresh.status()).as(fresh.detail()).isEqualTo(SignatureStatus.VALID);
    assertThat(only(later).status()).isEqualTo(SignatureStatus.SIGNATURE_EXPIRED);
    assertThat(only(later).detail()).startsWith("the signature expired at ");
    assertThat(later.passed()).isFalse();
  }

  @Test
  void refusesASignatureDatedMoreThanFiveMinutesAhead() throws IOException {
    ApplyPackage pkg = pkg();
    gpgSigns(pkg, approver, "--faked-system-time", String.valueOf(NOW.plus(Duration.ofHours(1)).getEpochSecond()));
    gpgSigns(pkg, approver, "--faked-system-time", String.valueOf(NOW.plus(Duration.ofMinutes(2)).getEpochSecond()));

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust, NOW);

    assertThat(r.signatures()).extracting(SignatureResult::status)
        .as("an hour ahead is refused; two minutes of clock skew is not")
        .containsExactly(SignatureStatus.FUTURE_SIGNATURE, SignatureStatus.VALID);
    assertThat(r.signatures().get(0).detail()).contains("more than 5 minutes after now");
    assertThat(IntegrityVerifier.verify(pkg, trust, NOW.plus(Duration.ofHours(1))).signatures()).extracting(SignatureResult::status)
        .as("judged an hour later, both count").containsOnly(SignatureStatus.VALID);
  }

  @Test
  void refusesAnRsaKeyUnder2048Bits() throws IOException {
    ApplyPackage pkg = pkg();
    gpgSigns(pkg, rsa1024);

    SignatureResult s = only(IntegrityVerifier.verify(pkg, trust, NOW));

    assertThat(s.status()).isEqualTo(SignatureStatus.WEAK_KEY);
    assertThat(s.detail()).isEqualTo("RSA key of 1024 bits: at least 2048 are required");
  }

  @Test
  void packageSignRefusesToMakeASignatureThatWouldNotCount() {
    DetachedSigner.SecretKey weak = DetachedSigner.readSecretKey(
        gpg.withPassphrase(PASSPHRASE, "--armor", "--export-secret-keys", rsa1024).orFail().stdout().getBytes(), "gpg export");

    assertThatThrownBy(() -> DetachedSigner.sign(new ByteArrayInputStream(new byte[] {1}), weak, PASSPHRASE.toCharArray(), NOW))
        .isInstanceOf(CutterException.class)
        .hasMessageContaining("has no usable signing key: RSA key of 1024 bits: at least 2048 are required");
  }

  @Test
  void refusesASecp256k1KeyAndAcceptsTheStandardCurves() throws IOException {
    ApplyPackage pkg = pkg();
    gpgSigns(pkg, secp256k1);
    gpgSigns(pkg, brainpool);
    gpgSigns(pkg, nistP256);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust, NOW);

    assertThat(r.signatures()).extracting(SignatureResult::status)
        .containsExactly(SignatureStatus.WEAK_KEY, SignatureStatus.VALID, SignatureStatus.VALID);
    assertThat(r.signatures().get(0).detail()).startsWith("ECDSA key on secp256k1: only NIST P-256/384/521 and brainpool");
  }

  @Test
  void refusesSignaturesByKeysWhoseFlagsDoNotAllowSigning() throws IOException, PGPException {
    ApplyPackage pkg = pkg();
    PGPSecretKeyRing ring = DetachedSigner.readSecretKey(gpg.withPassphrase(PASSPHRASE, "--armor", "--export-secret-keys", certifyOnly)
        .orFail().stdout().getBytes(), "gpg export").ring();
    PGPSecretKey authSubkey = StreamSupport.stream(ring.spliterator(), false).filter(k -> !k.isMasterKey()).findFirst().orElseThrow();
    for (PGPSecretKey key : List.of(ring.getSecretKey(), authSubkey)) {
      byte[] data = Files.readAllBytes(pkg.file());
      DetachedSigner.append(pkg.file(),
          DetachedSigner.sign(new ByteArrayInputStream(data), ring, key, PASSPHRASE.toCharArray(), NOW).armored());
    }

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust, NOW);

    assertThat(r.signatures()).extracting(SignatureResult::status).as("a certify-only primary and an authentication-only subkey")
        .containsExactly(SignatureStatus.NOT_SIGNING_KEY, SignatureStatus.NOT_SIGNING_KEY);
    assertThat(r.passed()).isFalse();
  }

  @Test
  void refusesElGamalSigningKeys() {
    PGPPublicKey elgamal = publicKey(PublicKeyAlgorithmTags.ELGAMAL_GENERAL,
        new ElGamalPublicBCPGKey(BigInteger.ONE.shiftLeft(3071).setBit(0), BigInteger.TWO, BigInteger.TEN));

    assertThat(KeyStrength.weakness(elgamal)).contains("ElGamal key: ElGamal signatures are not accepted");
  }

  private static PGPPublicKey publicKey(int algorithm, ElGamalPublicBCPGKey key) {
    try {
      return new PGPPublicKey(new PublicKeyPacket(PublicKeyPacket.VERSION_4, algorithm, Date.from(NOW), key), new BcKeyFingerprintCalculator());
    } catch (PGPException e) {
      throw new IllegalStateException(e);
    }
  }
}
