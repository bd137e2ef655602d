package dev.cutter.backup;

import dev.cutter.core.db.ConnectionSpec;

/**
 * A PostgreSQL server where the restore proof may create a database of its own: the embedded
 * server of the target's major, or one the operator names ({@code --restore-into URL}). The
 * proof creates a database with a unique name, restores into it and always drops it.
 */
public interface ScratchServer extends AutoCloseable {

  /** A role that may create databases and roles (the proof's own), connected to a maintenance database of the server. */
  ConnectionSpec admin();

  /** What the report says the server was, e.g. "embedded PostgreSQL 15.19". */
  String describe();

  /**
   * True for a server started for this run alone and thrown away with its data when closed (the
   * embedded one): its settings are chosen for a throwaway restore (no WAL beyond what the
   * server needs, see the embedded sandbox), the proof restores into it in one transaction, so
   * that each table's COPY and index build write no WAL, and its database is not dropped before
   * the server stops. A server the operator names is never disposable.
   */
  default boolean disposable() {
    return false;
  }

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
