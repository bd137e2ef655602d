package dev.cutter.cli;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * {@code cutter apply PKG}'s package, read while picocli builds the verb's model and parses the
 * command line: both are computing on one core (together about a fifth of (a)'s whole run), the
 * other would wait. The read is a guess made from the raw arguments ({@code apply} first, then a
 * word that is neither an option nor an argument file); the verb takes it only for the path
 * picocli parsed, else it reads as before. The read-ahead only reads the package's files (as
 * {@link RunSupport#load} does: no connection, no output, no write); a read that failed is read
 * again on the verb's thread, so that a bad package fails with the same exception, message and
 * stack trace as without it.
 *
 * <p>Before the package, the same thread sets up logging (logback, configured by {@link LogSetup}):
 * the run's first logger (the password file's, read right after the load) would otherwise do it on
 * the verb's thread, some 250 classes and a dozen generated method-handle forms. Setting it up
 * prints nothing and is the same on any thread.
 */
final class PackageReadAhead implements Runnable {

  /** The read started for this process, taken (once) by the verb. */
  private static volatile PackageReadAhead started;

  private final Path path;
  private final FutureTask<RunSupport.Loaded> task;

  private PackageReadAhead(Path path) {
    this.path = path;
    this.task = new FutureTask<>(new Read(path));
  }

  /**
   * Starts reading the package {@code args} name when they are {@code apply PKG ...}; returns the
   * thread, or null when the arguments name no package this way (or the name is no path).
   */
  static Thread startFor(String... args) {
    if (args.length < 2 || !args[0].equals("apply") || args[1].isEmpty() || args[1].startsWith("-")
        || args[1].startsWith("@")) {
      return null;
    }
    Path path;
    try {
      path = Path.of(args[1]);
    } catch (RuntimeException e) {
      return null; // picocli says what is wrong with it
    }
    PackageReadAhead ahead = new PackageReadAhead(path);
    Thread t = new Thread(ahead, "cutter-package-read");
    t.setDaemon(true);
    started = ahead;
    t.start();
    return t;
  }

  /** The read-ahead's thread: logging, then the package. */
  @Override
  public void run() {
    setUpLogging();
    task.run();
  }

  /**
   * The package's read. Named classes rather than lambdas (here and the thread's body): the
   * class-data archive holds them, where a lambda would be spun on the main thread at its first use.
   */
  private record Read(Path path) implements java.util.concurrent.Callable<RunSupport.Loaded> {
    @Override
    public RunSupport.Loaded call() {
      return RunSupport.load(path);
    }
  }

  /** Logging as the run's first logger would set it up; a failure is left for that logger to meet. */
  static void setUpLogging() {
    try {
      org.slf4j.LoggerFactory.getILoggerFactory();
    } catch (RuntimeException | LinkageError e) {
      // the verb's first logger meets it again and says what is wrong
    }
  }

  /**
   * The package at {@code path}: the read started ahead when it was for this path and succeeded,
   * else read now ({@link RunSupport#load}), with what that throws.
   */
  static RunSupport.Loaded load(Path path) {
    PackageReadAhead ahead = started;
    started = null;
    if (ahead != null && ahead.path.equals(path)) {
      try {
        return ahead.task.get();
      } catch (ExecutionException e) {
        // read again below: the failure as the verb's own read throws it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return RunSupport.load(path);
  }
}
