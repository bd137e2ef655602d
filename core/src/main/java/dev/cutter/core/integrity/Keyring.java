package dev.cutter.core.integrity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.KeyIdentifier;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.bc.BcPGPPublicKeyRingCollection;

/** The approvers' public keys: one or more armored public key blocks, as {@code gpg --export --armor} writes. */
public final class Keyring {

  /** A key of the keyring that a signature names, with the ring (certificate) it belongs to. */
  record Match(PGPPublicKeyRing ring, PGPPublicKey key) {}

  private final List<PGPPublicKeyRing> rings;

  Keyring(List<PGPPublicKeyRing> rings) {
    this.rings = List.copyOf(rings);
  }

  /**
   * Reads armored public keys. Throws {@link IllegalArgumentException} with the reason when the
   * content is not purely armored public key blocks or a block does not decode.
   */
  public static Keyring parse(byte[] armored) {
    ArmorBlocks.Split split = ArmorBlocks.split(armored, "PGP PUBLIC KEY BLOCK");
    if (!split.clean()) {
      throw new IllegalArgumentException(split.problem());
    }
    List<PGPPublicKeyRing> rings = new ArrayList<>();
    for (ArmorBlocks.Block block : split.blocks()) {
      try (ArmoredInputStream in = new ArmoredInputStream(new ByteArrayInputStream(block.text()))) {
        new BcPGPPublicKeyRingCollection(in).forEach(rings::add);
      } catch (IOException | PGPException | RuntimeException e) {
        throw new IllegalArgumentException("line " + block.line() + ": public key block does not decode: " + e.getMessage(), e);
      }
    }
    return new Keyring(rings);
  }

  /** One certificate: its primary fingerprint and every user id it carries (verified or not, for telling people apart). */
  record Certificate(String fingerprint, List<String> userIds) {}

  /** The certificates, in file order. */
  List<Certificate> certificates() {
    List<Certificate> out = new ArrayList<>();
    for (PGPPublicKeyRing r : rings) {
      List<String> ids = new ArrayList<>();
      r.getPublicKey().getUserIDs().forEachRemaining(ids::add);
      out.add(new Certificate(fingerprint(r.getPublicKey()), ids));
    }
    return out;
  }

  /** Number of certificates (primary keys) in the keyring. */
  public int size() {
    return rings.size();
  }

  /** Primary fingerprints, upper-case hex, in file order. */
  public List<String> fingerprints() {
    return rings.stream().map(r -> fingerprint(r.getPublicKey())).toList();
  }

  /** The key (primary or subkey) that made the signature, if the keyring holds it. */
  Optional<Match> find(PGPSignature sig) {
    for (PGPPublicKeyRing ring : rings) {
      for (PGPPublicKey key : ring) {
        if (names(sig, key)) {
          return Optional.of(new Match(ring, key));
        }
      }
    }
    return Optional.empty();
  }

  /** Does the signature name this key as its issuer (by fingerprint when given, else by key id)? */
  static boolean names(PGPSignature sig, PGPPublicKey key) {
    for (KeyIdentifier id : sig.getKeyIdentifiers()) {
      if (id.isWildcard()) {
        continue;
      }
      boolean matches = id.getFingerprint() != null
          ? Arrays.equals(id.getFingerprint(), key.getFingerprint())
          : id.getKeyId() == key.getKeyID();
      if (matches) {
        return true;
      }
    }
    return false;
  }

  /** The issuer as the signature names it, for a signature whose key is unknown. */
  static String issuer(PGPSignature sig) {
    for (KeyIdentifier id : sig.getKeyIdentifiers()) {
      if (id.getFingerprint() != null) {
        return hex(id.getFingerprint());
      }
    }
    return sig.getKeyIdentifiers().stream().filter(id -> !id.isWildcard()).findFirst()
        .map(id -> String.format(Locale.ROOT, "%016X", id.getKeyId())).orElse("(no issuer)");
  }

  static String fingerprint(PGPPublicKey key) {
    return hex(key.getFingerprint());
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().withUpperCase().formatHex(bytes);
  }
}
