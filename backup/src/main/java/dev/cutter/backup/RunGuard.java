package dev.cutter.backup;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Coordinates one backup run with its interruption (SIGINT/SIGTERM through a shutdown hook, or a
 * thread interrupt): either the run commits the file to its final name, or the interruption stops
 * the child processes and quarantines the partial file — never both, never neither.
 */
final class RunGuard {

  private final List<Process> processes = new CopyOnWriteArrayList<>();
  private String abortReason;
  private boolean committed;
  private Optional<Path> quarantined;
  private Supplier<Optional<Path>> quarantineAction = Optional::empty;

  void track(Process p) {
    processes.add(p);
    if (aborted()) {
      p.destroyForcibly();
    }
  }

  synchronized void onQuarantine(Supplier<Optional<Path>> action) {
    this.quarantineAction = action;
  }

  synchronized boolean aborted() {
    return abortReason != null;
  }

  synchronized String abortReason() {
    return abortReason;
  }

  /** Stops the run unless it already committed; kills the children; quarantines the partial. */
  void abort(String reason) {
    synchronized (this) {
      if (committed || abortReason != null) {
        return;
      }
      abortReason = reason;
    }
    processes.forEach(Process::destroyForcibly);
    quarantine();
  }

  /** Moves the partial file to quarantine once; later calls return where it went. */
  synchronized Optional<Path> quarantine() {
    if (quarantined == null) {
      quarantined = quarantineAction.get();
    }
    return quarantined;
  }

  /** Runs the commit step unless the run was aborted; after it, an abort changes nothing. */
  synchronized <T> Optional<T> commit(IoSupplier<T> step) throws java.io.IOException {
    if (abortReason != null) {
      return Optional.empty();
    }
    T result = step.get();
    committed = true;
    return Optional.of(result);
  }

  interface IoSupplier<T> {
    T get() throws java.io.IOException;
  }
}
