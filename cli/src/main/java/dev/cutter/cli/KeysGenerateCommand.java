package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.integrity.ApproverKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cutter keys generate}: an approver key pair, armored, the secret half passphrase-protected. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {
      "Make an approver key pair: OpenPGP v4, Ed25519 signing primary key and X25519 encryption subkey, readable by gpg 2.2.",
      "Writes NAME.pub.asc (give it to the operators' keyring) and NAME.sec.asc (mode 0600, passphrase-protected) into DIR.",
      "The passphrase is asked twice on the terminal, or read from the variable named by --passphrase-env; never from the command line."})
final class KeysGenerateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--name", required = true, paramLabel = "\"NAME <ID>\"", description = "The key's user id, e.g. \"Jane Roe <jane@example.org>\".")
  String name;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write the two files into (created if missing).")
  Path out;

  @Option(names = "--expires", paramLabel = "WHEN",
      description = "When the key expires: a duration (90d, 2y, 12h, P1Y), a date (2027-01-31, midnight UTC) or an instant. Default: never.")
  String expires;

  @Mixin PassphraseOptions passphrase;

  @Override
  public Integer call() throws IOException {
    if (name.isBlank() || name.chars().anyMatch(Character::isISOControl)) {
      throw CutterException.invalid("--name: expected a user id such as \"Jane Roe <jane@example.org>\"");
    }
    Instant now = Instant.now();
    Optional<Instant> expiresAt = Optional.ofNullable(expires).map(e -> expiry(e, now));
    Path publicFile = out.resolve(fileStem() + ".pub.asc");
    Path secretFile = out.resolve(fileStem() + ".sec.asc");
    for (Path p : new Path[] {publicFile, secretFile}) {
      if (Files.exists(p)) {
        throw CutterException.invalid(p + ": already exists; refusing to overwrite a key");
      }
    }
    char[] secret = passphrase.choose();
    ApproverKeys.Generated key;
    try {
      key = ApproverKeys.generate(name, secret, now, expiresAt);
    } finally {
      Arrays.fill(secret, '\0');
    }
    Files.createDirectories(out);
    write(secretFile, key.armoredSecretKey(), "rw-------");
    write(publicFile, key.armoredPublicKey(), "rw-r--r--");
    var o = spec.commandLine().getOut();
    o.println("key " + key.fingerprint() + " " + key.userId());
    o.println("expires " + expiresAt.map(Instant::toString).orElse("never"));
    o.println("public key " + publicFile);
    o.println("secret key " + secretFile + " (passphrase-protected; keep it private)");
    return ExitCodes.OK;
  }

  private static Instant expiry(String text, Instant now) {
    try {
      Instant at = ExpiryOption.parse(text, now);
      if (!at.isAfter(now)) {
        throw CutterException.invalid("--expires " + text + ": " + at + " is not in the future");
      }
      return at;
    } catch (IllegalArgumentException e) {
      throw CutterException.invalid("--expires " + e.getMessage());
    }
  }

  /** "Jane Roe <jane@example.org>" becomes jane-roe. */
  private String fileStem() {
    String display = name.contains("<") ? name.substring(0, name.indexOf('<')) : name;
    String stem = display.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    return stem.isEmpty() ? "approver" : stem;
  }

  /** Created with its final permissions, so the secret key is never readable by others, not even briefly. */
  private static void write(Path file, byte[] content, String permissions) throws IOException {
    try (OutputStream os = Files.newOutputStream(
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions))),
        StandardOpenOption.WRITE)) {
      os.write(content);
    } catch (FileAlreadyExistsException e) {
      throw CutterException.invalid(file + ": already exists; refusing to overwrite a key");
    }
  }
}
