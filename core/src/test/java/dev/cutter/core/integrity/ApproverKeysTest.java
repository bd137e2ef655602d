package dev.cutter.core.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.CutterException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ApproverKeysTest {

  static ApproverKeys.Generated key;
  static PGPSecretKeyRing ring;

  @BeforeAll
  static void generate() {
    key = ApproverKeys.generate("Jane Roe <jane@example.org>", TestKeys.PASSPHRASE.toCharArray(),
        TestKeys.NOW, Optional.of(TestKeys.NOW.plusSeconds(86400 * 30)));
    ring = DetachedSigner.readSecretKey(key.armoredSecretKey(), "secret.asc").ring();
  }

  @Test
  void makesAV4Ed25519PrimaryWithAnX25519EncryptionSubkey() {
    var keys = ring.getPublicKeys();
    var primary = keys.next();
    var subkey = keys.next();

    assertThat(keys.hasNext()).isFalse();
    assertThat(primary.getVersion()).isEqualTo(4);
    assertThat(primary.getAlgorithm()).isEqualTo(PublicKeyAlgorithmTags.EDDSA_LEGACY);
    assertThat(subkey.getAlgorithm()).isEqualTo(PublicKeyAlgorithmTags.ECDH);
    assertThat(subkey.isEncryptionKey()).isTrue();
    assertThat(key.fingerprint()).isEqualTo(Keyring.fingerprint(primary)).hasSize(40);
    KeyValidity.Assessment a = KeyValidity.assess(ring.toCertificate(), primary, TestKeys.NOW.plusSeconds(60));
    assertThat(a.canSign()).isTrue();
    assertThat(a.userId()).contains("Jane Roe <jane@example.org>");
    assertThat(a.expiresAt()).contains(TestKeys.NOW.plusSeconds(86400 * 30));
  }

  @Test
  void protectsEverySecretKeyWithThePassphrase() {
    for (PGPSecretKey k : ring) {
      assertThat(k.getKeyEncryptionAlgorithm()).as("AES-256").isEqualTo(SymmetricKeyAlgorithmTags.AES_256);
    }
    String armored = new String(key.armoredSecretKey(), StandardCharsets.US_ASCII);
    assertThat(armored).startsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----").doesNotContain(TestKeys.PASSPHRASE);
    assertThat(new String(key.armoredPublicKey(), StandardCharsets.US_ASCII)).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
  }

  @Test
  void refusesAWrongPassphraseWithoutEchoingIt() {
    assertThatThrownBy(() -> DetachedSigner.sign(new ByteArrayInputStream(new byte[1]), ring, "wrong guess".toCharArray(), TestKeys.NOW))
        .isInstanceOf(CutterException.class)
        .hasMessage("the passphrase does not unlock the secret key " + key.fingerprint())
        .hasMessageNotContaining("wrong guess");
  }

  @Test
  void refusesToSignWithAnExpiredKey() {
    Instant later = TestKeys.NOW.plusSeconds(86400 * 31);

    assertThatThrownBy(() -> DetachedSigner.sign(new ByteArrayInputStream(new byte[1]), ring, TestKeys.PASSPHRASE.toCharArray(), later))
        .isInstanceOf(CutterException.class)
        .hasMessageContaining("has no usable signing key: it expired at " + TestKeys.NOW.plusSeconds(86400 * 30));
  }
}
