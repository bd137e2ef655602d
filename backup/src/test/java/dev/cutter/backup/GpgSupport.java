package dev.cutter.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A throwaway GnuPG home with generated keys, driven through the real gpg client. */
final class GpgSupport implements AutoCloseable {

  private final Path home;

  GpgSupport(Path parent) throws IOException {
    this.home = Files.createDirectory(parent.resolve("gnupg"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
  }

  Path home() {
    return home;
  }

  /** {@code gpg --quick-gen-key} with an empty passphrase; returns the primary key's fingerprint. */
  String generate(String uid, String algo, String usage, String expire) throws IOException, InterruptedException {
    gpg("--passphrase", "", "--pinentry-mode", "loopback", "--quick-gen-key", uid, algo, usage, expire);
    String listing = gpg("--with-colons", "--list-keys", uid);
    for (String line : listing.split("\n")) {
      if (line.startsWith("fpr:")) {
        return line.split(":")[9];
      }
    }
    throw new IllegalStateException("no fingerprint for " + uid + " in: " + listing);
  }

  /** A key that can encrypt: ed25519 primary with a cv25519 encryption subkey, never expiring. */
  String generateEncryptionKey(String uid) throws IOException, InterruptedException {
    return generate(uid, "future-default", "default", "never");
  }

  /** Imports the revocation certificate gpg wrote when it made the key. */
  void revoke(String fingerprint) throws IOException, InterruptedException {
    Path rev = home.resolve("openpgp-revocs.d").resolve(fingerprint + ".rev");
    Path armored = home.resolve(fingerprint + ".rev.asc");
    Files.writeString(armored, Files.readString(rev).replace(":-----BEGIN PGP", "-----BEGIN PGP"));
    gpg("--import", armored.toString());
  }

  String exportArmored(String fingerprint) throws IOException, InterruptedException {
    return gpg("--armor", "--export", fingerprint);
  }

  void decrypt(Path encrypted, Path out) throws IOException, InterruptedException {
    gpg("--passphrase", "", "--pinentry-mode", "loopback", "--output", out.toString(), "--decrypt", encrypted.toString());
  }

  String gpg(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--no-tty", "--homedir", home.toString()));
    cmd.addAll(List.of(args));
    return PgDumpSupport.run(cmd, Map.of("GNUPGHOME", home.toString()));
  }

  @Override
  public void close() {
    try {
      PgDumpSupport.run(List.of("gpgconf", "--homedir", home.toString(), "--kill", "all"));
    } catch (IOException | InterruptedException | RuntimeException e) {
      // the agent exits by itself when its home disappears
    }
  }
}
