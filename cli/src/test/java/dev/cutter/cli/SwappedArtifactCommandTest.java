package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.TestDatabase;
import dev.cutter.fixtures.WithPostgres;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bytes that run are the bytes that were hashed, through the real command line: the artifact
 * holds unsigned SQL when cutter reads it and is put back to its signed bytes right after, before
 * the integrity gate runs. The keyring is a named pipe, so the run waits at loading the trust policy
 * (after it has read the package) until the test has swapped the file: a deterministic window. The
 * run is BLOCKED, or runs the signed SQL; the unsigned SQL never runs.
 */
@WithPostgres
class SwappedArtifactCommandTest {

  static final String SIGNED = "create table swap_signed (id int);\n";
  static final String UNSIGNED = "create table swap_unsigned (id int);\n";

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  @Test
  void anArtifactSwappedBackToItsSignedBytesAfterItWasReadNeverRunsUnsigned(TestDatabase db) throws Exception {
    String role = db.createRole("swapper");
    db.execute("grant create on schema public to " + role);
    Cli init = Cli.run("init", "--target", db.uri("postgres"), "--grant", role);
    assertThat(init.exit()).as(init.err()).isZero();
    Path pkg = approver.write(dir.resolve("pkg"), "swap-test", db, role, SIGNED, "[]", "[]", null);
    Path artifact = pkg.resolve("change.sql");
    Files.writeString(artifact, UNSIGNED);
    Path publicKey = Path.of(Files.readString(approver.trust()).lines().findFirst().orElseThrow().substring("keyring: ".length()));
    Path pipe = dir.resolve("approvers.pipe");
    assertThat(new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start().waitFor()).isZero();
    Path trust = Files.writeString(dir.resolve("trust.yaml"), "keyring: " + pipe + "\nrequire: 1\n");

    CompletableFuture<Cli> run = CompletableFuture.supplyAsync(() -> Cli.run("apply", pkg.toString(), "--target",
        db.uri("postgres"), "--trust", trust.toString(), "--report-dir", dir.resolve("reports").toString()));
    CompletableFuture<Void> swap = CompletableFuture.runAsync(() -> {
      try (OutputStream keyring = Files.newOutputStream(pipe)) { // opens once the run reads the keyring
        Files.writeString(artifact, SIGNED);
        keyring.write(Files.readAllBytes(publicKey));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    Cli r = run.get(180, TimeUnit.SECONDS);
    if (!swap.isDone()) {
      try (InputStream unblock = Files.newInputStream(pipe)) { // the run never read the keyring: release the writer
        unblock.readAllBytes();
      }
    }
    swap.get(30, TimeUnit.SECONDS);

    assertThat(db.queryValue("select count(*) from pg_tables where tablename = 'swap_unsigned'"))
        .as("the unsigned SQL never runs: %s%s", r.out(), r.err()).isEqualTo("0");
    if (r.exit() == 0) {
      assertThat(db.queryValue("select count(*) from pg_tables where tablename = 'swap_signed'")).isEqualTo("1");
    } else {
      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
      assertThat(r.out()).contains("verdict: BLOCKED");
    }
  }
}
