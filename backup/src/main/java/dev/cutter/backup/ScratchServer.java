package dev.cutter.backup;

import dev.cutter.core.db.ConnectionSpec;

/**
 * A PostgreSQL server where the restore proof may create a database of its own: the embedded
 * server of the target's major, or one the operator names ({@code --restore-into URL}). The
 * proof creates a database with a unique name, restores into it and always drops it.
 */
public interface ScratchServer extends AutoCloseable {

  /** A role that may create databases, connected to a maintenance database of the server. */
  ConnectionSpec admin();

  /** What the report says the server was, e.g. "embedded PostgreSQL 15.19". */
  String describe();

  /** Stops a server started for the run; a named server is left as it was. */
  @Override
  void close();

  /** A server the operator named: closing it does nothing (the proof's database is dropped on its own). */
  static ScratchServer at(ConnectionSpec admin) {
    return new ScratchServer() {
      @Override
      public ConnectionSpec admin() {
        return admin;
      }

      @Override
      public String describe() {
        return admin.display();
      }

      @Override
      public void close() {
        // the operator's server outlives the run
      }
    };
  }
}
