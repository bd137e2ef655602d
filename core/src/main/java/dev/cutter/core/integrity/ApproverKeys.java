package dev.cutter.core.integrity;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Optional;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.Features;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.PGPKeyPairGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPairGeneratorProvider;

/**
 * Makes approver key pairs: OpenPGP v4, an Ed25519 primary key that certifies and signs, and an
 * X25519 encryption subkey, in the "legacy" EdDSA/ECDH encodings that gpg 2.2 reads. The
 * secret key is protected with the passphrase (AES-256, iterated and salted S2K).
 */
public final class ApproverKeys {

  /** A new key pair, armored. The secret key is encrypted with the passphrase it was made with. */
  public record Generated(String fingerprint, String userId, byte[] armoredPublicKey, byte[] armoredSecretKey) {}

  /**
   * What to generate. Production uses {@link #generate}; tests also make keys that must be
   * refused: a primary without the sign flag, signing subkeys, or subkeys without back-signature.
   */
  record Spec(
      String userId,
      Instant createdAt,
      Optional<Instant> expiresAt,
      int primaryFlags,
      int signingSubkeys,
      boolean backSignatures) {

    static Spec approver(String userId, Instant createdAt, Optional<Instant> expiresAt) {
      return new Spec(userId, createdAt, expiresAt, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA, 0, true);
    }
  }

  /** S2K iteration count byte: 0xE0 hashes 16 MiB per unlock (RFC 4880 3.7.1.3). */
  private static final int S2K_COUNT = 0xE0;

  private static final SecureRandom RANDOM = new SecureRandom();

  private ApproverKeys() {}

  /**
   * Generates an approver key for {@code userId} (e.g. {@code Jane Roe <jane@example.org>})
   * created at {@code createdAt}, expiring at {@code expiresAt} when given.
   */
  public static Generated generate(String userId, char[] passphrase, Instant createdAt, Optional<Instant> expiresAt) {
    return generate(Spec.approver(userId, createdAt, expiresAt), passphrase);
  }

  static Generated generate(Spec spec, char[] passphrase) {
    return armor(generateRing(spec, passphrase), spec.userId());
  }

  static PGPSecretKeyRing generateRing(Spec spec, char[] passphrase) {
    if (spec.userId().isBlank()) {
      throw new IllegalArgumentException("the user id must not be blank");
    }
    Instant created = spec.createdAt().truncatedTo(ChronoUnit.SECONDS);
    Optional<Long> validSeconds = spec.expiresAt().map(e -> {
      long s = e.getEpochSecond() - created.getEpochSecond();
      if (s <= 0) {
        throw new IllegalArgumentException("the expiry " + e + " is not after the creation time " + created);
      }
      return s;
    });
    try {
      PGPKeyPairGenerator pairs = new BcPGPKeyPairGeneratorProvider().setSecureRandom(RANDOM)
          .get(PublicKeyPacket.VERSION_4, Date.from(created));
      PGPKeyPair primary = pairs.generateLegacyEd25519KeyPair();
      PGPDigestCalculator sha1 = new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1);
      PGPKeyRingGenerator rings = new PGPKeyRingGenerator(
          PGPSignature.POSITIVE_CERTIFICATION,
          primary,
          spec.userId(),
          sha1,
          primarySubpackets(spec.primaryFlags(), created, validSeconds).generate(),
          null,
          signerFor(primary),
          new BcPBESecretKeyEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256, sha1, S2K_COUNT)
              .setSecureRandom(RANDOM).build(passphrase));
      PGPKeyPair encryption = pairs.generateLegacyX25519KeyPair();
      rings.addSubKey(encryption, flags(KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE, created, validSeconds).generate(), null);
      for (int i = 0; i < spec.signingSubkeys(); i++) {
        PGPKeyPair signing = pairs.generateLegacyEd25519KeyPair();
        PGPSignatureSubpacketGenerator hashed = flags(KeyFlags.SIGN_DATA, created, validSeconds);
        if (spec.backSignatures()) {
          hashed.setEmbeddedSignature(false, backSignature(primary, signing, created));
        }
        rings.addSubKey(signing, hashed.generate(), null);
      }
      return rings.generateSecretKeyRing();
    } catch (PGPException | IOException e) {
      throw new IllegalStateException("key generation failed: " + e.getMessage(), e);
    }
  }

  private static PGPSignatureSubpacketGenerator primarySubpackets(int keyFlags, Instant created, Optional<Long> validSeconds) {
    PGPSignatureSubpacketGenerator g = flags(keyFlags, created, validSeconds);
    g.setPrimaryUserID(false, true);
    g.setPreferredHashAlgorithms(false, new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA384, HashAlgorithmTags.SHA256});
    g.setPreferredSymmetricAlgorithms(false, new int[] {
      SymmetricKeyAlgorithmTags.AES_256, SymmetricKeyAlgorithmTags.AES_192, SymmetricKeyAlgorithmTags.AES_128});
    g.setPreferredCompressionAlgorithms(false, new int[] {CompressionAlgorithmTags.UNCOMPRESSED, CompressionAlgorithmTags.ZLIB});
    g.setFeature(false, Features.FEATURE_MODIFICATION_DETECTION);
    return g;
  }

  /** Self-signatures are dated with the key's creation time, so that a key made "in the past" is consistent. */
  private static PGPSignatureSubpacketGenerator flags(int keyFlags, Instant created, Optional<Long> validSeconds) {
    PGPSignatureSubpacketGenerator g = new PGPSignatureSubpacketGenerator();
    g.setSignatureCreationTime(true, Date.from(created));
    g.setKeyFlags(true, keyFlags);
    validSeconds.ifPresent(s -> g.setKeyExpirationTime(false, s));
    return g;
  }

  /** The subkey's signature over its primary (0x19), which makes a signing subkey usable. */
  private static PGPSignature backSignature(PGPKeyPair primary, PGPKeyPair subkey, Instant created) throws PGPException {
    PGPSignatureGenerator g = new PGPSignatureGenerator(signerFor(subkey), subkey.getPublicKey());
    g.init(PGPSignature.PRIMARYKEY_BINDING, subkey.getPrivateKey());
    PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
    hashed.setSignatureCreationTime(true, Date.from(created));
    g.setHashedSubpackets(hashed.generate());
    return g.generateCertification(primary.getPublicKey(), subkey.getPublicKey());
  }

  static BcPGPContentSignerBuilder signerFor(PGPKeyPair pair) {
    return new BcPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA512);
  }

  static Generated armor(PGPSecretKeyRing ring, String userId) {
    try {
      return new Generated(Keyring.fingerprint(ring.getPublicKey()), userId,
          armored(out -> ring.toCertificate().encode(out, true)), armored(ring::encode));
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode the key: " + e.getMessage(), e);
    }
  }

  interface Encoder {
    void encode(OutputStream out) throws IOException;
  }

  static byte[] armored(Encoder encoder) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ArmoredOutputStream out = ArmoredOutputStream.builder().clearHeaders().build(bytes)) {
      encoder.encode(out);
    }
    return bytes.toByteArray();
  }
}
