package dev.cutter.cli.sandbox;

import dev.cutter.core.db.ConnectionSpec;
import java.util.Optional;

/** A throwaway PostgreSQL for dry-run: a superuser, a fresh database, torn down on close. */
public interface SandboxServer extends AutoCloseable {

  /** What the report says the sandbox was, e.g. "embedded PostgreSQL 15.19". */
  String describe();

  /** The server's major version. */
  int major();

  /** The superuser connected to the sandbox database. */
  ConnectionSpec superuser();

  /** The directory of a pg_dump that matches the server, if the sandbox has one. */
  Optional<String> pgBin();

  @Override
  void close();
}
