package dev.cutter.cli;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;

/**
 * The annotations of {@code cutter apply}'s command class and of its mixins, read on a daemon
 * thread while picocli starts on the main thread with the root command. picocli reads them by
 * reflection, and the JDK makes each annotation an instance of a proxy class it generates on
 * first use (no class-data archive holds those): about a third of the verb's model in a profile.
 * What is read here is what picocli reads next, parsed once and cached by the JDK for whichever
 * thread asks first; the thread creates no command, reads no argument and writes nothing.
 */
final class ModelAhead implements Runnable {

  private final Class<?> verb;

  private ModelAhead(Class<?> verb) {
    this.verb = verb;
  }

  /** Starts the read for {@code apply ...}; returns the thread, or null for any other command line. */
  static Thread startFor(String... args) {
    if (args.length < 2 || !args[0].equals("apply")) {
      return null;
    }
    Thread t = new Thread(new ModelAhead(ApplyCommand.class), "cutter-model-ahead");
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public void run() {
    try {
      read(verb, new HashSet<>());
    } catch (RuntimeException | LinkageError e) {
      // nothing to do: picocli reads the same annotations on its own thread and meets whatever failed
    }
  }

  /** Reads the annotations of {@code type}, its fields and methods, and of every mixin or argument group it holds. */
  static int read(Class<?> type, Set<Class<?>> seen) {
    int read = 0;
    for (Class<?> c = type; c != null && c != Object.class && seen.add(c); c = c.getSuperclass()) {
      read += c.getDeclaredAnnotations().length;
      for (Field f : c.getDeclaredFields()) {
        read += f.getDeclaredAnnotations().length;
        if (f.isAnnotationPresent(Mixin.class) || f.isAnnotationPresent(ArgGroup.class)) {
          read += read(f.getType(), seen);
        }
      }
      for (Method m : c.getDeclaredMethods()) {
        read += m.getDeclaredAnnotations().length;
      }
    }
    return read;
  }
}
