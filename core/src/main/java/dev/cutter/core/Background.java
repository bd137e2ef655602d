package dev.cutter.core;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/** Work started on a daemon thread of its own and awaited whole (a login, a report's Markdown). */
public final class Background {

  private Background() {}

  /** {@code work} running on a new daemon thread named {@code name}. */
  public static <T> FutureTask<T> start(String name, Callable<T> work) {
    FutureTask<T> task = new FutureTask<>(work);
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.start();
    return task;
  }

  /**
   * What {@code task} returned; what it threw, rethrown as it was when it is a {@code thrown}, a
   * runtime exception or an error. An interrupt does not stop the wait (work under way ends by
   * itself and must end whole): it is kept and set again afterwards.
   */
  public static <T, X extends Exception> T await(Future<T> task, Class<X> thrown) throws X {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return task.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (thrown.isInstance(cause)) {
        throw thrown.cast(cause);
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
