package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.Gpg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dry-run encrypts the sandbox's backup to the package's own recipients, found as apply finds
 * them: a recipient the keyring in use does not hold fails the dry-run (it used to pass with a
 * throwaway key), one it holds passes; the production min_bytes is not a floor in the sandbox.
 */
@Tag("pgdump")
class DryRunRecipientsTest {

  private static final String SETUP = "create role app_apply;\ngrant create, usage on schema public to app_apply;\n";

  @TempDir Path tmp;

  private Path pkg(String fingerprint) throws IOException {
    Path pkg = DryRunPackages.write(tmp.resolve("pkg-" + fingerprint.substring(0, 8)), SETUP,
        "create table public.t (id int);\n", "");
    Path yaml = pkg.resolve("package.yaml");
    Files.writeString(yaml, Files.readString(yaml) + """
        backup:
          required: true
          scope: { schemas: [ public ] }
          dir: %s
          min_bytes: 500000000  # production's floor: a sandbox dump of setup's data is far smaller
          encrypt_to: [ "%s" ]
        """.formatted(tmp.resolve("backups"), fingerprint));
    return pkg;
  }

  private Cli dryRun(Path pkg, Path gnupgHome) {
    return Cli.run(Map.of("GNUPGHOME", gnupgHome.toString(), "PATH", System.getenv("PATH")), "dry-run",
        pkg.toString(), "--report-dir", tmp.resolve("reports-" + pkg.getFileName()).toString());
  }

  @Test
  void aRecipientTheKeyringLacksFailsTheDryRunAndOneItHoldsPasses() throws IOException {
    try (Gpg gpg = Gpg.in(tmp)) {
      gpg.run("", "--passphrase", "", "--quick-generate-key", "Backup Recipient <backup@example.invalid>",
          "future-default", "default", "never").orFail();
      String fpr = gpg.run("", "--with-colons", "--list-keys", "backup@example.invalid").orFail().stdout().lines()
          .filter(l -> l.startsWith("fpr:")).findFirst().orElseThrow().split(":")[9];
      String absent = "0123456789ABCDEF0123456789ABCDEF01234567";

      Cli missing = dryRun(pkg(absent), gpg.home());
      assertThat(missing.exit()).as(missing.out() + missing.err()).isEqualTo(3);
      assertThat(missing.out()).containsPattern("(?m)^P2_backup +FAIL").contains(absent)
          .doesNotContain("ready for cutter apply");

      Cli found = dryRun(pkg(fpr), gpg.home());
      assertThat(found.exit()).as(found.out() + found.err()).isZero();
      String yaml;
      try (Stream<Path> files = Files.walk(tmp.resolve("reports-pkg-" + fpr.substring(0, 8)))) {
        yaml = Files.readString(files.filter(f -> f.toString().endsWith(".yaml")).findFirst().orElseThrow());
      }
      assertThat(yaml).as("encrypted to the package's recipient, not to a throwaway key").contains(fpr);
    }
  }
}
