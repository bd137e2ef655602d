package dev.cutter.backup;

import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The restore proof's reading of the source at the dump's snapshot, started once pg_dump has
 * exited 0 rather than beside it: the counts scan every table of the source, and while pg_dump
 * runs they would take CPU from the dump and from the restore that follows it, which is the
 * proof's critical path; once the dump is over they run while the restore finishes (its last
 * rows, then its indexes, which leave a core idle). The transaction, hence the snapshot, is the
 * same whenever they run: the catalog session stays open until {@link #settle} returns.
 */
final class SourceCount {

  private final FutureTask<ScopeState> task;
  private final AtomicBoolean started = new AtomicBoolean();

  SourceCount(Callable<ScopeState> read) {
    this.task = new FutureTask<>(read);
  }

  /** Starts the reading on its own thread; later calls do nothing. */
  void start() {
    if (started.compareAndSet(false, true)) {
      Thread t = new Thread(task, "cutter-backup source counts");
      t.setDaemon(true);
      t.start();
    }
  }

  boolean started() {
    return started.get();
  }

  /** The source's state; waits for it, and starts it first if it was not started. */
  ScopeState get() throws SQLException, InterruptedException {
    start();
    try {
      return task.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException s) {
        throw s;
      }
      throw new SQLException(String.valueOf(e.getCause()), e.getCause());
    }
  }

  /**
   * Before the catalog session closes: a reading never started is cancelled (it will not start),
   * one under way is waited for, so that nothing uses the session after it is closed.
   */
  void settle() {
    if (started.compareAndSet(false, true)) {
      task.cancel(false);
      return;
    }
    try {
      task.get();
    } catch (ExecutionException | CancellationException e) {
      // reported where the state is used
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
