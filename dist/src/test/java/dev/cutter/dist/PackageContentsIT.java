package dev.cutter.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cutter.core.CutterBuild;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The built installables (after {@code package}): what the Debian package and the tar.gz hold,
 * with which modes, owners and links, the conffile and the maintainer scripts; and the unpacked
 * tar.gz run through its launcher, which makes the class-data archive on its first run where it
 * may write and silently runs without one where it may not.
 */
class PackageContentsIT {

  private static final String VERSION = CutterBuild.version();
  private static final Path TARGET = Path.of("target").toAbsolutePath();
  private static final Path JAR = Path.of("..", "cli", "target", "cutter.jar").toAbsolutePath().normalize();
  private static Path deb;
  private static Path unpacked;

  @BeforeAll
  static void find() throws IOException {
    try (Stream<Path> files = Files.list(TARGET)) {
      List<Path> debs = files.filter(p -> p.getFileName().toString().matches("cutter_.*_all\\.deb")).toList();
      assertThat(debs).hasSize(1);
      deb = debs.get(0);
    }
    // where another user may read it: the unwritable case runs as nobody when this runs as root
    unpacked = Files.createTempDirectory("cutter-tar-it");
    Files.setPosixFilePermissions(unpacked, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterAll
  static void clean() throws Exception {
    run(List.of("rm", "-rf", unpacked.toString()), Map.of());
  }

  /** dpkg-deb reads the package: on Debian and its derivatives (CI's machine); skipped elsewhere. */
  private static void needDpkgDeb() {
    boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "dpkg-deb")));
    assumeTrue(found, "dpkg-deb is not on PATH");
  }

  /** {@code dpkg-deb -c}: path to "mode owner [-> link target]". */
  private static Map<String, String> debEntries() throws Exception {
    needDpkgDeb();
    Map<String, String> entries = new LinkedHashMap<>();
    for (String line : run(List.of("dpkg-deb", "-c", deb.toString()), Map.of()).out().split("\n")) {
      // drwxr-xr-x root/root         0 2026-12-05 06:40 ./usr/share/cutter/
      String[] f = line.trim().split("\\s+", 6);
      String path = f[5];
      String link = "";
      int arrow = path.indexOf(" -> ");
      if (arrow >= 0) {
        link = " -> " + path.substring(arrow + 4);
        path = path.substring(0, arrow);
      }
      entries.put(path.replaceFirst("^\\./", "/"), f[0] + " " + f[1] + link);
    }
    return entries;
  }

  private static List<String> manPages() {
    List<CommandSpec> all = new ArrayList<>();
    collect(Manuals.commandLine().getCommandSpec(), all);
    return all.stream().map(c -> c.qualifiedName("-") + ".1.gz").sorted().toList();
  }

  private static void collect(CommandSpec spec, List<CommandSpec> into) {
    into.add(spec);
    for (CommandLine sub : spec.subcommands().values()) {
      collect(sub.getCommandSpec(), into);
    }
  }

  @Test
  void theDebianPackageInstallsTheLauncherJarCompletionsManPagesAndAnExamplePolicy() throws Exception {
    Map<String, String> e = debEntries();
    assertThat(e).containsEntry("/usr/share/cutter/bin/cutter", "-rwxr-xr-x root/root")
        .containsEntry("/usr/share/cutter/lib/cutter.jar", "-rw-r--r-- root/root")
        .containsEntry("/usr/share/cutter/lib/cutter.classlist", "-rw-r--r-- root/root")
        .containsEntry("/usr/bin/cutter", "lrwxrwxrwx root/root -> ../share/cutter/bin/cutter")
        .containsEntry("/usr/share/bash-completion/completions/cutter", "-rw-r--r-- root/root")
        .containsEntry("/usr/share/zsh/vendor-completions/_cutter", "-rw-r--r-- root/root")
        .containsEntry("/etc/cutter/trust.yaml", "-rw-r--r-- root/root")
        .containsEntry("/usr/share/doc/cutter/README.md", "-rw-r--r-- root/root")
        .containsEntry("/usr/share/doc/cutter/docs/install.md", "-rw-r--r-- root/root");
    List<String> pages = e.keySet().stream().filter(p -> p.startsWith("/usr/share/man/man1/") && !p.endsWith("/"))
        .map(p -> p.substring("/usr/share/man/man1/".length())).sorted().toList();
    assertThat(pages).containsExactlyElementsOf(manPages()).contains("cutter.1.gz", "cutter-package-sign.1.gz");
    // no class-data archive: it fits only the path and JVM it was made for (postinst makes it)
    assertThat(e.keySet()).noneMatch(p -> p.endsWith(".jsa"));
    // everything root's, nothing writable by group or others, directories 0755
    e.forEach((path, attrs) -> {
      assertThat(attrs).as(path).contains(" root/root");
      if (!attrs.startsWith("l")) {
        assertThat(attrs.charAt(5)).as(path).isEqualTo('-');
        assertThat(attrs.charAt(8)).as(path).isEqualTo('-');
      }
      if (attrs.startsWith("d")) {
        assertThat(attrs).as(path).startsWith("drwxr-xr-x ");
      }
    });
    // the very jar cli built, not a second one
    String listing = run(List.of("dpkg-deb", "-c", deb.toString()), Map.of()).out();
    assertThat(listing).containsPattern("-rw-r--r-- root/root\\s+" + Files.size(JAR) + " \\S+ \\S+ \\./usr/share/cutter/lib/cutter\\.jar\n");
  }

  @Test
  void theControlFileDependsOnJava17AndTheExamplePolicyIsTheOnlyConffile() throws Exception {
    needDpkgDeb();
    String control = run(List.of("dpkg-deb", "-f", deb.toString()), Map.of()).out();
    assertThat(control).contains("Package: cutter\n", "Architecture: all\n", "Depends: java17-runtime-headless\n",
        "Recommends: postgresql-client\n", "Version: " + VERSION.replace("-SNAPSHOT", "~SNAPSHOT"));
    assertThat(run(List.of("dpkg-deb", "-I", deb.toString(), "conffiles"), Map.of()).out())
        .isEqualTo("/etc/cutter/trust.yaml\n");
    String scripts = run(List.of("sh", "-c", "dpkg-deb --ctrl-tarfile \"$0\" | tar -tvf -", deb.toString()), Map.of()).out();
    for (String script : List.of("preinst", "postinst", "prerm", "postrm")) {
      assertThat(scripts).containsPattern("-rwxr-xr-x \\S+ +\\d+ \\S+ \\S+ \\./" + script + "\n");
    }
    // the example policy is every line a comment: installed, it is no policy (TrustPolicy.holdsNoPolicy)
    String trust = Files.readString(Path.of("src", "deb", "trust.yaml"), StandardCharsets.UTF_8);
    assertThat(trust.lines()).allMatch(l -> l.isBlank() || l.startsWith("#"));
  }

  @Test
  void theTarballHoldsTheLauncherJarClassListCompletionsManPagesAndDocs() throws Exception {
    Path tar = TARGET.resolve("cutter-" + VERSION + ".tar.gz");
    Map<String, String> e = new LinkedHashMap<>();
    for (String line : run(List.of("tar", "-tvzf", tar.toString()), Map.of()).out().split("\n")) {
      String[] f = line.trim().split("\\s+", 6);
      e.put(f[5], f[0]);
    }
    String top = "cutter-" + VERSION + "/";
    assertThat(e).containsEntry(top + "bin/cutter", "-rwxr-xr-x")
        .containsEntry(top + "lib/cutter.jar", "-rw-r--r--")
        .containsEntry(top + "lib/cutter.classlist", "-rw-r--r--")
        .containsEntry(top + "completion/cutter.bash", "-rw-r--r--")
        .containsEntry(top + "completion/_cutter", "-rw-r--r--")
        .containsEntry(top + "examples/trust.yaml", "-rw-r--r--")
        .containsEntry(top + "README.md", "-rw-r--r--")
        .containsEntry(top + "docs/install.md", "-rw-r--r--");
    assertThat(e.keySet().stream().filter(p -> p.startsWith(top + "man/man1/") && !p.endsWith("/"))
        .map(p -> p.substring((top + "man/man1/").length())).sorted().toList()).containsExactlyElementsOf(manPages());
    assertThat(e.keySet()).allMatch(p -> p.startsWith(top)).noneMatch(p -> p.endsWith(".jsa"));
  }

  @Test
  void theUnpackedLauncherMakesItsArchiveOnTheFirstRunAndStartsFromIt() throws Exception {
    Path home = unpack("writable");
    Path jsa = home.resolve("lib/cutter.jsa");
    assertThat(jsa).doesNotExist();

    Cli first = run(List.of(home.resolve("bin/cutter").toString(), "--version"), env());
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).startsWith("cutter " + VERSION + " (commit ");
    assertThat(first.err()).isEmpty();
    assertThat(jsa).exists();
    try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
      assertThat(lib.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("cutter.classlist", "cutter.jar", "cutter.jsa");
    }

    // the second run maps it: cutter's own classes come from the archive, not the jar
    Path log = home.resolve("classes.log");
    Map<String, String> logged = env();
    logged.put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log);
    Cli second = run(List.of(home.resolve("bin/cutter").toString(), "--version"), logged);
    assertThat(second.exit()).isZero();
    String classes = Files.readString(log);
    assertThat(classes).contains(" dev.cutter.cli.Main source: shared objects file", " picocli.CommandLine source: shared objects file");
  }

  @Test
  void whereTheLauncherMayNotWriteItRunsWithoutAnArchiveAndSaysNothing() throws Exception {
    Path home = unpack("read-only");
    Files.setPosixFilePermissions(home.resolve("lib"), PosixFilePermissions.fromString("r-xr-xr-x"));
    List<String> cmd = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      // root may write anywhere: run as nobody, as a user of an installed copy would
      cmd.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
    }
    cmd.addAll(List.of(home.resolve("bin/cutter").toString(), "--version"));
    Cli r = run(cmd, env());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("cutter " + VERSION + " (commit ");
    assertThat(r.out().lines().count()).isEqualTo(2);
    assertThat(r.err()).isEmpty();
    try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
      assertThat(lib.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("cutter.classlist", "cutter.jar");
    }
  }

  private static Path unpack(String name) throws Exception {
    Path into = Files.createDirectories(unpacked.resolve(name));
    Files.setPosixFilePermissions(into, PosixFilePermissions.fromString("rwxr-xr-x"));
    Cli tar = run(List.of("tar", "-xzf", TARGET.resolve("cutter-" + VERSION + ".tar.gz").toString(), "-C", into.toString()), Map.of());
    assertThat(tar.exit()).as(tar.err()).isZero();
    return into.resolve("cutter-" + VERSION);
  }

  private static Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return env;
  }

  record Cli(int exit, String out, String err) {}

  private static Cli run(List<String> cmd, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("CUTTER_JAR");
    pb.environment().remove("CUTTER_JAVA_OPTS");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().putAll(env);
    Path out = Files.createTempFile("cutter-it", ".out");
    Path err = Files.createTempFile("cutter-it", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finished: " + cmd).isTrue();
    Cli r = new Cli(p.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return r;
  }
}
