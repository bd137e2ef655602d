package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/cutter with a stand-in JDK 25 (JAVA_HOME: a release file and a java that records how it was
 * called, and writes the cache it is asked for): what the training run and the command receive.
 */
class LauncherTrainingTest {

  private static final Path LAUNCHER = Path.of("..", "bin", "cutter").toAbsolutePath().normalize();

  @TempDir Path dir;

  /** One call of the stand-in java: the environment it saw and its arguments, one by one. */
  record Call(String jdkJavaOptions, String javaToolOptions, String underscoreJavaOptions, List<String> args) {
    boolean training() {
      return args.stream().anyMatch(a -> a.startsWith("-XX:AOTCacheOutput="));
    }
  }

  private Path fakeJdk(int feature) throws Exception {
    Path jdk = Files.createDirectories(dir.resolve("jdk-" + feature));
    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"" + feature + ".0.1\"\nJAVA_RUNTIME_VERSION=\"" + feature
        + ".0.1+8-LTS\"\n");
    Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\n"
        + "{ echo \"call ${JDK_JAVA_OPTIONS-<unset>}|${JAVA_TOOL_OPTIONS-<unset>}|${_JAVA_OPTIONS-<unset>}\"; for a in \"$@\"; do echo \"arg $a\"; done; } >>\"$FAKE_LOG\"\n"
        + "for a in \"$@\"; do case $a in -XX:AOTCacheOutput=*) : >\"${a#-XX:AOTCacheOutput=}\" ;; esac; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return jdk;
  }

  /** The installed layout under {@code home}: bin/cutter, lib/cutter.jar, lib/cutter.training. */
  private Path install(Path home) throws Exception {
    Path launcher = Files.createDirectories(home.resolve("bin")).resolve("cutter");
    Files.copy(LAUNCHER, launcher);
    Path jar = Files.createDirectories(home.resolve("lib")).resolve("cutter.jar");
    Files.write(jar, new byte[] {0});
    Files.writeString(Files.createDirectories(home.resolve("lib/cutter.training")).resolve("package.yaml"), "");
    return launcher;
  }

  private List<Call> run(Path launcher, Map<String, String> env) throws Exception {
    return run(launcher, env, 25);
  }

  private List<Call> run(Path launcher, Map<String, String> env, int feature) throws Exception {
    Path log = dir.resolve("calls.log");
    Files.deleteIfExists(log);
    ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--version");
    pb.environment().remove("CUTTER_JAVA_OPTS");
    pb.environment().remove("CUTTER_JAR");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().remove("JDK_JAVA_OPTIONS");
    pb.environment().remove("_JAVA_OPTIONS");
    pb.environment().put("JAVA_HOME", fakeJdk(feature).toString());
    pb.environment().put("FAKE_LOG", log.toString());
    pb.environment().putAll(env);
    Process p = pb.directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();
    List<Call> calls = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      if (line.startsWith("call ")) {
        String[] o = line.substring(5).split("\\|", 3);
        calls.add(new Call(o[0], o[1], o[2], new ArrayList<>()));
      } else {
        calls.get(calls.size() - 1).args().add(line.substring(4));
      }
    }
    return calls;
  }

  @Test
  void theTrainingRunTakesNoJavaOptionsFromTheEnvironment() throws Exception {
    Path launcher = install(dir.resolve("installed"));
    List<Call> calls = run(launcher, Map.of("CUTTER_AOT_TRAIN", "1",
        "JDK_JAVA_OPTIONS", "-javaagent:/elsewhere/agent.jar", "JAVA_TOOL_OPTIONS", "-javaagent:/elsewhere/agent.jar",
        "_JAVA_OPTIONS", "-javaagent:/elsewhere/agent.jar"));
    assertThat(calls).hasSize(2);
    Call training = calls.get(0);
    assertThat(training.training()).isTrue();
    assertThat(training.jdkJavaOptions()).as("JDK_JAVA_OPTIONS in the training run").isEqualTo("<unset>");
    assertThat(training.javaToolOptions()).as("JAVA_TOOL_OPTIONS in the training run").isEqualTo("<unset>");
    assertThat(training.underscoreJavaOptions()).as("_JAVA_OPTIONS in the training run").isEqualTo("<unset>");
    assertThat(calls.get(1).training()).isFalse();
  }

  /**
   * An install path with a space and a glob character: every option naming a file next to the jar
   * (the ahead-of-time cache, the class-data archive, the compiler directives) reaches the JVM as
   * one argument, as the jar does; split, the JVM took the rest of the path for the main class.
   */
  @Test
  void pathsWithASpaceOrAGlobCharacterReachTheJvmWhole() throws Exception {
    Path home = dir.resolve("opt dir [x]*").resolve("cutter");
    Path launcher = install(home);
    Path jit = Files.writeString(home.resolve("bin/cutter.jit"), "[]");
    Path lib = home.resolve("lib");
    List<Call> calls = run(launcher, Map.of("CUTTER_AOT_TRAIN", "1"));
    assertThat(calls).hasSize(2);
    Path aot = lib.resolve("cutter.jdk-jdk-25-25.0.1+8-LTS.aot");
    assertThat(aot).exists();
    List<String> args = calls.get(1).args();
    assertThat(args).contains("-XX:AOTCache=" + aot, "-XX:CompilerDirectivesFile=" + jit);
    assertThat(args.subList(args.size() - 3, args.size())).containsExactly("-jar", lib.resolve("cutter.jar").toString(),
        "--version");

    // JDK 17 with the class-data archive next to the jar
    Path jsa = Files.write(lib.resolve("cutter.jsa"), new byte[] {0});
    List<Call> on17 = run(launcher, Map.of(), 17);
    assertThat(on17).hasSize(1);
    assertThat(on17.get(0).args()).contains("-XX:SharedArchiveFile=" + jsa, "-XX:CompilerDirectivesFile=" + jit)
        .endsWith("-jar", lib.resolve("cutter.jar").toString(), "--version");
  }
}
