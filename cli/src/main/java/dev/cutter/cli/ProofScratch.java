package dev.cutter.cli;

import dev.cutter.backup.ScratchServer;
import dev.cutter.cli.sandbox.EmbeddedSandbox;
import dev.cutter.core.db.ConnectionSpec;

/** Where the restore proof restores: the embedded server cutter bundles, or a server the operator names. */
final class ProofScratch {

  private ProofScratch() {}

  /** Starts the bundled PostgreSQL (its superuser needs the password made for this run); stopped on close. */
  static ScratchServer embedded() {
    EmbeddedSandbox sandbox = EmbeddedSandbox.start("postgres", 0);
    return new ScratchServer() {
      @Override
      public ConnectionSpec admin() {
        return sandbox.superuser();
      }

      @Override
      public String describe() {
        return sandbox.describe();
      }

      @Override
      public void close() {
        sandbox.close();
      }
    };
  }
}
