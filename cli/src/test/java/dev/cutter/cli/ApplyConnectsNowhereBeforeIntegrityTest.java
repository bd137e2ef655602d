package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.ConnectionCounter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cutter apply} of a signed package whose artifact was edited after signing opens no
 * connection at all, also none of the logins it makes ahead of use (P1's pool while the run lock
 * is taken, the rehearsal's, the apply's, the journal's): the target is a listening socket that
 * counts every connection made to it. The same package unedited does reach it.
 */
class ApplyConnectsNowhereBeforeIntegrityTest {

  static final Approver approver = Approver.forClass();

  @TempDir Path dir;

  private Path pkg() {
    return approver.write(dir.resolve("pkg"), "connects-nowhere", "shop", "7000000000000000001", "app",
        "create table t (id int);\n", "[ { rehearse: true } ]", "[]", null);
  }

  private Cli apply(Path pkg, ConnectionCounter target) {
    return Cli.run("apply", pkg.toString(), "--target", "postgresql://deployer@127.0.0.1:" + target.port() + "/shop", "--trust", approver.trust().toString(),
        "--report-dir", dir.resolve("reports").toString());
  }

  @Test
  void anApplyOfAnArtifactEditedAfterSigningMakesNoConnectionNotEvenAhead() throws Exception {
    Path pkg = pkg();
    Files.writeString(pkg.resolve("change.sql"), "create table t (id int);\ndrop table accounts;\n");
    try (ConnectionCounter target = new ConnectionCounter()) {
      Cli r = apply(pkg, target);
      Thread.sleep(300); // a login started on a thread of its own would have reached the socket by now

      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
      assertThat(r.out()).containsPattern("(?m)^P3_artifact_integrity\\s+FAIL").contains("verdict: BLOCKED");
      assertThat(target.accepted()).as("connections made to the target").isZero();
    }
  }

  @Test
  void theSamePackageUneditedDoesReachTheListener() throws Exception {
    Path pkg = pkg();
    try (ConnectionCounter target = new ConnectionCounter()) {
      Cli r = apply(pkg, target);

      assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3); // BLOCKED: the listener speaks no protocol, after the gates passed
      assertThat(target.accepted()).as("the counter sees a run's connections").isPositive();
    }
  }
}
