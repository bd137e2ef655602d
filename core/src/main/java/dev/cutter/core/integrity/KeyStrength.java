package dev.cutter.core.integrity;

import java.util.Map;
import java.util.Optional;
import org.bouncycastle.bcpg.BCPGKey;
import org.bouncycastle.bcpg.ECPublicBCPGKey;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPPublicKey;

/**
 * Today's minimum for a key whose signature counts (docs/signing.md): RSA and DSA of at least
 * 2048 bits; ECDSA on NIST P-256, P-384, P-521 or brainpool P-256, P-384, P-512 (the curves of
 * the OpenPGP standard, RFC 9580 section 9.2); EdDSA on Ed25519 or Ed448. ElGamal never signs;
 * secp256k1 and any other curve are refused.
 */
final class KeyStrength {

  static final int MIN_RSA_DSA_BITS = 2048;

  /** Curve OIDs a signing key may use, with the names printed for them. */
  private static final Map<String, String> ECDSA_CURVES = Map.of(
      "1.2.840.10045.3.1.7", "NIST P-256",
      "1.3.132.0.34", "NIST P-384",
      "1.3.132.0.35", "NIST P-521",
      "1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1",
      "1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1",
      "1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1");

  private static final Map<String, String> EDDSA_CURVES = Map.of(
      "1.3.6.1.4.1.11591.15.1", "Ed25519", // the OID gpg writes for legacy EdDSA keys
      "1.3.101.112", "Ed25519",
      "1.3.101.113", "Ed448");

  /** Names of curves that are refused but worth naming in the message. */
  private static final Map<String, String> KNOWN_REFUSED = Map.of(
      "1.3.132.0.10", "secp256k1",
      "1.3.6.1.4.1.3029.1.5.1", "Curve25519 (an encryption curve)");

  private KeyStrength() {}

  /** Why this key is below the minimum, or empty when it is strong enough to sign. */
  static Optional<String> weakness(PGPPublicKey key) {
    int algorithm = key.getAlgorithm();
    switch (algorithm) {
      case PublicKeyAlgorithmTags.RSA_GENERAL, PublicKeyAlgorithmTags.RSA_SIGN, PublicKeyAlgorithmTags.DSA -> {
        int bits = key.getBitStrength();
        String name = algorithm == PublicKeyAlgorithmTags.DSA ? "DSA" : "RSA";
        return bits < MIN_RSA_DSA_BITS
            ? Optional.of(name + " key of " + bits + " bits: at least " + MIN_RSA_DSA_BITS + " are required")
            : Optional.empty();
      }
      case PublicKeyAlgorithmTags.ECDSA -> {
        return curve(key).filter(ECDSA_CURVES::containsKey).isPresent() ? Optional.empty()
            : Optional.of("ECDSA key on " + curveName(key) + ": only NIST P-256/384/521 and brainpool P-256/384/512 are accepted");
      }
      case PublicKeyAlgorithmTags.EDDSA_LEGACY -> {
        return curve(key).filter(EDDSA_CURVES::containsKey).isPresent() ? Optional.empty()
            : Optional.of("EdDSA key on " + curveName(key) + ": only Ed25519 and Ed448 are accepted");
      }
      case PublicKeyAlgorithmTags.Ed25519, PublicKeyAlgorithmTags.Ed448 -> {
        return Optional.empty();
      }
      case PublicKeyAlgorithmTags.ELGAMAL_GENERAL, PublicKeyAlgorithmTags.ELGAMAL_ENCRYPT -> {
        return Optional.of("ElGamal key: ElGamal signatures are not accepted");
      }
      default -> {
        return Optional.of("public-key algorithm " + algorithm + " cannot make an accepted signature");
      }
    }
  }

  private static Optional<String> curve(PGPPublicKey key) {
    BCPGKey k = key.getPublicKeyPacket().getKey();
    return k instanceof ECPublicBCPGKey ec && ec.getCurveOID() != null ? Optional.of(ec.getCurveOID().getId()) : Optional.empty();
  }

  private static String curveName(PGPPublicKey key) {
    return curve(key).map(oid -> ECDSA_CURVES.getOrDefault(oid, EDDSA_CURVES.getOrDefault(oid,
        KNOWN_REFUSED.getOrDefault(oid, "the curve " + oid)))).orElse("an unknown curve");
  }
}
