package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
 * Start-up of the built cutter (after {@code package}): {@code bin/cutter} runs the jar with the
 * class-data archive the build made next to it, the archive fits that jar (so a stale or unused
 * archive fails here rather than silently costing start-up time), and the commands load only
 * what they use. Every run goes through the launcher with the JVM that ran the build, with class
 * loading logged through {@code JAVA_TOOL_OPTIONS} (the launcher's own options unchanged).
 */
class StartupIT {

  private static final Path LAUNCHER = Path.of("..", "bin", "cutter").toAbsolutePath().normalize();
  private static final Path JAR = ChildCutter.JAR.toAbsolutePath();
  private static final Path ARCHIVE = Path.of("target", "cutter.jsa").toAbsolutePath();
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @TempDir static Path dir;
  private static Path pkg;
  private static Path trust;

  /** A signed copy of the 12-table example and a trust policy for its key, made through the launcher. */
  @BeforeAll
  static void signedExample() throws Exception {
    pkg = dir.resolve("pkg");
    Path example = Path.of("..", "packages-examples", "registry-12-tables");
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
    Map<String, String> env = Map.of("STARTUP_IT_PASS", "startup-it");
    Path keys = dir.resolve("keys");
    assertThat(launch(env, null, "keys", "generate", "--name", "Startup <startup@cutter.invalid>", "--out",
        keys.toString(), "--passphrase-env", "STARTUP_IT_PASS").exit()).isZero();
    trust = Files.writeString(keys.resolve("trust.yaml"), "keyring: startup.pub.asc\nrequire: 1\n");
    assertThat(launch(env, null, "package", "sign", pkg.toString(), "--key", keys.resolve("startup.sec.asc").toString(),
        "--passphrase-env", "STARTUP_IT_PASS").exit()).isZero();
  }

  @Test
  void theArchiveTheBuildMadeFitsItsJarAndAStaleOneIsRefusedUnderXshareOn() throws Exception {
    assertThat(ARCHIVE).exists();
    Cli fits = java("-Xshare:on", "-XX:SharedArchiveFile=" + ARCHIVE, "-jar", JAR.toString(), "--version");
    assertThat(fits.exit()).as(fits.err()).isZero();
    assertThat(fits.out()).startsWith("cutter ");

    // the same jar elsewhere (a copy: another path, another modification time) no longer fits:
    // this is what -Xshare:on detects, so the assertion above can fail
    Path moved = Files.createDirectories(dir.resolve("moved"));
    Files.copy(JAR, moved.resolve("cutter.jar"));
    Files.copy(ARCHIVE, moved.resolve("cutter.jsa"), StandardCopyOption.REPLACE_EXISTING);
    Cli stale = java("-Xshare:on", "-XX:SharedArchiveFile=" + moved.resolve("cutter.jsa"), "-jar",
        moved.resolve("cutter.jar").toString(), "--version");
    assertThat(stale.exit()).isEqualTo(1);
    assertThat(stale.out() + stale.err()).contains("Unable to use shared archive");
  }

  @Test
  void versionStartsFromTheArchiveAndLoadsNoLibraryItDoesNotUse() throws Exception {
    Loaded v = loaded("version", "--version");
    assertThat(v.run.exit()).isZero();
    assertThat(v.run.out()).startsWith("cutter ");
    assertThat(v.shared("dev.cutter.cli.Main", "dev.cutter.cli.CutterCommand", "picocli.CommandLine")).isTrue();
    // no verb model is built for --version (a verb's option groups are not even loaded), and neither
    // Jackson nor Bouncy Castle nor SnakeYAML is touched
    assertThat(v.names()).doesNotContain("dev.cutter.cli.ConnectionOptions", "dev.cutter.cli.TrustOptions",
        "dev.cutter.cli.PackageArgument", "com.fasterxml.jackson.databind.ObjectMapper");
    assertThat(v.names()).noneMatch(n -> n.startsWith("org.bouncycastle.") || n.startsWith("org.yaml."));
    assertThat(v.sharedShare()).isGreaterThan(0.95);
    // picocli's Java 5 class files included: none is loaded from the jar
    assertThat(v.notShared()).noneMatch(n -> n.startsWith("picocli.") || n.startsWith("dev.cutter."));
  }

  @Test
  void aVerbsHelpLoadsNoCryptoAndNoJson() throws Exception {
    Loaded h = loaded("apply-help", "apply", "--help");
    assertThat(h.run.exit()).isZero();
    assertThat(h.names()).noneMatch(n -> n.startsWith("org.bouncycastle.") || n.startsWith("com.fasterxml.jackson.databind."));
    assertThat(h.shared("dev.cutter.cli.ApplyCommand", "picocli.CommandLine$Help")).isTrue();
  }

  @Test
  void packageVerifyStartsFromTheArchiveWithItsLibrariesAndWritesNoJson() throws Exception {
    Loaded v = loaded("verify", "package", "verify", pkg.toString(), "--trust", trust.toString());
    assertThat(v.run.exit()).as(v.run.err()).isZero();
    assertThat(v.run.out()).contains("integrity: PASS");
    assertThat(v.shared("dev.cutter.core.integrity.IntegrityVerifier", "org.yaml.snakeyaml.composer.Composer",
        "org.bouncycastle.openpgp.PGPSignature", "picocli.CommandLine")).isTrue();
    assertThat(v.names()).doesNotContain("com.fasterxml.jackson.databind.ObjectMapper");
    // the package and the trust policy are composed to nodes only: no Yaml object, representer or constructor
    assertThat(v.names()).doesNotContain("org.yaml.snakeyaml.Yaml", "org.yaml.snakeyaml.representer.Representer",
        "org.yaml.snakeyaml.constructor.Constructor", "org.yaml.snakeyaml.introspector.PropertyUtils");
    assertThat(v.sharedShare()).isGreaterThan(0.95);
    assertThat(v.notShared()).noneMatch(n -> n.startsWith("picocli.") || n.startsWith("dev.cutter.")
        || n.startsWith("org.bouncycastle.") || n.startsWith("org.yaml."));
  }

  @Test
  void preflightStartsFromTheArchiveAndSetsUpLoggingWithoutXml() throws Exception {
    // nothing listens on port 1: the gates, the connection attempt and the BLOCKED report
    Loaded p = loaded("preflight", "preflight", pkg.toString(), "--trust", trust.toString(), "--target",
        "postgresql://127.0.0.1:1/startup", "--report-dir", dir.resolve("reports").toString());
    assertThat(p.run.exit()).as(p.run.out() + p.run.err()).isEqualTo(3);
    assertThat(p.shared("dev.cutter.core.run.PreflightRun", "org.postgresql.Driver",
        "com.fasterxml.jackson.databind.ObjectMapper", "ch.qos.logback.classic.LoggerContext", "dev.cutter.cli.LogSetup",
        "dev.cutter.cli.LogProvider"))
        .isTrue();
    assertThat(p.names()).doesNotContain("ch.qos.logback.classic.joran.JoranConfigurator",
        "javax.xml.parsers.SAXParserFactory");
    assertThat(p.sharedShare()).isGreaterThan(0.95);
  }

  /**
   * The runnable jar logs through cutter's own SLF4J provider ({@link LogProvider}): logback is
   * set up without its auto-configuration (no configurator search, no version check) and without
   * the pattern layout, and a warning reads as it did: the password file's warning of a run whose
   * password file others may read. Failed with logback's provider in the jar (ContextInitializer
   * and PatternLayout loaded).
   */
  @Test
  void theJarLogsThroughCuttersOwnProviderInTheSameLine() throws Exception {
    Path open = Files.writeString(dir.resolve("open.pgpass"), "*:1:*:*:startup-pass-31\n");
    Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    Loaded p = loaded("logging", Map.of("PGPASSFILE", open.toString()), "preflight", pkg.toString(),
        "--trust", trust.toString(), "--target", "postgresql://127.0.0.1:1/startup", "--report-dir",
        dir.resolve("reports").toString());
    assertThat(p.run.exit()).as(p.run.out() + p.run.err()).isEqualTo(3);
    assertThat(p.run.err().lines().filter(l -> l.startsWith("cutter: ")).toList()).containsExactly(
        "cutter: WARN PassFile: password file \"" + open + "\" has group or world access; permissions should be u=rw"
            + " (0600) or less");
    assertThat(p.run.out() + p.run.err()).doesNotContain("startup-pass-31", "SLF4J");
    assertThat(p.shared("dev.cutter.cli.LogProvider", "dev.cutter.cli.MaskedLayout",
        "ch.qos.logback.classic.LoggerContext")).isTrue();
    assertThat(p.names()).doesNotContain("ch.qos.logback.classic.spi.LogbackServiceProvider",
        "ch.qos.logback.classic.util.ContextInitializer", "ch.qos.logback.classic.PatternLayout");
  }

  /**
   * The launcher's JIT directives (bin/cutter.jit): C2 compiles only the JDK's digests and
   * ciphers and the backup; the digest of a large artifact still reaches C2
   * (its SHA-256 instructions), cutter's own code is compiled by C1 without profiling (no method of
   * it at tier 2 or 3: it failed with the launcher of session 12, whose methods took tier 3 first),
   * and the JVM's note about the directives stays off stdout.
   */
  @Test
  void c2CompilesOnlyTheDigestsCiphersAndTheBackupAndTheLauncherPrintsNothingOfItsOwn()
      throws Exception {
    Path big = dir.resolve("big");
    Path example = Path.of("..", "packages-examples", "registry-12-tables");
    try (Stream<Path> files = Files.walk(example)) {
      for (Path f : files.toList()) {
        Path to = big.resolve(example.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else {
          Files.copy(f, to);
        }
      }
    }
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      line.append("create table t").append(i).append(" (id bigint); -- ").append("x".repeat(40)).append('\n');
    }
    byte[] block = line.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (var out = Files.newOutputStream(big.resolve("ddl").resolve("create-registry.sql"),
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
      for (long written = 0; written < 48L << 20; written += block.length) {
        out.write(block);
      }
    }
    Path log = dir.resolve("jit.log");
    Cli hash = launch(Map.of(), "-Xlog:jit+compilation=debug:file=" + log, "package", "hash", big.toString());
    assertThat(hash.exit()).as(hash.out() + hash.err()).isZero();
    assertThat(hash.out()).doesNotContain("directives");

    // [0.238s][debug][jit,compilation]   91 %     4       java.util.zip.ZipCoder::checkedHash @ 14 (91 bytes)
    java.util.regex.Pattern compiled = java.util.regex.Pattern.compile("\\]\\s+\\d+\\s+[%sbn! ]*([0-4])\\s+([\\w.$]+)::");
    List<String> c2 = new ArrayList<>();
    List<String> c1 = new ArrayList<>();
    List<String> profiled = new ArrayList<>();
    for (String l : Files.readAllLines(log)) {
      java.util.regex.Matcher m = compiled.matcher(l);
      if (m.find()) {
        (m.group(1).equals("4") ? c2 : c1).add(m.group(2));
        if (m.group(1).equals("3") || m.group(1).equals("2")) {
          profiled.add(m.group(2));
        }
      }
    }
    // no method of cutter's goes through C1's profiled code (tiers 2 and 3) on its way to a C2 that refuses it
    assertThat(profiled).as("compiled by C1 with profiling").noneMatch(c -> c.startsWith("dev.cutter."));
    assertThat(profiled.size()).as("all compiled with profiling: " + profiled).isLessThan(c1.size() / 20);
    assertThat(c1).as("compilations were logged").hasSizeGreaterThan(100);
    assertThat(c2).as("the digest's loop reached C2").anyMatch(c -> c.startsWith("sun.security.provider."));
    assertThat(c2).allMatch(c -> Stream.of("sun.security.provider.", "com.sun.crypto.provider.", "dev.cutter.backup.")
        .anyMatch(c::startsWith), "in a package of cutter.jit's first block");
    assertThat(c1).as("cutter's own code is compiled, by C1").anyMatch(c -> c.startsWith("dev.cutter.core."));

    Cli version = launch(Map.of(), null, "--version");
    assertThat(version.exit()).as(version.err()).isEqualTo(0);
    assertThat(version.out()).startsWith("cutter ").doesNotContain("directives");
    assertThat(version.err()).isEmpty();
  }

  /**
   * With C2 kept for the digests, ciphers and the backup only, the launcher puts C1's profiled tier
   * (3) out of reach and sends a method from the interpreter, which profiles it from the start,
   * to C2 once it ran 200 times: C2 compiles what cutter.jit lets it, and C1 compiles every other
   * method once, at tier 1. The JVM reports the values in force (a JVM that ignored one would not).
   */
  @Test
  void theLauncherSendsMethodsPastC1sProfiledTier() throws Exception {
    Path log = dir.resolve("flags.log");
    Cli version = launch(Map.of(), "-XX:+UnlockDiagnosticVMOptions -XX:+LogVMOutput -XX:LogFile=" + log
        + " -XX:+PrintFlagsFinal", "--version");
    assertThat(version.exit()).as(version.err()).isZero();
    assertThat(version.out()).as("the flags go to the log, not to stdout").startsWith("cutter ")
        .doesNotContain("Tier3");
    Map<String, String> flags = new java.util.HashMap<>();
    java.util.regex.Pattern flag = java.util.regex.Pattern.compile("^\\s*intx\\s+(Tier[034]\\w+)\\s+=\\s+(\\d+)\\s");
    for (String l : new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
      java.util.regex.Matcher m = flag.matcher(l);
      if (m.find()) {
        flags.put(m.group(1), m.group(2));
      }
    }
    assertThat(flags).containsEntry("Tier3InvocationThreshold", "100000").containsEntry("Tier3MinInvocationThreshold", "100000")
        .containsEntry("Tier3CompileThreshold", "1000000").containsEntry("Tier3BackEdgeThreshold", "10000000")
        .containsEntry("Tier0ProfilingStartPercentage", "0")
        .containsEntry("Tier4InvocationThreshold", "200").containsEntry("Tier4MinInvocationThreshold", "100")
        .containsEntry("Tier4CompileThreshold", "2000").containsEntry("Tier4BackEdgeThreshold", "60000");
    // no performance-data file (hsperfdata) is made and removed on each start
    assertThat(new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.UTF_8).lines()
        .filter(l -> l.matches("^\\s*bool\\s+UsePerfData\\s+=.*"))).singleElement().asString().contains("= false");
  }

  /** The classes one launcher run loaded: name to "from the archive". */
  private record Loaded(Cli run, Map<String, Boolean> classes) {

    List<String> names() {
      return new ArrayList<>(classes.keySet());
    }

    /** Every one of {@code names} was loaded, from the archive. */
    boolean shared(String... names) {
      for (String n : names) {
        assertThat(classes).as("loaded: " + n).containsKey(n);
        assertThat(classes.get(n)).as("from the class-data archive: " + n).isTrue();
      }
      return true;
    }

    /** The classes read from the jar or the JDK rather than the archive. */
    List<String> notShared() {
      return classes.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
    }

    /** The share of the classes read from a class file (not generated at run time) that came from the archive. */
    double sharedShare() {
      long shared = classes.values().stream().filter(b -> b).count();
      return (double) shared / classes.size();
    }
  }

  private static Loaded loaded(String name, String... args) throws Exception {
    return loaded(name, Map.of(), args);
  }

  private static Loaded loaded(String name, Map<String, String> env, String... args) throws Exception {
    Path log = dir.resolve(name + ".classes.log");
    Cli run = launch(env, "-Xlog:class+load=info:file=" + log, args);
    Map<String, Boolean> classes = new LinkedHashMap<>();
    for (String line : Files.readAllLines(log)) {
      // [0.031s][info][class,load] NAME source: SOURCE
      String[] f = line.split(" ", 4);
      if (f.length < 4 || !f[2].equals("source:")) {
        continue;
      }
      String source = f[3];
      boolean generated = f[1].contains("$$Lambda") || f[1].contains("/0x") || source.startsWith("__")
          || f[1].startsWith("jdk.internal.reflect.Generated") || f[1].startsWith("jdk.proxy")
          || f[1].startsWith("java.lang.invoke.LambdaForm$") || f[1].startsWith("java.lang.invoke.BoundMethodHandle$Species");
      if (!generated) {
        classes.put(f[1], source.startsWith("shared objects file"));
      }
    }
    assertThat(classes).as("class loading was logged").hasSizeGreaterThan(400);
    return new Loaded(run, classes);
  }

  /** bin/cutter with the build's jar and JVM; {@code jvmLog} (if any) reaches the JVM through JAVA_TOOL_OPTIONS. */
  private static Cli launch(Map<String, String> env, String jvmLog, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("CUTTER_JAVA_OPTS");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().put("CUTTER_JAR", JAR.toString());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    if (jvmLog != null) {
      pb.environment().put("JAVA_TOOL_OPTIONS", jvmLog);
    }
    pb.environment().putAll(env);
    return run(pb);
  }

  private static Cli java(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(JAVA));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    return run(pb);
  }

  private static Cli run(ProcessBuilder pb) throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "out-", ".txt");
    Path err = Files.createTempFile(dir, "err-", ".txt");
    Process p = pb.directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished").isTrue();
    return new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
  }
}
