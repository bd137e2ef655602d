package dev.cutter.backup;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.BackupPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A bare entry point to the backup gate, for the interruption test's child JVM and for the
 * benchmark (the {@code cutter backup} verb is wired in the cli module).
 *
 * <pre>BackupMain --host H --port P --db D --user U --dir DIR --package ID --run RUN_ID
 *     [--schema S]... [--encrypt-to FPR]... [--keys FILE] [--pg-bin DIR] [--min-bytes N] [--jobs N]</pre>
 *
 * {@code --jobs N} asks for the directory format with N pg_dump workers.
 *
 * The password, if any, comes from PGPASSWORD. Prints the envelope or the refusal; exits 0 or 3.
 */
public final class BackupMain {

  private BackupMain() {}

  public static void main(String[] args) {
    String host = "localhost";
    int port = 5432;
    String db = null;
    String user = System.getProperty("user.name");
    Path dir = null;
    String pkg = null;
    String run = null;
    Path pgBin = null;
    long minBytes = 1;
    int jobs = 0;
    Optional<Path> keys = Optional.empty();
    List<String> schemas = new ArrayList<>();
    List<String> encryptTo = new ArrayList<>();
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--host" -> host = v;
        case "--port" -> port = Integer.parseInt(v);
        case "--db" -> db = v;
        case "--user" -> user = v;
        case "--dir" -> dir = Path.of(v);
        case "--package" -> pkg = v;
        case "--run" -> run = v;
        case "--schema" -> schemas.add(v);
        case "--encrypt-to" -> encryptTo.add(v);
        case "--keys" -> keys = Optional.of(Path.of(v));
        case "--pg-bin" -> pgBin = Path.of(v);
        case "--min-bytes" -> minBytes = Long.parseLong(v);
        case "--jobs" -> jobs = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Optional<ConnectionSpec.Secret> password = Optional.ofNullable(System.getenv("PGPASSWORD")).map(ConnectionSpec.Secret::new);
    ConnectionSpec conn = new ConnectionSpec(host, port, db, user, password);
    BackupPolicy policy = new BackupPolicy(true, schemas, dir, minBytes, encryptTo, keys);
    if (jobs > 0) {
      policy = policy.withFormat(BackupPolicy.Format.DIRECTORY, jobs);
    }
    BackupSettings settings = BackupSettings.defaults();
    if (pgBin != null) {
      settings = settings.withPgBin(pgBin);
    }
    BackupResult result = new BackupGate(settings).run(conn, policy, pkg, run);
    if (result instanceof BackupResult.Passed p) {
      BackupEnvelope e = p.envelope();
      System.out.println("PASS " + e.path() + " bytes=" + e.bytes() + " sha256=" + e.sha256() + " toc=" + e.tocEntries()
          + " table_data=" + e.tableDataEntries() + " encrypted_to=" + e.encryptedTo());
      System.exit(0);
    }
    BackupResult.Blocked b = (BackupResult.Blocked) result;
    System.out.println("BLOCKED " + b.reason() + (b.details() == null ? "" : " (" + b.details() + ")"));
    System.exit(3);
  }
}
