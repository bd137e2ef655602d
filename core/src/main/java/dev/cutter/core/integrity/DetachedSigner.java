package dev.cutter.core.integrity;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.stream.StreamSupport;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/**
 * Makes armored detached signatures, as {@code gpg --armor --detach-sign} does, and appends
 * them to package.yaml.asc, one armored block per approver.
 */
public final class DetachedSigner {

  /** A secret key read from an armored file, still locked. */
  public record SecretKey(PGPSecretKeyRing ring) {
    public String fingerprint() {
      return Keyring.fingerprint(ring.getPublicKey());
    }
  }

  /** The signature made, armored, and who made it. */
  public record Signed(byte[] armored, String primaryFingerprint, String signingKeyFingerprint, String userId) {}

  private DetachedSigner() {}

  /** Reads an armored secret key (as {@code cutter keys generate} or {@code gpg --export-secret-keys --armor} writes). */
  public static SecretKey readSecretKey(byte[] armored, String source) {
    ArmorBlocks.Split split = ArmorBlocks.split(armored, "PGP PRIVATE KEY BLOCK");
    if (!split.clean() || split.blocks().size() != 1) {
      throw CutterException.invalid(source + ": expected one armored secret key (-----BEGIN PGP PRIVATE KEY BLOCK-----)"
          + (split.clean() ? "" : ": " + split.problem()));
    }
    try (InputStream in = new ArmoredInputStream(new ByteArrayInputStream(split.blocks().get(0).text()))) {
      return new SecretKey(new PGPSecretKeyRing(in, new BcKeyFingerprintCalculator()));
    } catch (IOException | PGPException | RuntimeException e) {
      throw CutterException.invalid(source + ": the secret key does not decode: " + e.getMessage());
    }
  }

  /**
   * Signs {@code data} with the key's newest usable signing subkey, or its primary key, unlocked
   * with {@code passphrase}. A key that is expired, revoked or cannot sign is refused (exit 2).
   */
  public static Signed sign(InputStream data, SecretKey secretKey, char[] passphrase, Instant signedAt) throws IOException {
    return sign(data, secretKey.ring(), passphrase, signedAt);
  }

  static Signed sign(InputStream data, PGPSecretKeyRing ring, char[] passphrase, Instant signedAt) throws IOException {
    PGPPublicKeyRing cert = ring.toCertificate();
    PGPSecretKey key = StreamSupport.stream(ring.spliterator(), false)
        .filter(k -> !k.isPrivateKeyEmpty() && usable(cert, k, signedAt))
        .max(Comparator.comparing((PGPSecretKey k) -> !k.isMasterKey()).thenComparing(k -> k.getPublicKey().getCreationTime()))
        .orElseThrow(() -> CutterException.invalid("key " + Keyring.fingerprint(ring.getPublicKey())
            + " has no usable signing key: " + whyUnusable(cert, signedAt)));
    return sign(data, ring, key, passphrase, signedAt);
  }

  /** Signs with exactly this (sub)key, usable or not: tests use it to make signatures that must be refused. */
  static Signed sign(InputStream data, PGPSecretKeyRing ring, PGPSecretKey key, char[] passphrase, Instant signedAt)
      throws IOException {
    PGPPrivateKey privateKey = unlock(ring, key, passphrase);
    try {
      PGPSignatureGenerator g = new PGPSignatureGenerator(
          new BcPGPContentSignerBuilder(key.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA512), key.getPublicKey());
      g.init(PGPSignature.BINARY_DOCUMENT, privateKey);
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      hashed.setSignatureCreationTime(true, Date.from(signedAt));
      hashed.setIssuerFingerprint(false, key.getPublicKey());
      g.setHashedSubpackets(hashed.generate());
      byte[] buf = new byte[1 << 16];
      for (int n; (n = data.read(buf)) > 0; ) {
        g.update(buf, 0, n);
      }
      PGPSignature sig = g.generate();
      KeyValidity.Assessment a = KeyValidity.assess(ring.toCertificate(), ring.getPublicKey(), signedAt);
      return new Signed(ApproverKeys.armored(sig::encode), Keyring.fingerprint(ring.getPublicKey()),
          Keyring.fingerprint(key.getPublicKey()), a.userId().orElse(""));
    } catch (PGPException e) {
      throw new CutterException(ExitCodes.INTERNAL, "signing failed: " + e.getMessage(), e);
    }
  }

  /** Appends an armored signature block to package.yaml.asc next to {@code packageYaml}, creating it if needed. */
  public static Path append(Path packageYaml, byte[] armoredSignature) throws IOException {
    Path asc = IntegrityVerifier.signatureFileOf(packageYaml);
    boolean needsNewline = Files.exists(asc) && Files.size(asc) > 0 && !endsWithNewline(asc);
    try (var out = Files.newOutputStream(asc, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      if (needsNewline) {
        out.write('\n');
      }
      out.write(armoredSignature);
    }
    return asc;
  }

  private static boolean endsWithNewline(Path file) throws IOException {
    try (var ch = Files.newByteChannel(file)) {
      ch.position(ch.size() - 1);
      ByteBuffer last = ByteBuffer.allocate(1);
      ch.read(last);
      return last.get(0) == '\n';
    }
  }

  private static PGPPrivateKey unlock(PGPSecretKeyRing ring, PGPSecretKey key, char[] passphrase) {
    try {
      return key.extractPrivateKey(new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider()).build(passphrase));
    } catch (PGPException e) {
      throw CutterException.invalid("the passphrase does not unlock the secret key " + Keyring.fingerprint(ring.getPublicKey()));
    }
  }

  private static boolean usable(PGPPublicKeyRing cert, PGPSecretKey key, Instant at) {
    KeyValidity.Assessment a = KeyValidity.assess(cert, cert.getPublicKey(key.getKeyID()), at);
    return a.problem().isEmpty() && !a.revoked() && !a.expiredAt(at) && a.canSign() && a.weakness().isEmpty();
  }

  private static String whyUnusable(PGPPublicKeyRing cert, Instant at) {
    KeyValidity.Assessment a = KeyValidity.assess(cert, cert.getPublicKey(), at);
    if (!a.problem().isEmpty()) {
      return a.problem();
    }
    if (a.revoked()) {
      return "it was revoked";
    }
    if (a.expiredAt(at)) {
      return "it expired at " + a.expiresAt().get();
    }
    if (!a.weakness().isEmpty()) {
      return a.weakness() + " (its signature would not count)";
    }
    return "no key with the sign flag";
  }
}
