package dev.cutter.cli.sandbox;

import dev.cutter.core.db.ConnectionSpec;
import java.util.List;
import java.util.Optional;

/** A throwaway PostgreSQL for dry-run: a superuser, a fresh database, torn down on close. */
public interface SandboxServer extends AutoCloseable {

  /** What the report says the sandbox was, e.g. "embedded PostgreSQL 15.19". */
  String describe();

  /** The server's major version. */
  int major();

  /** The superuser connected to the sandbox database: for cutter's own statements only, never the package's. */
  ConnectionSpec superuser();

  /** The directory of a pg_dump that matches the server, if the sandbox has one. */
  Optional<String> pgBin();

  /** Roles cutter made on the server, dropped after the sandbox database where the server outlives the run. */
  default void dropAfterwards(List<String> roles) {
    // a server that goes away with the run takes its roles with it
  }

  @Override
  void close();
}
