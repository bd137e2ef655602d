package dev.cutter.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The build's training run for the class-data archive (cli/pom.xml): loads, without initialising,
 * every class named in the class list (cli/src/cds/classes.txt, the classes real runs of backup,
 * apply, dry-run, preflight and the package verbs load), then runs cutter in-process, while the
 * JVM writes down every class loaded ({@code -XX:DumpLoadedClassList}) for the static archive the
 * build then dumps. So the commands that touch the database, the OpenPGP code and the backup
 * pipeline start from the archive too, although the build has no database to run them against.
 * With {@code --signed-verify EXAMPLE} the runs are the ones an approver and an operator make: a
 * key is generated, a copy of the example signed and verified against a trust policy naming that
 * key, then {@code preflight} and {@code apply} run on it up to a database that is not there
 * (the gates, the connection attempt, the report); otherwise the remaining arguments are one cutter command line. Not a cutter command.
 */
public final class ClassDataTraining {

  private ClassDataTraining() {}

  /** {@code CLASSLIST [CUTTER-ARGS...]}; prints how many listed classes were loaded. */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ClassDataTraining CLASSLIST [CUTTER-ARGS...] | --append-call-sites CLASSLIST SITES");
      System.exit(2);
    }
    if (args[0].equals("--append-call-sites") && args.length == 3) {
      System.out.println("call sites: " + appendCallSites(Path.of(args[1]), Path.of(args[2])) + " added");
      return;
    }
    List<String> names = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
    List<String> missing = load(names, ClassDataTraining.class.getClassLoader());
    int loaded = (int) names.stream().filter(ClassDataTraining::isClassName).count() - missing.size();
    System.out.println("class list: " + loaded + " loaded, " + missing.size() + " not found");
    if (args.length == 3 && args[1].equals("--signed-verify")) {
      int code = signedVerify(Path.of(args[2]));
      System.out.println("signed verify exited " + code);
      if (code != 0) {
        System.exit(1); // the build stops: an archive trained on a failing run would miss the verify path
      }
    } else if (args.length > 1) {
      System.out.println("training command exited " + run(Map.of(), Arrays.copyOfRange(args, 1, args.length)));
    }
  }

  /**
   * Generates a key, signs a copy of {@code example} with it, verifies it, and runs preflight and
   * apply on it against no database; returns verify's exit code.
   */
  static int signedVerify(Path example) throws IOException {
    Path dir = Files.createTempDirectory("cutter-training");
    try {
      Path pkg = dir.resolve("pkg");
      try (Stream<Path> files = Files.walk(example)) {
        for (Path f : files.toList()) {
          Path to = pkg.resolve(example.relativize(f).toString());
          if (Files.isDirectory(f)) {
            Files.createDirectories(to);
          } else {
            Files.copy(f, to);
          }
        }
      }
      Map<String, String> env = Map.of(PASSPHRASE_VAR, "class-data-training");
      Path keys = dir.resolve("keys");
      int generated = run(env, "keys", "generate", "--name", "Training <training@cutter.invalid>", "--out",
          keys.toString(), "--passphrase-env", PASSPHRASE_VAR);
      if (generated != 0) {
        return generated;
      }
      Files.writeString(keys.resolve("trust.yaml"), "keyring: training.pub.asc\nrequire: 1\n");
      int signed = run(env, "package", "sign", pkg.toString(), "--key", keys.resolve("training.sec.asc").toString(),
          "--passphrase-env", PASSPHRASE_VAR);
      if (signed != 0) {
        return signed;
      }
      String trust = keys.resolve("trust.yaml").toString();
      int verified = run(env, "package", "verify", pkg.toString(), "--trust", trust);
      // preflight and apply as far as a database that is not there (nothing listens on port 1):
      // the gates before it, the identity check's connection attempt and the BLOCKED report
      String nowhere = "postgresql://127.0.0.1:1/training";
      for (String verb : List.of("preflight", "apply")) {
        int code = run(env, verb, pkg.toString(), "--trust", trust, "--target", nowhere, "--report-dir",
            dir.resolve("reports").toString());
        System.out.println(verb + " without a database exited " + code);
      }
      return verified;
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static final String PASSPHRASE_VAR = "CUTTER_TRAINING_PASSPHRASE";

  /** One cutter command line in-process, its output discarded, with {@code env} as the environment options read. */
  private static int run(Map<String, String> env, String... args) {
    StringWriter sink = new StringWriter();
    CommandLine cl = CutterCommand.commandLineFor(new PrintWriter(sink), new PrintWriter(sink), args);
    if (!env.isEmpty()) {
      giveEnvironment(cl, env);
    }
    return cl.execute(args);
  }

  private static void giveEnvironment(CommandLine cl, Map<String, String> env) {
    for (CommandSpec mixin : cl.getCommandSpec().mixins().values()) {
      if (mixin.userObject() instanceof UsesEnvironment u) {
        u.environment(env);
      }
    }
    if (cl.getCommand() instanceof UsesEnvironment u) {
      u.environment(env);
    }
    cl.getSubcommands().values().forEach(sub -> giveEnvironment(sub, env));
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

  /**
   * Adds to the JVM-written class list {@code classList} the lines of {@code sites} (cli/src/cds/call-sites.txt)
   * that name call sites the training run cannot link, because they lie on the database path: the
   * lambdas ({@code @lambda-proxy}) and method-handle forms ({@code @lambda-form-invoker}) a real
   * apply links, written by a {@code -XX:DumpLoadedClassList} of one. The static dump links them
   * again and archives what they generate; a line whose lambda no longer exists (the code changed)
   * is skipped by the dump with a warning, so an old list costs start-up time, never the build.
   * Returns how many lines were added (those not already in the list).
   */
  static int appendCallSites(Path classList, Path sites) throws IOException {
    java.util.Set<String> have = new java.util.HashSet<>(Files.readAllLines(classList, StandardCharsets.UTF_8));
    StringBuilder add = new StringBuilder();
    int n = 0;
    for (String line : Files.readAllLines(sites, StandardCharsets.UTF_8)) {
      String s = line.strip();
      if ((s.startsWith("@lambda-proxy ") || s.startsWith("@lambda-form-invoker ")) && have.add(s)) {
        add.append(s).append('\n');
        n++;
      }
    }
    Files.writeString(classList, add.toString(), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    return n;
  }

  private static boolean isClassName(String line) {
    String s = line.strip();
    return !s.isEmpty() && !s.startsWith("#");
  }
}
