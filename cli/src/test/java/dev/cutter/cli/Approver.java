package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A test approver: one generated key, a trust file that requires it, and the means to make
 * packages ready for {@code cutter apply} against a test database (target fields rewritten to
 * the database's, then signed).
 */
final class Approver {

  static final String PASSPHRASE_VAR = "CUTTER_TEST_PASSPHRASE";
  static final String PASSPHRASE = "approver-Passphrase-4471";
  static final Map<String, String> ENV = Map.of(PASSPHRASE_VAR, PASSPHRASE);

  private final Path secretKey;
  private final Path trust;

  private Approver(Path secretKey, Path trust) {
    this.secretKey = secretKey;
    this.trust = trust;
  }

  /**
   * An approver for one test class, in a temporary directory of its own that is deleted when the
   * test JVM ends: what each class otherwise made from a static {@code @TempDir} and a
   * {@code @BeforeAll}.
   */
  static Approver forClass() {
    try {
      Path dir = Files.createTempDirectory("cutter-test-approver-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
      return create(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }

  /** Generates a key under {@code dir} and writes {@code dir/trust.yaml} requiring one signature by it. */
  static Approver create(Path dir) {
    Path out = dir.resolve("keys");
    Cli gen = Cli.run(ENV, "keys", "generate", "--name", "Test Approver <approver@example.invalid>", "--out",
        out.toString(), "--passphrase-env", PASSPHRASE_VAR);
    assertThat(gen.exit()).as(gen.err()).isZero();
    try (Stream<Path> s = Files.list(out)) {
      Path pub = s.filter(p -> p.toString().endsWith(".pub.asc")).findFirst().orElseThrow();
      Path sec = out.resolve(pub.getFileName().toString().replace(".pub.asc", ".sec.asc"));
      Path trust = dir.resolve("trust.yaml");
      Files.writeString(trust, "keyring: " + pub.toAbsolutePath() + "\nrequire: 1\n");
      return new Approver(sec, trust);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The approver whose key is kept in {@code keyDir} ({@code NAME.pub.asc} and {@code NAME.sec.asc},
   * passphrase {@code passphrase}), with {@code dir/trust.yaml} requiring one signature by it: a
   * fixed fingerprint, for reports compared byte for byte.
   */
  static Approver fixed(Path keyDir, String name, Path dir) {
    try {
      Path trust = dir.resolve("trust.yaml");
      Files.writeString(trust, "keyring: " + keyDir.resolve(name + ".pub.asc").toAbsolutePath() + "\nrequire: 1\n");
      return new Approver(keyDir.resolve(name + ".sec.asc"), trust);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path trust() {
    return trust;
  }

  /** Signs the package in {@code pkgDir} (writes package.yaml.asc). */
  void sign(Path pkgDir) {
    Cli r = Cli.run(ENV, "package", "sign", pkgDir.toString(), "--key", secretKey.toString(), "--passphrase-env",
        PASSPHRASE_VAR);
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
  }

  /** The server's system identifier, which a package's target must name. */
  static String systemIdentifier(TestDatabase db) {
    return db.queryValue("select system_identifier::text from pg_control_system()");
  }

  /**
   * Copies an example package to {@code dest}, points its target at {@code db}, its backup at
   * {@code backupDir}, and signs it.
   */
  Path example(String name, Path dest, TestDatabase db, Path backupDir) {
    Path src = Path.of("..", "packages-examples", name);
    try (Stream<Path> s = Files.walk(src)) {
      for (Path p : s.toList()) {
        Path to = dest.resolve(src.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Path yaml = dest.resolve("package.yaml");
      String text = Files.readString(yaml)
          .replaceAll("(?m)^(  database: ).*$", "$1" + db.name())
          .replaceAll("(?m)^(  system_identifier: ).*$", "$1\"" + systemIdentifier(db) + "\"")
          .replaceAll("(?m)^(  dir: ).*$", "$1" + backupDir.toAbsolutePath());
      Files.writeString(yaml, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sign(dest);
    return dest;
  }

  /** Runs each of an example's sandbox scripts as superuser; roles that exist already (cluster-wide) are kept. */
  static void setUpExample(TestDatabase db, String name) {
    Path sandbox = Path.of("..", "packages-examples", name, "sandbox");
    try (Stream<Path> s = Files.list(sandbox)) {
      for (Path f : s.sorted().toList()) {
        String sql = Files.readString(f).replaceAll("(?im)^CREATE ROLE (\\w+)([^;]*);",
            "DO \\$\\$ BEGIN CREATE ROLE $1$2; EXCEPTION WHEN duplicate_object THEN NULL; END \\$\\$;");
        db.execute(sql);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes and signs a minimal package in {@code dest}: {@code artifact} applied as {@code applyRole}
   * in one transaction, preflight and verify checks as given (YAML flow lists, e.g. "[]"), no backup unless
   * {@code backupDir} is set (then of schema public).
   */
  Path write(Path dest, String id, TestDatabase db, String applyRole, String artifact, String preflight, String verify,
      Path backupDir) {
    return write(dest, id, db.name(), systemIdentifier(db), applyRole, artifact, preflight, verify, backupDir);
  }

  /** As above, for a database named {@code database} on a server with system identifier {@code sysid}. */
  Path write(Path dest, String id, String database, String sysid, String applyRole, String artifact, String preflight,
      String verify, Path backupDir) {
    try {
      Files.createDirectories(dest);
      Files.writeString(dest.resolve("change.sql"), artifact);
      String backup = backupDir == null ? "  required: false\n"
          : "  required: true\n  scope: { schemas: [ public ] }\n  dir: " + backupDir.toAbsolutePath() + "\n  min_bytes: 64\n";
      String yaml = "apiVersion: cutter/v1\nkind: ApplyPackage\nid: " + id + "\ntitle: " + id + "\n"
          + "authorization:\n  ref: CHG-TEST-" + id + "\n  expires_at: 2030-12-31T23:00:00Z\n  risk: low\n"
          + "target:\n  database: " + database + "\n  system_identifier: \"" + sysid + "\"\n"
          + "  apply_role: " + applyRole + "\n"
          + "artifact:\n  path: change.sql\n  sha256: \"" + sha256(artifact) + "\"\n"
          + "preflight: " + preflight + "\n"
          + "backup:\n" + backup
          + "apply:\n  mode: transaction\n  lock_timeout: 5s\n  statement_timeout: 5min\n"
          + "verify: " + verify + "\n";
      Files.writeString(dest.resolve("package.yaml"), yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sign(dest);
    return dest;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every regular file under {@code root}, read as ISO-8859-1 (binary-safe), concatenated. */
  static String allFiles(Path root) {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        b.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).append('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toString();
  }
}
