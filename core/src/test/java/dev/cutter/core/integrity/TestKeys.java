package dev.cutter.core.integrity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.bcpg.sig.RevocationReasonTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/** Approver keys for tests, good and deliberately broken, and the files a trust policy needs. */
final class TestKeys {

  static final String PASSPHRASE = "test passphrase 7f3a";
  static final Instant NOW = Instant.parse("2026-05-18T05:00:00Z");
  static final Instant LAST_YEAR = NOW.minusSeconds(365L * 86400);

  private TestKeys() {}

  static PGPSecretKeyRing approver(String name) {
    return ApproverKeys.generateRing(ApproverKeys.Spec.approver(userId(name), LAST_YEAR, Optional.empty()), PASSPHRASE.toCharArray());
  }

  static PGPSecretKeyRing expiring(String name, Instant createdAt, Instant expiresAt) {
    return ApproverKeys.generateRing(ApproverKeys.Spec.approver(userId(name), createdAt, Optional.of(expiresAt)), PASSPHRASE.toCharArray());
  }

  static PGPSecretKeyRing certifyOnly(String name) {
    return ApproverKeys.generateRing(
        new ApproverKeys.Spec(userId(name), LAST_YEAR, Optional.empty(), KeyFlags.CERTIFY_OTHER, 0, true), PASSPHRASE.toCharArray());
  }

  static PGPSecretKeyRing withSigningSubkeys(String name, int subkeys, boolean backSignatures) {
    return ApproverKeys.generateRing(
        new ApproverKeys.Spec(userId(name), LAST_YEAR, Optional.empty(), KeyFlags.CERTIFY_OTHER, subkeys, backSignatures),
        PASSPHRASE.toCharArray());
  }

  static String userId(String name) {
    return name + " <" + name.toLowerCase() + "@example.org>";
  }

  /** The certificate with a key revocation signature made by the key itself. */
  static PGPPublicKeyRing revoked(PGPSecretKeyRing ring) {
    try {
      PGPPublicKey primary = ring.getPublicKey();
      PGPSignatureGenerator g = new PGPSignatureGenerator(
          new BcPGPContentSignerBuilder(primary.getAlgorithm(), HashAlgorithmTags.SHA512), primary);
      g.init(PGPSignature.KEY_REVOCATION, privateKey(ring.getSecretKey()));
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      hashed.setSignatureCreationTime(true, Date.from(NOW.minusSeconds(3600)));
      hashed.setRevocationReason(false, RevocationReasonTags.KEY_COMPROMISED, "test");
      g.setHashedSubpackets(hashed.generate());
      PGPSignature revocation = g.generateCertification(primary);
      return PGPPublicKeyRing.insertPublicKey(ring.toCertificate(), PGPPublicKey.addCertification(primary, revocation));
    } catch (PGPException e) {
      throw new IllegalStateException(e);
    }
  }

  static PGPPrivateKey privateKey(PGPSecretKey key) throws PGPException {
    return key.extractPrivateKey(new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider()).build(PASSPHRASE.toCharArray()));
  }

  /** Signing subkeys of the ring, oldest first. */
  static List<PGPSecretKey> signingSubkeys(PGPSecretKeyRing ring) {
    List<PGPSecretKey> keys = new ArrayList<>();
    StreamSupport.stream(ring.spliterator(), false)
        .filter(k -> !k.isMasterKey() && !k.getPublicKey().isEncryptionKey()).forEach(keys::add);
    return keys;
  }

  /** An armored detached signature over the file, made with the ring's default signing key at {@code at}. */
  static byte[] sign(Path file, PGPSecretKeyRing ring, Instant at) {
    try (var in = Files.newInputStream(file)) {
      return DetachedSigner.sign(in, ring, PASSPHRASE.toCharArray(), at).armored();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** As {@link #sign} but with exactly this (sub)key, usable or not. */
  static byte[] signWith(Path file, PGPSecretKeyRing ring, PGPSecretKey key, Instant at) {
    try {
      return DetachedSigner.sign(new ByteArrayInputStream(Files.readAllBytes(file)), ring, key, PASSPHRASE.toCharArray(), at).armored();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] armoredPublic(PGPPublicKeyRing... rings) {
    try {
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
      for (PGPPublicKeyRing r : rings) {
        all.write(ApproverKeys.armored(out -> r.encode(out, true)));
      }
      return all.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes approvers.asc and a trust.yaml naming each approver with their keys ({@code approvers}
   * maps a name to the key rings they hold) into {@code dir}, and loads the policy.
   */
  static TrustPolicy trustWithApprovers(Path dir, int require, java.util.Map<String, List<PGPPublicKeyRing>> approvers) {
    StringBuilder yaml = new StringBuilder("keyring: approvers.asc\nrequire: " + require + "\napprovers:\n");
    List<PGPPublicKeyRing> all = new ArrayList<>();
    approvers.forEach((name, rings) -> {
      yaml.append("  - name: ").append(name).append("\n    keys:\n");
      rings.forEach(r -> yaml.append("      - ").append(Keyring.fingerprint(r.getPublicKey())).append('\n'));
      all.addAll(rings);
    });
    try {
      Files.write(dir.resolve("approvers.asc"), armoredPublic(all.toArray(PGPPublicKeyRing[]::new)));
      return TrustPolicy.load(Files.writeString(dir.resolve("trust.yaml"), yaml));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes keyring.asc and trust.yaml into {@code dir} and loads the policy. */
  static TrustPolicy trust(Path dir, int require, PGPPublicKeyRing... rings) {
    try {
      Files.write(dir.resolve("approvers.asc"), armoredPublic(rings));
      Path trust = Files.writeString(dir.resolve("trust.yaml"), "keyring: approvers.asc\nrequire: " + require + "\n");
      return TrustPolicy.load(trust);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
