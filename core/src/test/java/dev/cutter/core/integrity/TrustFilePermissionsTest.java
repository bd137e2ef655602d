package dev.cutter.core.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whoever can write the trust policy or its keyring can approve: such files must be their owner's alone. */
class TrustFilePermissionsTest {

  static PGPSecretKeyRing alice;

  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    alice = TestKeys.approver("Alice");
  }

  private Path trustFile() throws IOException {
    Files.write(dir.resolve("approvers.asc"), TestKeys.armoredPublic(alice.toCertificate()));
    return Files.writeString(dir.resolve("trust.yaml"), "keyring: approvers.asc\nrequire: 1\n");
  }

  @Test
  void aWorldWritableTrustPolicyIsRefused() throws IOException {
    Path trust = trustFile();
    Files.setPosixFilePermissions(trust, PosixFilePermissions.fromString("rw-rw-rw-"));

    assertThatThrownBy(() -> TrustPolicy.load(trust)).isInstanceOf(InvalidInputException.class)
        .hasMessage(trust + ": trust policy refused: writable by others (mode rw-rw-rw-); run chmod go-w on it");
  }

  @Test
  void aGroupWritableKeyringIsRefused() throws IOException {
    Path trust = trustFile();
    Files.setPosixFilePermissions(dir.resolve("approvers.asc"), PosixFilePermissions.fromString("rw-rw-r--"));

    assertThatThrownBy(() -> TrustPolicy.load(trust)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(trust + ":1:10: keyring ").hasMessageContaining("refused: writable by its group");
  }

  @Test
  void filesOnlyTheirOwnerCanWriteAreRead() throws IOException {
    Path trust = trustFile();
    Files.setPosixFilePermissions(trust, PosixFilePermissions.fromString("rw-r--r--"));

    assertThat(TrustPolicy.load(trust).require()).isEqualTo(1);
  }
}
