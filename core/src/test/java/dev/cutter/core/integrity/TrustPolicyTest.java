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
  void privilegedLoginIsRefusedUnlessThePolicySaysTrue() throws IOException {
    assertThat(TrustPolicy.load(trustFile("keyring: keys/approvers.asc\nrequire: 1\n")).allowPrivilegedLogin()).isFalse();
    assertThat(TrustPolicy.load(trustFile("keyring: keys/approvers.asc\nrequire: 1\nallow_privileged_login: true\n"))
        .allowPrivilegedLogin()).isTrue();
    Path yes = trustFile("keyring: keys/approvers.asc\nrequire: 1\nallow_privileged_login: yes\n");
    assertThat(diagnosticOf(yes)).isEqualTo(yes + ":3:25: allow_privileged_login: expected true or false, found 'yes'");
  }

  @Test
  void namesTheFileLineAndColumnOfAnUnknownKey() throws IOException {
    Path trust = trustFile("keyring: keys/approvers.asc\nrequire: 1\n  # note\nrequires: 2\n");

    assertThat(diagnosticOf(trust)).isEqualTo(trust + ":4:1: unknown key 'requires' (expected keyring, require, approvers,"
        + " tls, allow_privileged_login, allow_timeouts_off, lint, pg_dump_via, pg_dump_host, pg_dump_port)");
  }

  @Test
  void refusesARequireThatIsNotAPositiveWholeNumber() throws IOException {
    Path trust = trustFile("keyring: keys/approvers.asc\nrequire: two\n");

    assertThat(diagnosticOf(trust)).isEqualTo(trust + ":2:10: require: expected a whole number of approvers, at least 1, found 'two'");
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
    assertThat(diagnosticOf(trustFile("keyring: keys/approvers.asc\n"))).endsWith(":1:1: missing key 'require' (how many distinct approvers are needed)");
    assertThat(diagnosticOf(trustFile("keyring: [unclosed\n"))).contains(":2:1: not valid YAML");
    assertThat(diagnosticOf(trustFile("- keyring\n"))).endsWith(":1:1: expected a mapping with the keys keyring, require and approvers");
    assertThat(diagnosticOf(trustFile("require: 1\nkeyring: a.asc\nrequire: 2\n"))).endsWith(":3:1: duplicate key 'require'");
  }

  private String fpr(PGPSecretKeyRing ring) {
    return Keyring.fingerprint(ring.getPublicKey());
  }

  @Test
  void readsApproversEachWithTheirKeys() throws IOException {
    TrustPolicy p = TrustPolicy.load(trustFile("keyring: keys/approvers.asc\nrequire: 1\napprovers:\n"
        + "  - name: Alice\n    keys: [ \"" + fpr(alice).replaceAll("(.{4})", "$1 ").strip() + "\" ]\n"
        + "  - name: Bob\n    keys:\n      - " + fpr(bob).toLowerCase() + "\n"));

    assertThat(p.derived()).isFalse();
    assertThat(p.approvers()).extracting(TrustPolicy.Approver::name).containsExactly("Alice", "Bob");
    assertThat(p.approverOf(fpr(alice))).map(TrustPolicy.Approver::name).contains("Alice");
    assertThat(p.approverOf(fpr(bob))).map(TrustPolicy.Approver::name).contains("Bob");
  }

  @Test
  void refusesApproverListsThatCouldMiscount() throws IOException {
    String head = "keyring: keys/approvers.asc\nrequire: 1\napprovers:\n";
    assertThat(diagnosticOf(trustFile(head + "  - name: Alice\n    keys: [" + fpr(alice) + "]\n  - name: Bob\n    keys: [" + fpr(alice) + "]\n")))
        .endsWith(":7:12: key " + fpr(alice) + " is listed for both 'Alice' and 'Bob': a key belongs to one approver");
    assertThat(diagnosticOf(trustFile(head + "  - name: Alice\n    keys: [" + fpr(alice) + "]\n  - name: alice\n    keys: [" + fpr(bob) + "]\n")))
        .endsWith(":6:11: approver 'alice' is listed twice: list all of their keys under one entry");
    assertThat(diagnosticOf(trustFile(head + "  - name: Carol\n    keys: [" + "AB".repeat(20) + "]\n")))
        .contains(":5:12: key " + "AB".repeat(20) + " of approver 'Carol' is not a primary key in the keyring");
    assertThat(diagnosticOf(trustFile(head + "  - name: Carol\n    keys: [not-a-key]\n")))
        .endsWith(":5:12: approvers.keys: expected a key fingerprint (40 or 64 hex digits)");
    assertThat(diagnosticOf(trustFile(head.replace("require: 1", "require: 2") + "  - name: Alice\n    keys: [" + fpr(alice) + ", " + fpr(bob) + "]\n")))
        .endsWith(":2:10: require: 2 but the policy names 1 approver(s): the quorum could never be met");
    assertThat(diagnosticOf(trustFile(head + "  - name: Alice\n")))
        .endsWith(":4:5: approvers: missing key 'keys'");
  }

  @Test
  void readsAPolicyWithoutApproversAsOneApproverPerKeyWhenUnambiguous() throws IOException {
    TrustPolicy p = TrustPolicy.load(trustFile("keyring: keys/approvers.asc\nrequire: 2\n"));

    assertThat(p.derived()).isTrue();
    assertThat(p.approvers()).extracting(TrustPolicy.Approver::name).containsExactly("Alice <alice@example.org>", "Bob <bob@example.org>");
  }

  @Test
  void refusesAPolicyWithoutApproversWhenTwoKeysMayBeOnePersons() throws IOException {
    PGPSecretKeyRing aliceNew = TestKeys.approver("Alice");
    Path trust = trustFile("keyring: keys/approvers.asc\nrequire: 2\n");
    Files.write(dir.resolve("etc/keys/approvers.asc"),
        TestKeys.armoredPublic(alice.toCertificate(), bob.toCertificate(), aliceNew.toCertificate()));

    assertThat(diagnosticOf(trust)).isEqualTo(trust + ":1:10: keys " + fpr(alice) + " and " + fpr(aliceNew)
        + " both name 'alice@example.org' and may be one person's: the quorum counts approvers, not keys; list each approver"
        + " with their keys under 'approvers:' (see docs/signing.md)");
    assertThat(TrustPolicy.load(Files.writeString(trust, "keyring: keys/approvers.asc\nrequire: 1\n")).approvers())
        .as("with require: 1 counting cannot go wrong").hasSize(3);
  }

  @Test
  void tellsPeopleApartByNameOrAddress() {
    assertThat(TrustPolicy.identities(java.util.List.of("Jane  Roe (work) <Jane@Example.org>", "jane@home.example")))
        .containsExactlyInAnyOrder("jane roe", "jane@example.org", "jane@home.example");
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

  @Test
  void aDefaultPolicyOfOnlyCommentsIsNoPolicyButANamedOneIsInvalid() throws IOException {
    Path example = Files.writeString(dir.resolve("commented-trust.yaml"),
        "# keyring: approvers.asc\n\n#require: 2\n   # approvers:\n");
    TrustPolicy.Location none = TrustPolicy.locate(Optional.empty(), Map.of(), example);

    assertThat(none.file()).isEmpty();
    assertThat(none.describeSearch()).isEqualTo("no trust policy found (looked at: --trust (not given); $CUTTER_TRUST (not set); "
        + example + " (holds no policy yet: only comments))");
    // one line of YAML and it is a policy again, to be loaded (and refused when incomplete)
    Path oneKey = Files.writeString(dir.resolve("one-key-trust.yaml"), "# keyring: approvers.asc\nrequire: 2\n");
    assertThat(TrustPolicy.locate(Optional.empty(), Map.of(), oneKey).file()).contains(oneKey);
    // named on the command line or in the environment, the same file is a policy that is invalid
    assertThat(TrustPolicy.locate(Optional.of(example), Map.of(), dir.resolve("absent.yaml")).file()).contains(example);
    assertThat(TrustPolicy.locate(Optional.empty(), Map.of("CUTTER_TRUST", example.toString()), dir.resolve("absent.yaml"))
        .file()).contains(example);
    assertThat(diagnosticOf(example)).isEqualTo(example + ": expected a mapping with the keys keyring, require and approvers");
  }

  @Test
  void readsATlsRequirementAndRefusesAnyOtherValue() throws IOException {
    TrustPolicy p = TrustPolicy.load(trustFile("keyring: keys/approvers.asc\nrequire: 1\ntls: verify-full\n"));
    assertThat(p.tls()).isEqualTo(TrustPolicy.TlsRequirement.VERIFY_FULL);
    assertThat(TrustPolicy.load(trustFile("keyring: keys/approvers.asc\nrequire: 1\n")).tls())
        .isEqualTo(TrustPolicy.TlsRequirement.NONE);
    Path trust = trustFile("keyring: keys/approvers.asc\nrequire: 1\ntls: require\n");
    assertThat(diagnosticOf(trust)).isEqualTo(trust + ":3:6: tls: expected verify-full, found 'require'");
  }
}
