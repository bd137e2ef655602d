package dev.cutter.cli;

import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import picocli.CommandLine.Option;

/** {@code --target}: a libpq URI or {@code service=NAME}; else the libpq environment. */
public final class ConnectionOptions {

  @Option(names = "--target", paramLabel = "URI",
      description = "postgresql://user@host:port/db[?sslmode=verify-full&sslrootcert=FILE] or service=NAME (default: "
          + "PGHOST, PGPORT, PGDATABASE, PGUSER, PGSERVICE, PGSSLMODE, ...; no host: the socket in "
          + "/var/run/postgresql when it exists for the port, else localhost). Passwords only from PGPASSWORD, the "
          + "password file or a prompt.")
  String target;

  public ConnectionSpec resolve() {
    return ConnectionResolver.fromProcess().resolve(target);
  }

  public String target() {
    return target;
  }
}
