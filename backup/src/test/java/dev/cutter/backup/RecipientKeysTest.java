package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.backup.RecipientKeys.Recipient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipientKeysTest {

  @TempDir Path tmp;

  @Test
  void expandsVariablesOnlyFromTheGivenEnvironment() throws Exception {
    assertThat(RecipientKeys.expand(List.of("${A}", "pre-${B}-post", "LITERAL"), Map.of("A", "1", "B", "2")))
        .containsExactly("1", "pre-2-post", "LITERAL");
  }

  @Test
  void namesTheUnsetVariable() {
    assertThatThrownBy(() -> RecipientKeys.expand(List.of("${SET}", "${MISSING_FPR}"), Map.of("SET", "x")))
        .isInstanceOf(RecipientKeys.UnsetVariableException.class)
        .hasMessageContaining("${MISSING_FPR}")
        .satisfies(e -> assertThat(((RecipientKeys.UnsetVariableException) e).variable()).isEqualTo("MISSING_FPR"));
  }

  @Test
  void treatsAnEmptyVariableAsUnset() {
    assertThatThrownBy(() -> RecipientKeys.expand(List.of("${EMPTY}"), Map.of("EMPTY", " ")))
        .isInstanceOf(RecipientKeys.UnsetVariableException.class);
  }

  @Test
  void normalizesFingerprintsAndRejectsShortIds() {
    assertThat(RecipientKeys.normalize("0xabcd ef01 2345 6789 ABCD  EF01 2345 6789 abcd ef01"))
        .contains("ABCDEF0123456789ABCDEF0123456789ABCDEF01");
    assertThat(RecipientKeys.normalize("ABCDEF0123456789")).as("a long key id is not a fingerprint").isEmpty();
    assertThat(RecipientKeys.normalize("not hex at all, forty characters long...")).isEmpty();
  }

  @Test
  void prefersTheKeyboxThenTheLegacyKeyringInGnupgHome() throws Exception {
    Path home = Files.createDirectory(tmp.resolve("g"));
    assertThat(RecipientKeys.keySource(Optional.empty(), Map.of("GNUPGHOME", home.toString())))
        .isEqualTo(home.resolve("pubring.gpg"));
    Files.createFile(home.resolve("pubring.kbx"));
    assertThat(RecipientKeys.keySource(Optional.empty(), Map.of("GNUPGHOME", home.toString())))
        .isEqualTo(home.resolve("pubring.kbx"));
    assertThat(RecipientKeys.keySource(Optional.empty(), Map.of("HOME", tmp.toString())))
        .isEqualTo(tmp.resolve(".gnupg/pubring.gpg"));
    assertThat(RecipientKeys.keySource(Optional.of(tmp.resolve("k.asc")), Map.of("GNUPGHOME", home.toString())))
        .as("the package's key file wins").isEqualTo(tmp.resolve("k.asc"));
  }

  @Test
  void reportsAMissingKeyFileForEveryRecipient() {
    List<Recipient> r = RecipientKeys.resolve(List.of("ABCDEF0123456789ABCDEF0123456789ABCDEF01"),
        Optional.of(tmp.resolve("absent.asc")), Map.of(), new Date());
    assertThat(r).singleElement().satisfies(x -> {
      assertThat(x.usable()).isFalse();
      assertThat(x.problem()).contains("absent.asc").contains("no such file");
    });
  }

  @Test
  void gpgKeysAreCheckedForExpiryAndRevocationInAnArmoredFile() throws Exception {
    try (GpgSupport gpg = new GpgSupport(tmp)) {
      String good = gpg.generateEncryptionKey("Good <good@example.invalid>");
      String shortLived = gpg.generate("Brief <brief@example.invalid>", "rsa2048", "encr,sign,cert", "seconds=1");
      String revoked = gpg.generateEncryptionKey("Gone <gone@example.invalid>");
      gpg.revoke(revoked);
      Path file = tmp.resolve("keys.asc");
      Files.writeString(file, gpg.exportArmored(good) + gpg.exportArmored(shortLived) + gpg.exportArmored(revoked));
      Thread.sleep(2100);

      List<Recipient> r = RecipientKeys.resolve(List.of(good, shortLived, revoked), Optional.of(file), Map.of(),
          new Date());

      assertThat(r.get(0).usable()).as(String.valueOf(r.get(0).problem())).isTrue();
      assertThat(r.get(0).encryptionKeyFingerprint()).as("the cv25519 subkey, not the signing primary").isNotEqualTo(good);
      assertThat(r.get(1).usable()).isFalse();
      assertThat(r.get(1).problem()).contains(shortLived).contains("expired");
      assertThat(r.get(2).usable()).isFalse();
      assertThat(r.get(2).problem()).isEqualTo("key " + revoked + " is revoked");
    }
  }
}
