package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input and secrets through the real jar (child JVM, 256 MB heap): every refusal is one
 * clear line with exit 2, in bounded memory; a password in the environment never reaches any
 * output or file.
 */
@WithPostgres
class HostileInputIT {

  static final String ENV_SECRET = "Env-Secret-Value-90417";

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private Cli apply(Path pkg, TestDatabase db, Map<String, String> env) {
    return ChildCutter.run(dir.resolve("logs"), env, 120, "apply", pkg.toString(), "--target", db.uri("postgres"),
        "--trust", approver.trust().toString(), "--report-dir", dir.resolve("reports").toString());
  }

  private static void assertOneLineRefusal(Cli r) {
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("OutOfMemory");
  }

  @Test
  void aHugeArtifactIsRefusedInOneLineWithinBoundedMemory(TestDatabase db) throws Exception {
    Path pkg = approver.write(dir.resolve("pkg"), "huge", db, "postgres", "select 1;\n", "[]", "[]", null);
    try (RandomAccessFile f = new RandomAccessFile(pkg.resolve("change.sql").toFile(), "rw")) {
      f.setLength(200L << 20);
    }

    Cli r = apply(pkg, db, Map.of());

    assertOneLineRefusal(r);
    assertThat(r.err()).contains("change.sql").contains("at most");
  }

  @Test
  void anArtifactBehindASymlinkOrOutsideThePackageIsRefused(TestDatabase db) throws Exception {
    Path pkg = approver.write(dir.resolve("pkg"), "escape", db, "postgres", "select 1;\n", "[]", "[]", null);
    Path outside = Files.writeString(dir.resolve("outside.sql"), "select 1;\n");
    Files.delete(pkg.resolve("change.sql"));
    Files.createSymbolicLink(pkg.resolve("change.sql"), outside);

    Cli link = apply(pkg, db, Map.of());

    assertOneLineRefusal(link);
    assertThat(link.err()).contains("symbolic link");

    Path yaml = pkg.resolve("package.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("path: change.sql", "path: ../outside.sql"));
    Cli dotdot = apply(pkg, db, Map.of());

    assertOneLineRefusal(dotdot);
    assertThat(dotdot.err()).contains("may not leave the package directory");
  }

  @Test
  void aTenMegabytePackageYamlIsRefusedBeforeParsing(TestDatabase db) throws Exception {
    Path pkg = approver.write(dir.resolve("pkg"), "big-yaml", db, "postgres", "select 1;\n", "[]", "[]", null);
    Path yaml = pkg.resolve("package.yaml");
    Files.writeString(yaml, Files.readString(yaml) + ("# " + "x".repeat(1022) + "\n").repeat(10 * 1024 + 1));

    Cli r = apply(pkg, db, Map.of());

    assertOneLineRefusal(r);
    assertThat(r.err()).contains("at most 10485760");
  }

  @Test
  void aPasswordInTheEnvironmentReachesNoOutputAndNoFile(TestDatabase db) {
    String role = db.createRole("sec");
    db.execute("grant create on schema public to " + role);
    Cli init = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(init.exit()).as(init.err()).isZero();
    Map<String, String> env = Map.of("PGPASSWORD", ENV_SECRET);
    Path ok = approver.write(dir.resolve("ok"), "secret-ok", db, role, "create table sec_ok (id int);\n", "[]", "[]",
        null);
    // the server's error message quotes the secret: the report and the summary must redact it
    Path failing = approver.write(dir.resolve("failing"), "secret-failing", db, role,
        "create table sec_f (id int);\nselect * from \"" + ENV_SECRET + "\";\n", "[]", "[]", null);

    Cli passed = apply(ok, db, env);
    Cli failed = apply(failing, db, env);

    assertThat(passed.exit()).as(passed.out() + passed.err()).isZero();
    assertThat(failed.exit()).as(failed.out() + failed.err()).isEqualTo(4);
    assertThat(passed.out() + passed.err() + failed.out() + failed.err()).doesNotContain(ENV_SECRET);
    assertThat(Approver.allFiles(dir.resolve("reports"))).as("reports").doesNotContain(ENV_SECRET)
        .contains("does not exist");
  }
}
