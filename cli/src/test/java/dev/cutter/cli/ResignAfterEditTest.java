package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18 item 3: editing an artifact, re-hashing and signing again. Real files, real keys: two
 * approvers, a trust policy requiring both.
 */
class ResignAfterEditTest {

  private static final Path EXAMPLE = Path.of("").toAbsolutePath().getParent().resolve("packages-examples/narrow-grant");
  static final Map<String, String> ENV = Map.of("PP", "resign-test passphrase");
  static final String EDITED = "GRANT SELECT ON sales.invoice TO reporting;\n-- edited\n";

  @TempDir static Path shared;
  static String ann;
  static String bob;

  @TempDir Path dir;
  Path pkg;
  Path asc;
  Path trust;

  @BeforeAll
  static void approvers() throws IOException {
    ann = generate("Ann Approver <ann@example.org>");
    bob = generate("Bob Approver <bob@example.org>");
    Files.writeString(shared.resolve("approvers.asc"), Files.readString(shared.resolve("keys/ann-approver.pub.asc"))
        + Files.readString(shared.resolve("keys/bob-approver.pub.asc")));
  }

  private static String generate(String name) {
    Cli gen = Cli.run(ENV, "keys", "generate", "--name", name, "--out", shared.resolve("keys").toString(), "--passphrase-env", "PP");
    assertThat(gen.exit()).as(gen.err()).isZero();
    return gen.out().lines().findFirst().orElseThrow().split(" ")[1];
  }

  @BeforeEach
  void signedPackage() throws IOException {
    pkg = dir.resolve("narrow-grant");
    try (Stream<Path> files = Files.walk(EXAMPLE)) {
      files.forEach(f -> {
        try {
          Files.copy(f, pkg.resolve(EXAMPLE.relativize(f).toString()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
    asc = pkg.resolve("package.yaml.asc");
    trust = Files.writeString(dir.resolve("trust.yaml"), "keyring: " + shared.resolve("approvers.asc") + "\nrequire: 2\n");
    assertThat(sign("ann").exit()).isZero();
    assertThat(sign("bob").exit()).isZero();
    assertThat(verify().exit()).as("signed by both before the edit").isZero();
  }

  private Cli sign(String who) {
    return Cli.run(ENV, "package", "sign", pkg.toString(), "--key", shared.resolve("keys/" + who + "-approver.sec.asc").toString(),
        "--passphrase-env", "PP");
  }

  private Cli verify() {
    return Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", trust.toString());
  }

  private Cli hash(String... more) {
    String[] args = Stream.concat(Stream.of("package", "hash", pkg.toString()), Stream.of(more)).toArray(String[]::new);
    return Cli.run(Map.of(), args);
  }

  private int blocks() throws IOException {
    return Files.readString(asc).split("-----BEGIN PGP SIGNATURE-----", -1).length - 1;
  }

  @Test
  void hashWarnsWithTheExactCountOfSignaturesThatNoLongerMatch() throws IOException {
    Files.writeString(pkg.resolve("ddl/grant.sql"), EDITED);

    Cli hash = hash();

    assertThat(hash.exit()).as(hash.err()).isZero();
    assertThat(hash.out().lines().toList()).last().isEqualTo("warning: 2 of the 2 signatures in package.yaml.asc were made over"
        + " other bytes of package.yaml and no longer match: run cutter package hash --drop-signatures " + pkg + ", then sign again");
    assertThat(blocks()).as("nothing removed without --drop-signatures").isEqualTo(2);
  }

  @Test
  void noWarningWhenTheSignaturesMatch() {
    Cli hash = hash();

    assertThat(hash.exit()).as(hash.err()).isZero();
    assertThat(hash.out()).isEqualTo("all hashes up to date\n");
  }

  @Test
  void dropSignaturesRemovesOnlyTheStaleOnesAndDeletesAnEmptyFile() throws IOException {
    Files.writeString(pkg.resolve("ddl/grant.sql"), EDITED);
    assertThat(hash().exit()).isZero();
    // Ann signs the new bytes next to the stale blocks by hand, as gpg --detach-sign >> would.
    String stale = Files.readString(asc);
    Files.delete(asc);
    assertThat(sign("ann").exit()).isZero();
    String fresh = Files.readString(asc);
    Files.writeString(asc, stale + fresh);

    Cli drop = hash("--drop-signatures");

    assertThat(drop.exit()).as(drop.err()).isZero();
    assertThat(drop.out()).isEqualTo("all hashes up to date\nremoved 2 of the 3 signatures in package.yaml.asc made over"
        + " other bytes of package.yaml; 1 kept; sign again\n");
    assertThat(Files.readString(asc)).isEqualTo(fresh);

    Files.writeString(pkg.resolve("ddl/grant.sql"), EDITED + "-- again\n");
    Cli again = hash("--drop-signatures");
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out().lines().toList()).last().isEqualTo("removed 1 of the 1 signature in package.yaml.asc made over"
        + " other bytes of package.yaml; package.yaml.asc deleted; sign again");
    assertThat(asc).doesNotExist();
  }

  @Test
  void hashThenSignThenVerifyLeavesAValidQuorum() throws IOException {
    Files.writeString(pkg.resolve("ddl/grant.sql"), EDITED);

    assertThat(hash("--drop-signatures").exit()).isZero();
    assertThat(sign("ann").exit()).isZero();
    assertThat(sign("bob").exit()).isZero();
    Cli verify = verify();

    assertThat(verify.exit()).as(verify.out()).isZero();
    assertThat(verify.out()).contains("quorum: 2 of 2 required distinct approvers valid\n").endsWith("integrity: PASS\n");
  }

  @Test
  void signRefusesToAppendNextToStaleSignatures() throws IOException {
    Files.writeString(pkg.resolve("ddl/grant.sql"), EDITED);
    assertThat(hash().exit()).isZero();
    String before = Files.readString(asc);

    Cli sign = sign("ann");

    assertThat(sign.exit()).isEqualTo(2);
    assertThat(sign.err()).isEqualTo("package.yaml.asc holds 2 signatures made over other bytes of package.yaml: run cutter"
        + " package hash --drop-signatures " + pkg + " (or delete package.yaml.asc), then sign again\n");
    assertThat(Files.readString(asc)).as("nothing appended").isEqualTo(before);
  }

  @Test
  void verifyNamesAStaleSignatureAndTheFix() throws IOException {
    Files.writeString(pkg.resolve("ddl/grant.sql"), EDITED);
    assertThat(hash().exit()).isZero();

    Cli verify = verify();

    assertThat(verify.exit()).isEqualTo(3);
    assertThat(verify.out().lines().filter(l -> l.startsWith("signature ")).toList()).containsExactly(
        "signature 1 by " + ann + " Ann Approver <ann@example.org> was made over other bytes of package.yaml:"
            + " run cutter package hash --drop-signatures, then sign again",
        "signature 2 by " + bob + " Bob Approver <bob@example.org> was made over other bytes of package.yaml:"
            + " run cutter package hash --drop-signatures, then sign again");
    assertThat(verify.out()).endsWith("integrity: FAIL (signatures)\n");
  }

  @Test
  void aDamagedSignatureByAnApproverIsStillABadSignatureNotStale() throws IOException {
    // Same bytes signed, signature value altered: the digest prefix still matches, so it is no stale signature.
    String text = Files.readString(asc);
    int end = text.indexOf("-----END PGP SIGNATURE-----");
    int crc = text.lastIndexOf("\n=", end);
    int at = text.lastIndexOf('\n', crc - 1) - 5;
    char c = text.charAt(at);
    Files.writeString(asc, text.substring(0, at) + (c == 'A' ? 'B' : 'A') + text.substring(at + 1, crc) + text.substring(crc + 6));

    Cli verify = verify();

    assertThat(verify.exit()).isEqualTo(3);
    assertThat(verify.out()).contains("signature 1: " + ann + " Ann Approver <ann@example.org>: bad signature");
  }
}
