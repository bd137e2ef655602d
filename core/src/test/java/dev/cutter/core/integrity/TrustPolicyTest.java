package dev.cutter.core.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustPolicyTest {

  static PGPSecretKeyRing alice;
  static PGPSecretKeyRing bob;

  @TempDir Path dir;

  @BeforeAll
  static void keys() {
    alice = TestKeys.approver("Alice");
    bob = TestKeys.approver("Bob");
  }

  private Path trustFile(String yaml) throws IOException {
    Files.createDirectories(dir.resolve("etc/keys"));
    Files.write(dir.resolve("etc/keys/approvers.asc"), TestKeys.armoredPublic(alice.toCertificate(), bob.toCertificate()));
    return Files.writeString(dir.resolve("etc/trust.yaml"), yaml);
  }

  private String diagnosticOf(Path trust) {
    return assertThatThrownBy(() -> TrustPolicy.load(trust)).isInstanceOf(InvalidInputException.class)
        .extracting(Throwable::getMessage).asString().actual();
  }

  @Test
  void resolvesARelativeKeyringAgainstTheTrustFilesDirectory() throws IOException {
    TrustPolicy p = TrustPolicy.load(trustFile("keyring: keys/approvers.asc\nrequire: 2\n"));

    assertThat(p.keyringFile()).isEqualTo(dir.resolve("etc/keys/approvers.asc").toAbsolutePath());
    assertThat(p.require()).isEqualTo(2);
    assertThat(p.keyring().fingerprints())
        .containsExactly(Keyring.fingerprint(alice.getPublicKey()), Keyring.fingerprint(bob.getPublicKey()));
  }

  @Test
  void namesTheFileLineAndColumnOfAnUnknownKey() throws IOException {
    Path trust = trustFile("keyring: keys/approvers.asc\nrequire: 1\n  # note\nrequires: 2\n");

    assertThat(diagnosticOf(trust)).isEqualTo(trust + ":4:1: unknown key 'requires' (expected keyring, require, allow_timeouts_off)");
  }

  @Test
  void refusesARequireThatIsNotAPositiveWholeNumber() throws IOException {
    Path trust = trustFile("keyring: keys/approvers.asc\nrequire: two\n");

    assertThat(diagnosticOf(trust)).isEqualTo(trust + ":2:10: require: expected a whole number of signers, at least 1, found 'two'");
  }

  @Test
  void refusesAQuorumTheKeyringCanNeverMeet() throws IOException {
    Path trust = trustFile("keyring: keys/approvers.asc\nrequire: 3\n");

    assertThat(diagnosticOf(trust)).startsWith(trust + ":2:10: require: 3 but the keyring").endsWith("holds 2 key(s): the quorum could never be met");
  }

  @Test
  void refusesAMissingKeyringFile() throws IOException {
    Path trust = trustFile("keyring: nowhere.asc\nrequire: 1\n");

    assertThat(diagnosticOf(trust)).startsWith(trust + ":1:10: keyring ").endsWith("nowhere.asc cannot be read (does not exist)");
  }

  @Test
  void refusesAKeyringThatIsNotArmoredPublicKeys() throws IOException {
    Path trust = trustFile("keyring: keys/approvers.asc\nrequire: 1\n");
    Files.writeString(dir.resolve("etc/keys/approvers.asc"), "just words\n");

    assertThat(diagnosticOf(trust)).contains(":1:10: keyring ").contains("unexpected text outside an armored block");
  }

  @Test
  void refusesMissingKeysAndBrokenYaml() throws IOException {
    assertThat(diagnosticOf(trustFile("keyring: keys/approvers.asc\n"))).endsWith(":1:1: missing key 'require' (how many distinct signers are needed)");
    assertThat(diagnosticOf(trustFile("keyring: [unclosed\n"))).contains(":2:1: not valid YAML");
    assertThat(diagnosticOf(trustFile("- keyring\n"))).endsWith(":1:1: expected a mapping with the keys keyring and require");
    assertThat(diagnosticOf(trustFile("require: 1\nkeyring: a.asc\nrequire: 2\n"))).endsWith(":3:1: duplicate key 'require'");
  }

  @Test
  void looksAtTheOptionThenTheEnvironmentThenTheDefault() throws IOException {
    Path option = trustFile("keyring: keys/approvers.asc\nrequire: 1\n");
    Path fromEnv = Files.copy(option, dir.resolve("etc/env-trust.yaml"));
    Path fallback = Files.copy(option, dir.resolve("etc/default-trust.yaml"));
    Map<String, String> env = Map.of("CUTTER_TRUST", fromEnv.toString());

    assertThat(TrustPolicy.locate(Optional.of(option), env, fallback).file()).contains(option);
    assertThat(TrustPolicy.locate(Optional.empty(), env, fallback).file()).contains(fromEnv);
    assertThat(TrustPolicy.locate(Optional.empty(), Map.of(), fallback).file()).contains(fallback);
  }

  @Test
  void saysWhereItLookedWhenThereIsNoPolicy() {
    TrustPolicy.Location none = TrustPolicy.locate(Optional.empty(), Map.of(), dir.resolve("absent.yaml"));

    assertThat(none.file()).isEmpty();
    assertThat(none.describeSearch()).isEqualTo("no trust policy found (looked at: --trust (not given); $CUTTER_TRUST (not set); "
        + dir.resolve("absent.yaml") + " (does not exist))");
  }
}
