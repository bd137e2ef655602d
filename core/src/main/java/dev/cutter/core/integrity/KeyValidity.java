package dev.cutter.core.integrity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SignatureSubpacketTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * What a key's own (cryptographically verified) self-signatures say about one key of a ring:
 * whether it is revoked, when it expires (the earlier of its own and its primary's expiry),
 * whether it may sign data (key flag 0x02 when the self-signature carries key flags, else an
 * algorithm that can sign; a signing subkey also needs its primary-key binding back-signature),
 * and whether it or its primary is below today's minimum ({@link KeyStrength}). Unverifiable
 * self-signatures are ignored, never trusted.
 */
final class KeyValidity {

  /** The verdict on one key: {@code problem} is empty when the key is bound and usable at all. */
  record Assessment(
      Optional<String> userId,
      Instant createdAt,
      Optional<Instant> expiresAt,
      boolean revoked,
      boolean canSign,
      String weakness,
      String problem) {

    boolean expiredAt(Instant t) {
      return expiresAt.isPresent() && !t.isBefore(expiresAt.get());
    }
  }

  private static final BcPGPContentVerifierBuilderProvider VERIFIERS = new BcPGPContentVerifierBuilderProvider();

  private KeyValidity() {}

  static Assessment assess(PGPPublicKeyRing ring, PGPPublicKey key, Instant now) {
    PGPPublicKey primary = ring.getPublicKey();
    Optional<SelfSignature> primarySig = latestPrimarySelfSignature(primary, now);
    Instant created = key.getCreationTime().toInstant();
    if (primarySig.isEmpty()) {
      return new Assessment(Optional.empty(), created, Optional.empty(), false, false, "",
          "the key has no valid self-signature");
    }
    Optional<String> userId = primarySig.get().userId();
    Optional<Instant> primaryExpiry = expiry(primary, primarySig.get().signature());
    boolean revoked = hasVerifiedRevocation(primary, primary, PGPSignature.KEY_REVOCATION);
    String primaryWeakness = KeyStrength.weakness(primary).map(w -> "primary key: " + w).orElse("");
    if (key.getKeyID() == primary.getKeyID()) {
      return new Assessment(userId, created, primaryExpiry, revoked, canSignData(primarySig.get().signature(), primary),
          KeyStrength.weakness(primary).orElse(""), "");
    }
    Optional<PGPSignature> binding = latestSubkeyBinding(primary, key, now);
    if (binding.isEmpty()) {
      return new Assessment(userId, created, primaryExpiry, revoked, false, "", "the subkey is not bound to its primary key");
    }
    revoked |= hasVerifiedRevocation(primary, key, PGPSignature.SUBKEY_REVOCATION);
    Optional<Instant> expiry = earlier(primaryExpiry, expiry(key, binding.get()));
    boolean canSign = canSignData(binding.get(), key) && hasBackSignature(primary, key, binding.get());
    // A weak primary could bind a subkey of anyone's choosing: both must meet the minimum.
    String weakness = KeyStrength.weakness(key).map(w -> "signing subkey: " + w).orElse(primaryWeakness);
    return new Assessment(userId, created, expiry, revoked, canSign, weakness, "");
  }

  private record SelfSignature(PGPSignature signature, Optional<String> userId) {}

  /** The newest verified user-id certification (or direct-key signature) the primary made on itself. */
  private static Optional<SelfSignature> latestPrimarySelfSignature(PGPPublicKey primary, Instant now) {
    List<SelfSignature> found = new ArrayList<>();
    for (Iterator<String> ids = primary.getUserIDs(); ids.hasNext(); ) {
      String id = ids.next();
      for (Iterator<PGPSignature> sigs = primary.getSignaturesForID(id); sigs.hasNext(); ) {
        PGPSignature sig = sigs.next();
        if (sig.isCertification() && issuedBy(sig, primary) && notAfter(sig, now) && verifies(() -> {
              sig.init(VERIFIERS, primary);
              return sig.verifyCertification(id, primary);
            })) {
          found.add(new SelfSignature(sig, Optional.of(id)));
        }
      }
    }
    for (Iterator<PGPSignature> sigs = primary.getSignaturesOfType(PGPSignature.DIRECT_KEY); sigs.hasNext(); ) {
      PGPSignature sig = sigs.next();
      if (issuedBy(sig, primary) && notAfter(sig, now) && verifies(() -> {
            sig.init(VERIFIERS, primary);
            return sig.verifyCertification(primary);
          })) {
        found.add(new SelfSignature(sig, Optional.empty()));
      }
    }
    Optional<PGPSignature> latest = found.stream().map(SelfSignature::signature)
        .max((a, b) -> a.getCreationTime().compareTo(b.getCreationTime()));
    Optional<String> userId = found.stream().filter(KeyValidity::marksPrimaryUserId).map(SelfSignature::userId)
        .flatMap(Optional::stream).findFirst()
        .or(() -> found.stream().map(SelfSignature::userId).flatMap(Optional::stream).findFirst());
    return latest.map(sig -> new SelfSignature(sig, userId));
  }

  private static boolean marksPrimaryUserId(SelfSignature s) {
    return s.signature().getHashedSubPackets() != null && s.signature().getHashedSubPackets().isPrimaryUserID();
  }

  private static Optional<PGPSignature> latestSubkeyBinding(PGPPublicKey primary, PGPPublicKey subkey, Instant now) {
    PGPSignature latest = null;
    for (Iterator<PGPSignature> sigs = subkey.getSignaturesOfType(PGPSignature.SUBKEY_BINDING); sigs.hasNext(); ) {
      PGPSignature sig = sigs.next();
      if (issuedBy(sig, primary) && notAfter(sig, now) && verifies(() -> {
            sig.init(VERIFIERS, primary);
            return sig.verifyCertification(primary, subkey);
          }) && (latest == null || sig.getCreationTime().after(latest.getCreationTime()))) {
        latest = sig;
      }
    }
    return Optional.ofNullable(latest);
  }

  /** A signing subkey must sign its primary back (RFC 4880 5.2.1, 0x19), or anyone could claim it. */
  private static boolean hasBackSignature(PGPPublicKey primary, PGPPublicKey subkey, PGPSignature binding) {
    try {
      return anyBackSignature(binding.getHashedSubPackets(), primary, subkey)
          || anyBackSignature(binding.getUnhashedSubPackets(), primary, subkey);
    } catch (PGPException e) {
      return false;
    }
  }

  private static boolean anyBackSignature(PGPSignatureSubpacketVector packets, PGPPublicKey primary, PGPPublicKey subkey)
      throws PGPException {
    if (packets == null) {
      return false;
    }
    for (PGPSignature back : packets.getEmbeddedSignatures()) {
      if (back.getSignatureType() == PGPSignature.PRIMARYKEY_BINDING && verifies(() -> {
            back.init(VERIFIERS, subkey);
            return back.verifyCertification(primary, subkey);
          })) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasVerifiedRevocation(PGPPublicKey primary, PGPPublicKey key, int type) {
    for (Iterator<PGPSignature> sigs = key.getSignaturesOfType(type); sigs.hasNext(); ) {
      PGPSignature sig = sigs.next();
      if (issuedBy(sig, primary) && verifies(() -> {
            sig.init(VERIFIERS, primary);
            return type == PGPSignature.KEY_REVOCATION ? sig.verifyCertification(primary) : sig.verifyCertification(primary, key);
          })) {
        return true;
      }
    }
    return false;
  }

  /** Key flags decide when the self-signature carries them (RFC 4880 5.2.3.21); without them, whether the algorithm can sign. */
  private static boolean canSignData(PGPSignature selfSignature, PGPPublicKey key) {
    PGPSignatureSubpacketVector hashed = selfSignature.getHashedSubPackets();
    if (hashed != null && hashed.hasSubpacket(SignatureSubpacketTags.KEY_FLAGS)) {
      return (hashed.getKeyFlags() & KeyFlags.SIGN_DATA) != 0;
    }
    return switch (key.getAlgorithm()) {
      case PublicKeyAlgorithmTags.RSA_GENERAL, PublicKeyAlgorithmTags.RSA_SIGN, PublicKeyAlgorithmTags.DSA,
          PublicKeyAlgorithmTags.ECDSA, PublicKeyAlgorithmTags.EDDSA_LEGACY, PublicKeyAlgorithmTags.Ed25519,
          PublicKeyAlgorithmTags.Ed448 -> true;
      default -> false;
    };
  }

  private static Optional<Instant> expiry(PGPPublicKey key, PGPSignature selfSignature) {
    long seconds = selfSignature.getHashedSubPackets() == null ? 0 : selfSignature.getHashedSubPackets().getKeyExpirationTime();
    return seconds <= 0 ? Optional.empty() : Optional.of(key.getCreationTime().toInstant().plusSeconds(seconds));
  }

  private static Optional<Instant> earlier(Optional<Instant> a, Optional<Instant> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return Optional.of(a.get().isBefore(b.get()) ? a.get() : b.get());
  }

  static boolean issuedBy(PGPSignature sig, PGPPublicKey key) {
    return Keyring.names(sig, key);
  }

  private static boolean notAfter(PGPSignature sig, Instant now) {
    return !sig.getCreationTime().toInstant().isAfter(now);
  }

  /** A check that may throw: any failure to verify counts as "does not verify". */
  interface Check {
    boolean run() throws PGPException;
  }

  static boolean verifies(Check check) {
    try {
      return check.run();
    } catch (PGPException | RuntimeException e) {
      return false;
    }
  }
}
