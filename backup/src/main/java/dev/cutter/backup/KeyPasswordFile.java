package dev.cutter.backup;

import dev.cutter.core.db.ConnectionSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The client key's passphrase (sslpassword) for pg_dump. libpq reads it from no environment
 * variable, and argv is visible to every user, so it goes into a connection service file of its
 * own: created 0600 in a private 0700 directory, named to pg_dump by PGSERVICEFILE and
 * PGSERVICE, and deleted when the dump is over.
 */
final class KeyPasswordFile implements AutoCloseable {

  static final String SERVICE = "cutter";

  private final Path dir;
  private final Path file;

  private KeyPasswordFile(Path dir, Path file) {
    this.dir = dir;
    this.file = file;
  }

  /** A service file holding {@code conn}'s sslpassword; one holding nothing when there is none. */
  static KeyPasswordFile of(ConnectionSpec conn) throws IOException {
    Optional<ConnectionSpec.Secret> secret = conn.tls().keyPassword();
    if (secret.isEmpty()) {
      return new KeyPasswordFile(null, null);
    }
    String value = secret.get().value();
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || !value.equals(value.strip())) {
      throw new IOException("sslpassword with a line break or surrounding blanks cannot be handed to pg_dump");
    }
    Path dir = Files.createTempDirectory("cutter-pg-dump-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path file = dir.resolve("pg_service.conf");
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, "[" + SERVICE + "]\nsslpassword=" + value + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    return new KeyPasswordFile(dir, file);
  }

  Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  @Override
  public void close() {
    try {
      if (file != null) {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
