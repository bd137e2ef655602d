package dev.cutter.cli.sandbox;

import dev.cutter.core.db.ConnectionSpec.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The superuser's password of a scratch or sandbox cluster from its first moment: initdb reads it
 * from a private file (never argv) and asks a password of every connection, so that no other
 * local user can log in while the sandbox sets the run's own password; it is kept in the data
 * directory ({@value #FILE}, 0600), so that a template's copy starts with it, and the copy's
 * {@code pg_hba.conf} is written again before it starts.
 */
final class ClusterPassword {

  /** The superuser's password in the data directory, read by the next start of a copy. */
  static final String FILE = "cutter-superuser-password";
  private static final String HBA = "# cutter scratch: every connection needs its role's password\n"
      + "local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n";

  private final Secret password;
  private final Path pwfile;

  private ClusterPassword(Secret password, Path pwfile) {
    this.password = password;
    this.pwfile = pwfile;
  }

  /** A new password, in a private file for initdb's {@code --pwfile} until {@link #keepIn}. */
  static ClusterPassword forInitdb() throws IOException {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    Secret pw = new Secret(HexFormat.of().formatHex(b));
    Path f = Files.createTempFile("cutter-scratch", ".pw",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(f, pw.value() + "\n", StandardCharsets.UTF_8);
    return new ClusterPassword(pw, f);
  }

  /** The password a cluster made with {@link #forInitdb} kept; its {@code pg_hba.conf} asks every connection for one. */
  static Secret keptIn(Path data) throws IOException {
    Path f = data.resolve(FILE);
    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("the cluster to start holds no superuser password of cutter's");
    }
    Files.writeString(data.resolve("pg_hba.conf"), HBA, StandardCharsets.UTF_8);
    return new Secret(Files.readString(f, StandardCharsets.UTF_8).trim());
  }

  /** initdb's options by name: the password from the private file, a password for every connection. */
  Map<String, String> initdbOptions() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("auth-local", "scram-sha-256");
    options.put("auth-host", "scram-sha-256");
    options.put("pwfile", pwfile.toString());
    return options;
  }

  /** The private file deleted; once initdb made {@code data} (null: it did not), the password kept there. */
  void keepIn(Path data) throws IOException {
    Files.deleteIfExists(pwfile);
    if (data != null) {
      Files.writeString(Files.createFile(data.resolve(FILE),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))), password.value(), StandardCharsets.UTF_8);
    }
  }

  Secret password() {
    return password;
  }
}
