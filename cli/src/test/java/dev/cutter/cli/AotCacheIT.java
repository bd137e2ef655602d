package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/cutter on a JDK 25+ installed under /usr/lib/jvm (after {@code package}): without JAVA_HOME
 * the launcher prefers it and starts from the ahead-of-time cache next to the jar (the build made
 * it), ignores silently a cache made for another jar or by another JVM, makes the cache on an
 * installed copy's first run, and leaves JAVA_HOME and CUTTER_JAVA_OPTS in charge. Skipped where no
 * such JDK is installed (the launcher then runs as before, StartupIT).
 */
class AotCacheIT {

  private static final Path LAUNCHER = Path.of("..", "bin", "cutter").toAbsolutePath().normalize();
  private static final Path JAR = ChildCutter.JAR.toAbsolutePath();
  private static final Path EXAMPLE = Path.of("..", "packages-examples", "registry-12-tables").toAbsolutePath().normalize();

  @TempDir static Path dir;
  private static Jdk jdk;

  /** A JDK under /usr/lib/jvm: its directory, feature release and exact runtime version (its release file). */
  record Jdk(Path home, int feature, String runtime) {

    /** The cache bin/cutter uses for {@code jar} on this JDK. */
    Path cacheFor(Path jar) {
      String name = jar.getFileName().toString();
      return jar.resolveSibling(name.substring(0, name.length() - 4) + ".jdk-" + home.getFileName() + "-" + runtime + ".aot");
    }
  }

  @BeforeAll
  static void newestJdk25() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvms)) {
      try (Stream<Path> homes = Files.list(jvms)) {
        for (Path home : homes.sorted().toList()) {
          Path release = home.resolve("release");
          if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin/java"))) {
            continue;
          }
          String version = null;
          String runtime = null;
          for (String l : Files.readAllLines(release)) {
            if (l.startsWith("JAVA_VERSION=\"")) {
              version = l.substring(14).replaceAll("[^0-9].*", "");
            } else if (l.startsWith("JAVA_RUNTIME_VERSION=\"")) {
              runtime = l.substring(22, l.length() - 1);
            }
          }
          if (version != null && !version.isEmpty() && Integer.parseInt(version) >= 25
              && (jdk == null || Integer.parseInt(version) > jdk.feature())) {
            jdk = new Jdk(home, Integer.parseInt(version), runtime);
          }
        }
      }
    }
    assumeTrue(jdk != null, "no JDK 25+ under /usr/lib/jvm");
  }

  @Test
  void withoutJavaHomeTheLauncherPrefersTheJdk25AndStartsFromTheCacheTheBuildMade() throws Exception {
    Path cache = jdk.cacheFor(JAR);
    assertThat(cache).exists();
    assertThat(Files.getLastModifiedTime(cache)).isGreaterThan(Files.getLastModifiedTime(JAR));

    Cli plain = launch(LAUNCHER, JAR, env(null, null), "--version");
    assertThat(plain.exit()).as(plain.err()).isZero();
    assertThat(plain.out()).startsWith("cutter ").contains("Java " + jdk.feature() + ".");
    assertThat(plain.err()).isEmpty();

    Loaded v = loaded(LAUNCHER, JAR, env(null, null), "version", "--version");
    assertThat(v.shared("dev.cutter.cli.Main", "dev.cutter.cli.CutterCommand")).isTrue();
    assertThat(v.sharedShare()).isGreaterThan(0.9);

    // the database path: trained by the build's dry-run, so it comes from the cache as well
    Loaded p = loaded(LAUNCHER, JAR, env(null, null), "preflight", "preflight", EXAMPLE.toString(), "--target",
        "postgresql://127.0.0.1:1/aot", "--report-dir", dir.resolve("reports").toString());
    assertThat(p.run.exit()).as(p.run.out() + p.run.err()).isEqualTo(3);
    assertThat(p.shared("dev.cutter.core.run.PreflightRun", "org.postgresql.Driver",
        "com.fasterxml.jackson.databind.ObjectMapper", "ch.qos.logback.classic.LoggerContext")).isTrue();
    assertThat(p.sharedShare()).isGreaterThan(0.9);
  }

  @Test
  void aCacheMadeForAnotherJarOrByAnotherJvmIsIgnoredSilentlyAndTheCommandStillWorks() throws Exception {
    Path cache = jdk.cacheFor(JAR);
    assertThat(cache).exists();
    // the same jar elsewhere: another path and modification time than the cache was made for
    Path other = Files.createDirectories(dir.resolve("other")).resolve("cutter.jar");
    Files.copy(JAR, other);
    Path misplaced = jdk.cacheFor(other);
    Files.copy(cache, misplaced);
    Files.setLastModifiedTime(misplaced, FileTime.fromMillis(System.currentTimeMillis() + 60_000));

    Cli plain = launch(LAUNCHER, other, env(null, null), "--version");
    assertThat(plain.exit()).as(plain.err()).isZero();
    assertThat(plain.out()).startsWith("cutter ").contains("Java " + jdk.feature() + ".");
    assertThat(plain.err()).isEmpty();
    Loaded v = loaded(LAUNCHER, other, env(null, null), "other-jar", "--version");
    assertThat(v.run.exit()).isZero();
    assertThat(v.classes).containsEntry("dev.cutter.cli.Main", false);
    // the launcher neither made another cache nor replaced this one
    assertThat(Files.getLastModifiedTime(misplaced).toMillis()).isGreaterThan(System.currentTimeMillis());

    // a class-data archive of JDK 17 under the cache's name: refused as well, silently
    Path jsa = Path.of("target", "cutter.jsa").toAbsolutePath();
    assertThat(jsa).exists();
    Files.copy(jsa, misplaced, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setLastModifiedTime(misplaced, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
    Cli other17 = launch(LAUNCHER, other, env(null, null), "--version");
    assertThat(other17.exit()).as(other17.err()).isZero();
    assertThat(other17.out()).startsWith("cutter ");
    assertThat(other17.err()).isEmpty();
    Loaded w = loaded(LAUNCHER, other, env(null, null), "other-jvm", "--version");
    assertThat(w.classes).containsEntry("dev.cutter.cli.Main", false);
  }

  @Test
  void anInstalledCopyMakesItsCacheOnlyWhenAskedAndStartsFromItOnTheNext() throws Exception {
    // the installed layout: bin/cutter, lib/cutter.jar, lib/cutter.training (the example)
    Path home = dir.resolve("installed");
    Path launcher = Files.createDirectories(home.resolve("bin")).resolve("cutter");
    Files.copy(LAUNCHER, launcher);
    Path jar = Files.createDirectories(home.resolve("lib")).resolve("cutter.jar");
    Files.copy(JAR, jar);
    try (Stream<Path> files = Files.walk(EXAMPLE)) {
      for (Path f : files.toList()) {
        Path to = home.resolve("lib/cutter.training").resolve(EXAMPLE.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    }
    // an ordinary first run (an apply on a production host, say) trains nothing and starts no server
    Cli ordinary = launch(launcher, null, env(null, null), "--version");
    assertThat(ordinary.exit()).as(ordinary.err()).isZero();
    assertThat(ordinary.err()).isEmpty();
    assertThat(ordinary.out()).startsWith("cutter ").doesNotContain("Java " + jdk.feature() + ".");
    assertThat(jdk.cacheFor(jar)).doesNotExist();
    try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
      assertThat(lib.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".aot"));
    }

    Map<String, String> train = env(null, null);
    train.put("CUTTER_AOT_TRAIN", "1");
    Cli first = launch(launcher, null, train, "--version");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).startsWith("cutter ").contains("Java " + jdk.feature() + ".");
    assertThat(first.err()).isEmpty();
    assertThat(jdk.cacheFor(jar)).exists();
    try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
      // the training left nothing else behind (no report directory, no partial cache)
      assertThat(lib.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("cutter.jar", jdk.cacheFor(jar).getFileName().toString(), "cutter.training");
    }
    assertThat(home.resolve("cutter-reports")).doesNotExist();

    Loaded second = loaded(launcher, null, env(null, null), "installed", "--version");
    assertThat(second.shared("dev.cutter.cli.Main")).isTrue();
  }

  @Test
  void javaHomeAndCutterJavaOptsStillDecide() throws Exception {
    // JAVA_HOME names the JVM: the build's JDK 17 runs, from its class-data archive
    String java17 = System.getProperty("java.home");
    Loaded on17 = loaded(LAUNCHER, JAR, env(java17, null), "java-home", "--version");
    assertThat(on17.run.exit()).isZero();
    assertThat(on17.run.out()).contains("Java " + Runtime.version().feature() + ".");
    assertThat(on17.shared("dev.cutter.cli.Main")).isTrue();

    // JAVA_HOME naming the JDK 25 (as the launcher would pick it): the cache is used
    Loaded on25 = loaded(LAUNCHER, JAR, env(jdk.home().toString(), null), "java-home-25", "--version");
    assertThat(on25.run.out()).contains("Java " + jdk.feature() + ".");
    assertThat(on25.shared("dev.cutter.cli.Main")).isTrue();

    // CUTTER_JAVA_OPTS replaces every option of the launcher, the cache included
    Loaded replaced = loaded(LAUNCHER, JAR, env(null, "-XX:+UseSerialGC"), "opts", "--version");
    assertThat(replaced.run.exit()).isZero();
    assertThat(replaced.run.out()).contains("Java " + jdk.feature() + ".");
    assertThat(replaced.classes).containsEntry("dev.cutter.cli.Main", false);
  }

  private record Loaded(Cli run, Map<String, Boolean> classes) {

    boolean shared(String... names) {
      for (String n : names) {
        assertThat(classes).as("loaded: " + n).containsKey(n);
        assertThat(classes.get(n)).as("from the cache: " + n).isTrue();
      }
      return true;
    }

    double sharedShare() {
      return (double) classes.values().stream().filter(b -> b).count() / classes.size();
    }
  }

  private static Map<String, String> env(String javaHome, String javaOpts) {
    Map<String, String> env = new LinkedHashMap<>();
    if (javaHome != null) {
      env.put("JAVA_HOME", javaHome);
    }
    if (javaOpts != null) {
      env.put("CUTTER_JAVA_OPTS", javaOpts);
    }
    return env;
  }

  private static Loaded loaded(Path launcher, Path jar, Map<String, String> env, String name, String... args)
      throws Exception {
    Path log = dir.resolve(name + ".classes.log");
    Map<String, String> logged = new LinkedHashMap<>(env);
    logged.put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log);
    Cli run = launch(launcher, jar, logged, args);
    Map<String, Boolean> classes = new LinkedHashMap<>();
    for (String line : Files.readAllLines(log)) {
      // [0.031s][info][class,load] NAME source: SOURCE
      String[] f = line.split(" ", 4);
      if (f.length < 4 || !f[2].equals("source:")) {
        continue;
      }
      boolean generated = f[1].contains("$$Lambda") || f[1].contains("/0x") || f[3].startsWith("__")
          || f[1].startsWith("jdk.internal.reflect.Generated") || f[1].startsWith("jdk.proxy")
          || f[1].startsWith("java.lang.invoke.LambdaForm$") || f[1].startsWith("java.lang.invoke.BoundMethodHandle$Species");
      if (!generated) {
        classes.put(f[1], f[3].startsWith("shared objects file"));
      }
    }
    assertThat(classes).as("class loading was logged").hasSizeGreaterThan(400);
    return new Loaded(run, classes);
  }

  /** {@code launcher} with {@code jar} (null: the one next to the launcher); JAVA_HOME unset unless {@code env} sets it. */
  private static Cli launch(Path launcher, Path jar, Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("CUTTER_JAVA_OPTS");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().remove("JAVA_HOME");
    pb.environment().remove("CUTTER_JAR");
    if (jar != null) {
      pb.environment().put("CUTTER_JAR", jar.toString());
    }
    pb.environment().putAll(env);
    Path out = Files.createTempFile(dir, "out-", ".txt");
    Path err = Files.createTempFile(dir, "err-", ".txt");
    Process p = pb.directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("finished").isTrue();
    String stderr = Files.readString(err);
    if (env.containsKey("JAVA_TOOL_OPTIONS")) {
      // the JVM names the options it picked up; nothing else may reach stderr
      stderr = stderr.replaceFirst("^Picked up JAVA_TOOL_OPTIONS: [^\n]*\n", "");
    }
    return new Cli(p.exitValue(), Files.readString(out), stderr);
  }
}
