package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The class list the class-data archive is trained on (src/cds/classes.txt). */
class ClassDataTrainingTest {

  private static final Path LIST = Path.of("src/cds/classes.txt");

  @Test
  void everyCutterClassInTheListStillExists() throws Exception {
    List<String> ours = Files.readAllLines(LIST, StandardCharsets.UTF_8).stream()
        .filter(l -> l.startsWith("dev.cutter.")).toList();
    assertThat(ours).hasSizeGreaterThan(200);
    assertThat(ClassDataTraining.load(ours, getClass().getClassLoader()))
        .as("classes renamed or removed since the list was made: rerun src/cds/collect.sh or edit the list")
        .isEmpty();
  }

  @Test
  void theListCoversTheBackupAndDatabasePaths() throws Exception {
    assertThat(Files.readAllLines(LIST, StandardCharsets.UTF_8)).contains(
        "dev.cutter.backup.BackupGate", "dev.cutter.backup.DumpPipeline", "dev.cutter.backup.OpenPgpEncryption",
        "dev.cutter.core.run.ApplyRun", "org.postgresql.Driver",
        "org.bouncycastle.openpgp.PGPEncryptedDataGenerator", "org.yaml.snakeyaml.Yaml");
  }

  /**
   * The training run as the build starts it, in a JVM of its own whose temporary directory
   * ({@code java.io.tmpdir}, and TMPDIR for what it starts) is this test's: it verifies a signed
   * copy of the example and leaves nothing there. Watched whole, nothing another process writes
   * can enter it.
   */
  @Test
  void theTrainingRunVerifiesASignedCopyOfTheExampleAndLeavesNothingBehind(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Path noClasses = Files.writeString(dir.resolve("no-classes.txt"), "# the class loading is tested above\n");
    Path out = dir.resolve("out.txt");
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + tmp, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), ClassDataTraining.class.getName(), noClasses.toString(),
        "--signed-verify", Path.of("../packages-examples/registry-12-tables").toAbsolutePath().toString())
        .redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("TMPDIR", tmp.toString());
    Process p = pb.start();
    assertThat(p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)).as("the training run finished").isTrue();

    String output = Files.readString(out);
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("signed verify exited 0\n");
    try (var s = Files.list(tmp)) {
      assertThat(s.map(f -> f.getFileName().toString()).toList()).as("left in its temporary directory").isEmpty();
    }
  }

  @Test
  void namesThatDoNotLoadAreReportedAndCommentsSkipped() {
    assertThat(ClassDataTraining.load(List.of("# a comment", "", "java.lang.String", "  dev.cutter.cli.Main ",
        "no.such.Type"), getClass().getClassLoader())).containsExactly("no.such.Type");
  }

  @Test
  void callSitesAreAddedOnceAndOnlyCallSiteLinesAreTaken(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path list = dir.resolve("cutter.classlist");
    Files.writeString(list, "java/lang/Object id: 0\n@lambda-form-invoker [LF_RESOLVE] a b c\n");
    Path sites = dir.resolve("call-sites.txt");
    Files.writeString(sites, "# comment\n@lambda-form-invoker [LF_RESOLVE] a b c\n"
        + "@lambda-proxy dev/cutter/X run ()Ljava/lang/Runnable; ()V REF_invokeStatic dev/cutter/X lambda$m$0 ()V ()V\n"
        + "dev/cutter/NotACallSite\n  @lambda-form-invoker [LF_RESOLVE] d e f  \n");
    assertThat(ClassDataTraining.appendCallSites(list, sites)).isEqualTo(2);
    assertThat(Files.readAllLines(list)).containsExactly("java/lang/Object id: 0",
        "@lambda-form-invoker [LF_RESOLVE] a b c",
        "@lambda-proxy dev/cutter/X run ()Ljava/lang/Runnable; ()V REF_invokeStatic dev/cutter/X lambda$m$0 ()V ()V",
        "@lambda-form-invoker [LF_RESOLVE] d e f");
    assertThat(ClassDataTraining.appendCallSites(list, sites)).isZero();
  }

  @Test
  void theCallSitesCoverTheDatabasePathAndNameClassesThatExist() throws Exception {
    List<String> sites = Files.readAllLines(Path.of("src/cds/call-sites.txt"), StandardCharsets.UTF_8).stream()
        .filter(l -> l.startsWith("@lambda-proxy ")).toList();
    List<String> hosts = sites.stream().map(l -> l.split(" ")[1].replace('/', '.')).distinct().toList();
    assertThat(hosts).contains("dev.cutter.core.run.ApplyRun", "dev.cutter.core.check.Preflight",
        "dev.cutter.core.exec.ApplyEngine");
    assertThat(ClassDataTraining.load(hosts, getClass().getClassLoader()))
        .as("host classes renamed or removed since call-sites.txt was made: rerun src/cds/collect.sh or edit it")
        .isEmpty();
  }

  @Test
  void cutterClassesConcatenateStringsWithoutInvokedynamic() throws Exception {
    // every module's classes: an indy concatenation spins classes at run time that no archive holds
    for (Class<?> c : List.of(dev.cutter.core.run.ApplyRun.class, dev.cutter.core.check.Preflight.class,
        dev.cutter.checks.PrivilegeCheck.class, dev.cutter.report.SecretScanner.class,
        dev.cutter.backup.BackupGate.class, ClassDataTraining.class)) {
      byte[] bytes;
      try (var in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
        bytes = in.readAllBytes();
      }
      assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).as(c.getName())
          .contains("java/lang/StringBuilder").doesNotContain("makeConcatWithConstants");
    }
  }
}
