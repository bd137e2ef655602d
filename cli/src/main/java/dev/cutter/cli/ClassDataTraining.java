package dev.cutter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The build's training run for the class-data archive (cli/pom.xml, {@code -XX:ArchiveClassesAtExit}):
 * loads, without initialising, every class named in the class list (cli/src/cds/classes.txt,
 * the classes real runs of backup, apply, dry-run, preflight and the package verbs load), then
 * runs one cutter command line in-process. The JVM archives what was loaded when it exits, so
 * the commands that touch the database, the OpenPGP code and the backup pipeline start from the
 * archive too, although the build has no database to run them against. Not a cutter command.
 */
public final class ClassDataTraining {

  private ClassDataTraining() {}

  /** {@code CLASSLIST [CUTTER-ARGS...]}; prints how many listed classes were loaded. */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ClassDataTraining CLASSLIST [CUTTER-ARGS...]");
      System.exit(2);
    }
    List<String> names = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
    List<String> missing = load(names, ClassDataTraining.class.getClassLoader());
    int loaded = (int) names.stream().filter(ClassDataTraining::isClassName).count() - missing.size();
    System.out.println("class list: " + loaded + " loaded, " + missing.size() + " not found");
    if (args.length > 1) {
      StringWriter sink = new StringWriter();
      int code = Main.run(new PrintWriter(sink), new PrintWriter(sink),
          Arrays.copyOfRange(args, 1, args.length));
      System.out.println("training command exited " + code);
    }
  }

  /**
   * Loads, without initialising, every class named in {@code lines} (blank lines and {@code #}
   * comments skipped) and returns the names that could not be loaded: a class list older than the
   * jar, whose missing classes are simply not archived.
   */
  static List<String> load(List<String> lines, ClassLoader loader) {
    List<String> missing = new ArrayList<>();
    for (String line : lines) {
      if (!isClassName(line)) {
        continue;
      }
      String name = line.strip();
      try {
        Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        missing.add(name);
      }
    }
    return missing;
  }

  private static boolean isClassName(String line) {
    String s = line.strip();
    return !s.isEmpty() && !s.startsWith("#");
  }
}
