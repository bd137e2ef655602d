package dev.cutter.cli;

import dev.cutter.backup.ScratchServer;
import dev.cutter.cli.sandbox.EmbeddedSandbox;
import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/** Where the restore proof restores: the embedded server cutter bundles, or a server the operator names. */
final class ProofScratch {

  private ProofScratch() {}

  /**
   * Starts the bundled PostgreSQL with the settings of a throwaway restore (its superuser needs the
   * password made for this run); stopped, with its data, on close.
   */
  static ScratchServer embedded() {
    return of(EmbeddedSandbox.startForRestore());
  }

  private static ScratchServer of(EmbeddedSandbox sandbox) {
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
      public boolean disposable() {
        return true;
      }

      @Override
      public void close() {
        sandbox.close();
      }
    };
  }

  /**
   * The embedded server started at once on its own thread, so that its start (about a second: a
   * fresh cluster, then the server) overlaps the signature check, the identity gate and the
   * catalog reading instead of delaying the dump. {@link #get} waits for it and hands it over (the
   * proof then stops it); {@link #close} stops it when the run ended before the proof took it.
   */
  static final class HeadStart implements Supplier<ScratchServer>, AutoCloseable {
    private final FutureTask<EmbeddedSandbox> start;
    private boolean handedOver;

    HeadStart() {
      this(EmbeddedSandbox::startForRestore);
    }

    HeadStart(java.util.concurrent.Callable<EmbeddedSandbox> starter) {
      this.start = new FutureTask<>(starter);
      Thread t = new Thread(start, "cutter embedded scratch start");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public synchronized ScratchServer get() {
      if (handedOver) {
        throw new IllegalStateException("the embedded scratch server was handed over already");
      }
      handedOver = true;
      return of(await());
    }

    /** True once the server was handed to the proof (which stops it). */
    synchronized boolean handedOver() {
      return handedOver;
    }

    private EmbeddedSandbox await() {
      try {
        return start.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new CutterException(ExitCodes.INTERNAL, "the embedded sandbox could not start: " + e.getCause(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CutterException(ExitCodes.INTERNAL, "interrupted while the embedded sandbox started", e);
      }
    }

    /** Stops a server the proof never took (waiting for its start to finish first); one taken is the proof's to stop. */
    @Override
    public synchronized void close() {
      if (handedOver) {
        return;
      }
      handedOver = true;
      try {
        await().close();
      } catch (RuntimeException e) {
        // it never started: nothing to stop
      }
    }
  }
}
