package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/cutter with a stand-in JDK (JAVA_HOME: a java that records its arguments one per line): what
 * the JVM receives from an installed copy whose path holds a space and glob characters.
 */
class LauncherPathsTest {

  private static final Path LAUNCHER = Path.of("..", "bin", "cutter").toAbsolutePath().normalize();

  @TempDir Path dir;

  /**
   * Every option naming a file next to the jar (the class-data archive, the compiler directives)
   * reaches the JVM as one argument, as the jar does; split, the JVM took the rest of the path for
   * the main class, and a glob character was expanded against the working directory.
   */
  @Test
  void pathsWithASpaceOrAGlobCharacterReachTheJvmWhole() throws Exception {
    Path home = dir.resolve("opt dir [x]*").resolve("cutter");
    Path launcher = Files.createDirectories(home.resolve("bin")).resolve("cutter");
    Files.copy(LAUNCHER, launcher);
    Path jit = Files.writeString(home.resolve("bin/cutter.jit"), "[]");
    Path lib = Files.createDirectories(home.resolve("lib"));
    Path jar = Files.write(lib.resolve("cutter.jar"), new byte[] {0});
    Path jsa = Files.write(lib.resolve("cutter.jsa"), new byte[] {0});
    // a file the unquoted glob "opt dir [x]*" would have matched in the working directory
    Files.createDirectories(dir.resolve("work"));
    Files.writeString(dir.resolve("work").resolve("x"), "");

    Path jdk = Files.createDirectories(dir.resolve("jdk").resolve("bin"));
    Path java = jdk.resolve("java");
    Path log = dir.resolve("args.log");
    Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done >\"$FAKE_LOG\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

    ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--version");
    pb.environment().remove("CUTTER_JAVA_OPTS");
    pb.environment().remove("CUTTER_JAR");
    pb.environment().put("JAVA_HOME", jdk.getParent().toString());
    pb.environment().put("FAKE_LOG", log.toString());
    Process p = pb.directory(dir.resolve("work").toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.txt").toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("out.txt"))).isZero();

    List<String> args = Files.readAllLines(log);
    assertThat(args).contains("-XX:SharedArchiveFile=" + jsa, "-XX:CompilerDirectivesFile=" + jit, "-XX:-UsePerfData");
    // the jar on the class path with its main class named: -jar would have the JVM open it once more for its manifest
    assertThat(args.subList(args.size() - 4, args.size()))
        .containsExactly("-cp", jar.toString(), "dev.cutter.cli.Main", "--version");
    assertThat(args).as("every argument is an option, but the jar's path and the main class")
        .filteredOn(a -> !a.startsWith("-")).containsExactly(jar.toString(), "dev.cutter.cli.Main");
  }
}
