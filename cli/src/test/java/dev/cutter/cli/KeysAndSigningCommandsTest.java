package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.Gpg;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysAndSigningCommandsTest {

  static final String PASSPHRASE = "s3cret-Passphrase-91";
  static final Map<String, String> ENV = Map.of("APPROVER_PASSPHRASE", PASSPHRASE);

  @TempDir static Path keys;
  static Gpg gpg;
  static final List<Cli> RUNS = new ArrayList<>();

  @TempDir Path dir;

  @BeforeAll
  static void generateKeys() {
    gpg = Gpg.in(keys);
    for (String name : List.of("Jane Roe <jane@example.org>", "John Doe <john@example.org>")) {
      Cli gen = cli("keys", "generate", "--name", name, "--out", keys.resolve("out").toString(), "--passphrase-env", "APPROVER_PASSPHRASE");
      assertThat(gen.exit()).as(gen.err()).isZero();
    }
  }

  @AfterAll
  static void noPassphraseAnywhere() throws IOException {
    gpg.close();
    for (Cli run : RUNS) {
      assertThat(run.out() + run.err()).as("stdout/stderr of every run").doesNotContain(PASSPHRASE);
    }
    try (Stream<Path> files = Files.walk(keys.resolve("out"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(PASSPHRASE);
      }
    }
  }

  static Cli cli(String... args) {
    Cli run = Cli.run(ENV, args);
    RUNS.add(run);
    return run;
  }

  private Path packageDir() throws IOException {
    Path pkg = Files.createDirectories(dir.resolve("pkg"));
    Files.writeString(pkg.resolve("package.yaml"), "apiVersion: cutter/v1\nkind: ApplyPackage\nid: signed-change\n");
    return pkg;
  }

  @Test
  void writesAnArmoredPublicKeyAndAPrivateSecretKey() throws IOException {
    Path pub = keys.resolve("out/jane-roe.pub.asc");
    Path sec = keys.resolve("out/jane-roe.sec.asc");

    assertThat(Files.readString(pub)).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
    assertThat(Files.readString(sec)).startsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sec))).isEqualTo("rw-------");
  }

  @Test
  void refusesToOverwriteAKey() {
    Cli again = cli("keys", "generate", "--name", "Jane Roe <jane@example.org>", "--out", keys.resolve("out").toString(),
        "--passphrase-env", "APPROVER_PASSPHRASE");

    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.err()).contains("jane-roe.pub.asc: already exists; refusing to overwrite a key");
  }

  @Test
  void gpgImportsTheGeneratedKeyAndSignsWithIt() throws IOException {
    gpg.withPassphrase(PASSPHRASE, "--import", keys.resolve("out/john-doe.sec.asc").toString()).orFail();
    Path pkg = packageDir();
    Path sig = dir.resolve("gpg.asc");

    gpg.withPassphrase(PASSPHRASE, "--local-user", "john@example.org", "--armor", "--output", sig.toString(),
        "--detach-sign", pkg.resolve("package.yaml").toString()).orFail();
    Gpg.Result verify = gpg.run("", "--status-fd", "1", "--verify", sig.toString(), pkg.resolve("package.yaml").toString());

    assertThat(verify.stdout()).contains("[GNUPG:] GOODSIG");
  }

  @Test
  void signAppendsOneArmoredBlockPerApproverThatGpgVerifies() throws IOException {
    gpg.run("", "--import", keys.resolve("out/jane-roe.pub.asc").toString(), keys.resolve("out/john-doe.pub.asc").toString()).orFail();
    Path pkg = packageDir();

    Cli jane = cli("package", "sign", pkg.toString(), "--key", keys.resolve("out/jane-roe.sec.asc").toString(), "--passphrase-env", "APPROVER_PASSPHRASE");
    Path asc = pkg.resolve("package.yaml.asc");
    Gpg.Result firstOnly = gpg.run("", "--status-fd", "1", "--verify", asc.toString(), pkg.resolve("package.yaml").toString());
    Cli john = cli("package", "sign", pkg.resolve("package.yaml").toString(), "--key", keys.resolve("out/john-doe.sec.asc").toString(),
        "--passphrase-env", "APPROVER_PASSPHRASE");

    assertThat(jane.exit()).as(jane.err()).isZero();
    assertThat(jane.out()).contains("Jane Roe <jane@example.org>").contains("signature appended to " + asc);
    assertThat(firstOnly.stdout()).contains("[GNUPG:] GOODSIG").contains("Jane Roe");
    assertThat(john.exit()).as(john.err()).isZero();
    String both = Files.readString(asc);
    assertThat(both.split("-----BEGIN PGP SIGNATURE-----", -1)).hasSize(3);
    assertThat(both).doesNotContain("Version:");
  }

  @Test
  void refusesAWrongPassphraseAndWritesNothing() throws IOException {
    Path pkg = packageDir();

    Cli wrong = Cli.run(Map.of("P", "not the passphrase"), "package", "sign", pkg.toString(),
        "--key", keys.resolve("out/jane-roe.sec.asc").toString(), "--passphrase-env", "P");

    assertThat(wrong.exit()).isEqualTo(2);
    assertThat(wrong.err()).contains("the passphrase does not unlock the secret key").doesNotContain("not the passphrase");
    assertThat(pkg.resolve("package.yaml.asc")).doesNotExist();
  }

  @Test
  void needsAPassphraseFromTheEnvironmentOrATerminal() throws IOException {
    Path pkg = packageDir();
    String key = keys.resolve("out/jane-roe.sec.asc").toString();

    Cli unset = cli("package", "sign", pkg.toString(), "--key", key, "--passphrase-env", "NOT_SET_ANYWHERE");
    Cli noTerminal = cli("package", "sign", pkg.toString(), "--key", key);

    assertThat(unset.exit()).isEqualTo(2);
    assertThat(unset.err()).contains("--passphrase-env NOT_SET_ANYWHERE: the environment variable is not set or empty");
    assertThat(noTerminal.exit()).as("tests run without a console").isEqualTo(2);
    assertThat(noTerminal.err()).contains("no terminal to ask for the passphrase");
  }

  @Test
  void refusesAKeyFileThatIsNotASecretKey() throws IOException {
    Path pkg = packageDir();

    Cli pub = cli("package", "sign", pkg.toString(), "--key", keys.resolve("out/jane-roe.pub.asc").toString(),
        "--passphrase-env", "APPROVER_PASSPHRASE");
    Cli missing = cli("package", "sign", pkg.resolve("nope").toString(), "--key", keys.resolve("out/jane-roe.sec.asc").toString(),
        "--passphrase-env", "APPROVER_PASSPHRASE");

    assertThat(pub.exit()).isEqualTo(2);
    // the whole line, armour line and closing parenthesis included: the secret masker used to eat them
    assertThat(pub.err()).endsWith("jane-roe.pub.asc: expected one armored secret key "
        + "(-----BEGIN PGP PRIVATE KEY BLOCK-----): line 1: unexpected text outside an armored block "
        + "(expected -----BEGIN PGP PRIVATE KEY BLOCK-----)\n");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).endsWith("nope: package not found: no such directory or file (PKG is a package directory or its"
        + " package.yaml)\n");
  }

  @Test
  void generatesAKeyThatExpires() {
    Cli gen = cli("keys", "generate", "--name", "Temp <temp@example.org>", "--out", dir.toString(),
        "--passphrase-env", "APPROVER_PASSPHRASE", "--expires", "2027-01-31");
    Cli past = cli("keys", "generate", "--name", "Past <past@example.org>", "--out", dir.toString(),
        "--passphrase-env", "APPROVER_PASSPHRASE", "--expires", "2001-01-01");

    assertThat(gen.exit()).as(gen.err()).isZero();
    assertThat(gen.out()).contains("expires 2027-01-31T00:00:00Z");
    assertThat(past.exit()).isEqualTo(2);
    assertThat(past.err()).contains("is not in the future");
  }
}
