package dev.cutter.core.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.model.ApplyPackage;
import dev.cutter.fixtures.Gpg;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.stream.StreamSupport;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signature cases a quorum must get right, each with keys and signatures made by the real
 * gpg: a subkey signer, one key's primary and subkey counted once, revoked and expired subkeys,
 * weak hashes, signature types other than a binary document, and a signature dated before its
 * key. Every case states the exact status, detail and quorum.
 */
class SignatureCasesGpgTest {

  static final String PASSPHRASE = "cases passphrase";
  /** When dave's key was made: ten days before the tests run. */
  static final Instant LONG_AGO = Instant.now().minus(Duration.ofDays(10)).truncatedTo(ChronoUnit.SECONDS);

  @TempDir static Path shared;
  static Gpg gpg;
  static String alice;
  static String aliceSub;
  static String bob;
  static String dave;
  static String daveShortSub;
  static long daveShortSubCreated;
  static String rsa;

  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    gpg = Gpg.in(shared);
    alice = generate("Alice Example <alice@example.org>", "ed25519");
    aliceSub = addSubkey(alice, "never");
    bob = generate("Bob Example <bob@example.org>", "ed25519");
    // dave's key and a signing subkey valid for one day were both made ten days ago
    dave = generate("Dave Example <dave@example.org>", "ed25519", "--faked-system-time", epoch(LONG_AGO));
    daveShortSub = addSubkey(dave, "1d", "--faked-system-time", epoch(LONG_AGO));
    daveShortSubCreated = created(dave, daveShortSub);
    rsa = generate("Rsa Example <rsa@example.org>", "rsa2048");
  }

  @AfterAll
  static void stopAgent() {
    gpg.close();
  }

  private static String epoch(Instant t) {
    return String.valueOf(t.getEpochSecond());
  }

  private static String generate(String userId, String algorithm, String... options) {
    List<String> args = new ArrayList<>(List.of(options));
    args.addAll(List.of("--quick-generate-key", userId, algorithm, "sign,cert", "never"));
    gpg.withPassphrase(PASSPHRASE, args.toArray(String[]::new)).orFail();
    return fingerprints(userId).get(0);
  }

  /** Adds an Ed25519 signing subkey to {@code primary} and returns its fingerprint. */
  private static String addSubkey(String primary, String expires, String... options) {
    List<String> args = new ArrayList<>(List.of(options));
    args.addAll(List.of("--quick-add-key", primary, "ed25519", "sign", expires));
    gpg.withPassphrase(PASSPHRASE, args.toArray(String[]::new)).orFail();
    List<String> fprs = fingerprints(primary);
    return fprs.get(fprs.size() - 1);
  }

  /** The primary's and then every subkey's fingerprint, in gpg's order (newest subkey last). */
  private static List<String> fingerprints(String who) {
    return gpg.run("", "--with-colons", "--list-keys", who).orFail().stdout().lines()
        .filter(l -> l.startsWith("fpr:")).map(l -> l.split(":")[9]).toList();
  }

  /** The creation time (epoch seconds) of one subkey of {@code primary}, as gpg lists it. */
  private static long created(String primary, String subkey) {
    List<String> lines = gpg.run("", "--with-colons", "--list-keys", primary).orFail().stdout().lines().toList();
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).startsWith("fpr:") && lines.get(i).split(":")[9].equals(subkey)) {
        return Long.parseLong(lines.get(i - 1).split(":")[5]);
      }
    }
    throw new AssertionError("no subkey " + subkey + " of " + primary);
  }

  private ApplyPackage pkg() {
    return TestPackages.write(dir.resolve("pkg"), Instant.now().plus(Duration.ofDays(7)));
  }

  /** gpg signs package.yaml with exactly {@code key} (primary or subkey); {@code options} go first. */
  private void gpgSigns(ApplyPackage pkg, String key, String... options) throws IOException {
    Path out = dir.resolve("sig-" + System.nanoTime() + ".asc");
    List<String> args = new ArrayList<>(List.of(options));
    args.addAll(List.of("--local-user", key + "!", "--armor", "--output", out.toString(), "--detach-sign", pkg.file().toString()));
    gpg.withPassphrase(PASSPHRASE, args.toArray(String[]::new)).orFail();
    DetachedSigner.append(pkg.file(), Files.readAllBytes(out));
  }

  /** A trust policy whose keyring is every key as gpg holds it now; one approver per entry (name, fingerprint). */
  private TrustPolicy trust(int require, String... namesAndKeys) throws IOException {
    List<String> all = new ArrayList<>(List.of("--armor", "--export"));
    StringBuilder yaml = new StringBuilder("keyring: approvers.asc\nrequire: " + require + "\napprovers:\n");
    for (int i = 0; i < namesAndKeys.length; i += 2) {
      yaml.append("  - name: ").append(namesAndKeys[i]).append("\n    keys: [ ").append(namesAndKeys[i + 1]).append(" ]\n");
      all.add(namesAndKeys[i + 1]);
    }
    Files.writeString(dir.resolve("approvers.asc"), gpg.run("", all.toArray(String[]::new)).orFail().stdout());
    return TrustPolicy.load(Files.writeString(dir.resolve("trust.yaml"), yaml.toString()));
  }

  private static Instant now() {
    return Instant.now().plusSeconds(1);
  }

  @Test
  void aSubkeySignerAndASecondApproverMeetAQuorumOfTwo() throws IOException {
    ApplyPackage pkg = pkg();
    gpgSigns(pkg, aliceSub);
    gpgSigns(pkg, bob);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(2, "Alice", alice, "Bob", bob), now());

    assertThat(r.signatures()).extracting(SignatureResult::status).containsExactly(SignatureStatus.VALID, SignatureStatus.VALID);
    assertThat(r.signatures().get(0).fingerprint()).as("counted under the primary").isEqualTo(alice);
    assertThat(r.signatures().get(0).signingKey()).as("made by the subkey").contains(aliceSub);
    assertThat(r.quorum().approvers()).containsExactly("Alice", "Bob");
    assertThat(r.quorum().signers()).containsExactly(alice, bob);
    assertThat(r.passed()).isTrue();
  }

  @Test
  void thePrimaryAndASubkeyOfOneKeyCountOnce() throws IOException {
    ApplyPackage pkg = pkg();
    gpgSigns(pkg, alice);
    gpgSigns(pkg, aliceSub);

    IntegrityResult two = IntegrityVerifier.verify(pkg, trust(2, "Alice", alice, "Bob", bob), now());
    IntegrityResult one = IntegrityVerifier.verify(pkg, trust(1, "Alice", alice, "Bob", bob), now());

    assertThat(two.signatures()).extracting(SignatureResult::status).containsExactly(SignatureStatus.VALID, SignatureStatus.VALID);
    assertThat(two.signatures()).extracting(s -> s.signingKey().orElseThrow()).containsExactly(alice, aliceSub);
    assertThat(two.signatures().get(1).detail()).isEqualTo("same approver (Alice) as signature 1: counted once");
    assertThat(two.quorum().approvers()).containsExactly("Alice");
    assertThat(two.quorum().summary()).isEqualTo("quorum: 1 of 2 required distinct approvers valid: not met");
    assertThat(two.passed()).as("one key's primary and subkey are one approval, not two").isFalse();
    assertThat(one.quorum().summary()).isEqualTo("quorum: 1 of 1 required distinct approvers valid");
    assertThat(one.passed()).isTrue();
  }

  @Test
  void aRevokedSubkeyDoesNotCountWhileItsPrimaryStillDoes() throws IOException {
    String carol = generate("Carol Example <carol@example.org>", "ed25519");
    String carolSub = addSubkey(carol, "never");
    ApplyPackage pkg = pkg();
    gpgSigns(pkg, carolSub);
    gpgSigns(pkg, carol);
    // gpg --edit-key: select subkey 1, revoke it (reason 0, no description), save; the passphrase is the first line
    gpg.run(PASSPHRASE + "\nkey 1\nrevkey\ny\n0\n\ny\nsave\n",
        "--pinentry-mode", "loopback", "--passphrase-fd", "0", "--command-fd", "0", "--edit-key", carol).orFail();
    assertThat(gpg.run("", "--with-colons", "--list-keys", carol).orFail().stdout().lines().filter(l -> l.startsWith("sub:")))
        .as("gpg marks the subkey revoked").singleElement().satisfies(l -> assertThat(l).startsWith("sub:r:"));

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, "Carol", carol), now());

    assertThat(r.signatures()).extracting(SignatureResult::status)
        .containsExactly(SignatureStatus.REVOKED_KEY, SignatureStatus.VALID);
    assertThat(r.signatures().get(0).signingKey()).contains(carolSub);
    assertThat(r.signatures().get(0).detail()).isEqualTo("the key was revoked");
    assertThat(r.quorum().approvers()).containsExactly("Carol");
    IntegrityResult subkeyOnly = IntegrityVerifier.verify(withOnlyFirstSignature(pkg), trust(1, "Carol", carol), now());
    assertThat(subkeyOnly.passed()).as("the revoked subkey alone approves nothing").isFalse();
  }

  @Test
  void anExpiredSubkeyCountsOnlyBeforeItExpired() throws IOException {
    ApplyPackage pkg = pkg();
    Instant signedAt = LONG_AGO.plus(Duration.ofHours(1));
    gpgSigns(pkg, daveShortSub, "--faked-system-time", epoch(signedAt));
    TrustPolicy trust = trust(1, "Dave", dave);
    Instant expired = Instant.ofEpochSecond(daveShortSubCreated + 86_400);

    IntegrityResult today = IntegrityVerifier.verify(pkg, trust, now());
    IntegrityResult thatDay = IntegrityVerifier.verify(pkg, trust, signedAt.plus(Duration.ofHours(1)));

    assertThat(today.signatures()).singleElement().satisfies(s -> {
      assertThat(s.status()).isEqualTo(SignatureStatus.EXPIRED_KEY);
      assertThat(s.signingKey()).contains(daveShortSub);
      assertThat(s.detail()).isEqualTo("the key expired at " + expired);
    });
    assertThat(today.passed()).isFalse();
    assertThat(thatDay.signatures()).extracting(SignatureResult::status).containsExactly(SignatureStatus.VALID);
    assertThat(thatDay.passed()).isTrue();
  }

  @Test
  void refusesSha1Md5AndRipemd160SignaturesAndTheyAreNotOutvoted() throws IOException {
    ApplyPackage pkg = pkg();
    for (String digest : List.of("SHA1", "MD5", "RIPEMD160", "SHA256")) {
      gpgSigns(pkg, rsa, "--digest-algo", digest, "--allow-weak-digest-algos");
    }

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, "Rsa", rsa), now());

    assertThat(r.signatures()).extracting(SignatureResult::status).containsExactly(
        SignatureStatus.BAD_SIGNATURE, SignatureStatus.BAD_SIGNATURE, SignatureStatus.BAD_SIGNATURE, SignatureStatus.VALID);
    assertThat(r.signatures()).extracting(SignatureResult::detail).containsExactly(
        "made with the weak hash algorithm SHA-1", "made with the weak hash algorithm MD5",
        "made with the weak hash algorithm RIPEMD-160", "");
    assertThat(r.quorum().passed()).as("the SHA-256 signature meets the quorum").isTrue();
    assertThat(r.passed()).as("a weak-hash signature is never outvoted").isFalse();
  }

  @Test
  void refusesATextModeSignatureEvenWhenTheQuorumIsMet() throws IOException {
    ApplyPackage pkg = pkg();
    gpgSigns(pkg, bob, "--textmode");
    gpgSigns(pkg, alice);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, "Alice", alice, "Bob", bob), now());

    assertThat(r.signatures()).extracting(SignatureResult::status)
        .containsExactly(SignatureStatus.BAD_SIGNATURE, SignatureStatus.VALID);
    assertThat(r.signatures().get(0).detail()).isEqualTo("signature type 0x01 is not a detached binary signature"
        + " (make it with gpg --armor --detach-sign or cutter package sign)");
    assertThat(r.quorum().passed()).isTrue();
    assertThat(r.passed()).isFalse();
  }

  @Test
  void refusesStandaloneAndTimestampSignaturesByAnApproversKey() throws IOException, PGPException {
    ApplyPackage pkg = pkg();
    PGPSecretKeyRing ring = DetachedSigner.readSecretKey(
        gpg.withPassphrase(PASSPHRASE, "--armor", "--export-secret-keys", bob).orFail().stdout().getBytes(), "gpg export").ring();
    for (int type : List.of(PGPSignature.STAND_ALONE, PGPSignature.TIMESTAMP)) {
      DetachedSigner.append(pkg.file(), ApproverKeys.armored(signatureOfType(ring, type, Files.readAllBytes(pkg.file()))::encode));
    }

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, "Bob", bob), now());

    assertThat(r.signatures()).extracting(SignatureResult::status)
        .containsExactly(SignatureStatus.BAD_SIGNATURE, SignatureStatus.BAD_SIGNATURE);
    assertThat(r.signatures()).extracting(SignatureResult::detail).allSatisfy(d -> assertThat(d).endsWith(
        " is not a detached binary signature (make it with gpg --armor --detach-sign or cutter package sign)"));
    assertThat(r.signatures()).extracting(s -> s.detail().substring(0, "signature type 0x02".length()))
        .containsExactly("signature type 0x02", "signature type 0x40");
    assertThat(r.passed()).isFalse();
  }

  @Test
  void clearSignedAndInlineSignedMessagesAreMalformed() throws IOException {
    for (String mode : List.of("--clearsign", "--sign")) {
      ApplyPackage pkg = TestPackages.write(dir.resolve("pkg" + mode), Instant.now().plus(Duration.ofDays(7)));
      gpgSigns(pkg, bob);
      long linesBefore = Files.readAllLines(IntegrityVerifier.signatureFileOf(pkg.file())).size();
      Path out = dir.resolve("msg" + mode + ".asc");
      gpg.withPassphrase(PASSPHRASE, "--local-user", bob + "!", "--armor", "--output", out.toString(), mode, pkg.file().toString())
          .orFail();
      DetachedSigner.append(pkg.file(), Files.readAllBytes(out));

      IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, "Bob", bob), now());

      assertThat(r.signatures()).extracting(SignatureResult::status).as(mode)
          .containsExactly(SignatureStatus.VALID, SignatureStatus.MALFORMED);
      assertThat(r.signatures().get(1).detail()).as(mode).isEqualTo("package.yaml.asc: line " + (linesBefore + 1)
          + ": unexpected text outside an armored block (expected -----BEGIN PGP SIGNATURE-----)");
      assertThat(r.quorum().passed()).isTrue();
      assertThat(r.passed()).as(mode + ": a message is not a detached signature, and the file is refused").isFalse();
    }
  }

  @Test
  void refusesASignatureDatedBeforeItsPrimaryKeyOrItsSubkeyWasMade() throws IOException {
    String erin = generate("Erin Example <erin@example.org>", "ed25519");
    String daveNewSub = addSubkey(dave, "never");
    Instant yesterday = Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
    ApplyPackage pkg = pkg();
    gpgSigns(pkg, erin, "--ignore-time-conflict", "--faked-system-time", epoch(yesterday));
    // dave's primary is ten days old; only the subkey made today is younger than the signature. gpg will not
    // sign with a subkey from its future whatever the options, so Bouncy Castle signs with gpg's secret subkey.
    PGPSecretKeyRing daveRing = DetachedSigner.readSecretKey(
        gpg.withPassphrase(PASSPHRASE, "--armor", "--export-secret-keys", dave).orFail().stdout().getBytes(), "gpg export").ring();
    PGPSecretKey newSub = StreamSupport.stream(daveRing.spliterator(), false)
        .filter(k -> Keyring.fingerprint(k.getPublicKey()).equals(daveNewSub)).findFirst().orElseThrow();
    DetachedSigner.append(pkg.file(), DetachedSigner.sign(new ByteArrayInputStream(Files.readAllBytes(pkg.file())), daveRing, newSub,
        PASSPHRASE.toCharArray(), yesterday).armored());
    gpgSigns(pkg, erin);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust(1, "Erin", erin, "Dave", dave), now());

    assertThat(r.signatures()).extracting(SignatureResult::status)
        .containsExactly(SignatureStatus.BAD_SIGNATURE, SignatureStatus.BAD_SIGNATURE, SignatureStatus.VALID);
    assertThat(r.signatures().get(0).detail()).startsWith("signature dated " + yesterday + ", before its key was created (");
    assertThat(r.signatures().get(1).detail()).isEqualTo("signature dated " + yesterday + ", before its key was created ("
        + Instant.ofEpochSecond(created(dave, daveNewSub)) + ")");
    assertThat(r.quorum().passed()).isTrue();
    assertThat(r.passed()).as("a signature that predates its key is tamper evidence").isFalse();
  }

  /** The package with only the first block of its package.yaml.asc. */
  private ApplyPackage withOnlyFirstSignature(ApplyPackage pkg) throws IOException {
    Path asc = IntegrityVerifier.signatureFileOf(pkg.file());
    String all = Files.readString(asc);
    String end = "-----END PGP SIGNATURE-----";
    Files.writeString(asc, all.substring(0, all.indexOf(end) + end.length()) + "\n");
    return TestPackages.load(dir.resolve("pkg"));
  }

  /** A signature of {@code type} by the ring's primary key, made with Bouncy Castle (gpg makes neither kind). */
  private static PGPSignature signatureOfType(PGPSecretKeyRing ring, int type, byte[] data) throws PGPException {
    PGPSecretKey key = ring.getSecretKey();
    PGPPrivateKey privateKey = key.extractPrivateKey(
        new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider()).build(PASSPHRASE.toCharArray()));
    PGPSignatureGenerator g = new PGPSignatureGenerator(
        new BcPGPContentSignerBuilder(key.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA512), key.getPublicKey());
    g.init(type, privateKey);
    PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
    hashed.setSignatureCreationTime(true, new Date());
    hashed.setIssuerFingerprint(false, key.getPublicKey());
    g.setHashedSubpackets(hashed.generate());
    if (type == PGPSignature.TIMESTAMP) {
      g.update(data);
    }
    return g.generate();
  }
}
