package dev.cutter.core.integrity;

import static dev.cutter.core.integrity.TestKeys.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.run.PackageScripts;
import dev.cutter.fixtures.MinimalPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bytes that run are the bytes that were hashed: a file replaced on disk after the package
 * was loaded (and its SQL split) neither passes the gate nor runs. Before, the artifact was split
 * from one read and hashed from a second one, so a file swapped back to its signed content between
 * the two reads ran unsigned SQL under a PASS.
 */
class LoadedBytesTest {

  static final String EVIL_SQL = "alter role app_owner superuser;\n";

  static PGPSecretKeyRing alice;

  @TempDir Path dir;
  Path pkgDir;
  TrustPolicy trust;

  @BeforeAll
  static void keys() {
    alice = TestKeys.approver("Alice");
  }

  @BeforeEach
  void signedPackage() throws IOException {
    pkgDir = dir.resolve("pkg");
    Path yaml = MinimalPackage.write(pkgDir, NOW.plusSeconds(3600));
    DetachedSigner.append(yaml, TestKeys.sign(yaml, alice, NOW.minusSeconds(60)));
    trust = TestKeys.trust(dir, 1, alice.toCertificate());
  }

  private Path artifact() {
    return pkgDir.resolve(MinimalPackage.ARTIFACT);
  }

  private IntegrityGates gates() {
    return new IntegrityGates(Optional.of(trust), "", java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC));
  }

  private static String sql(PackageScripts scripts) {
    return String.join("", scripts.changeStatements().stream().map(ExecStatement::text).toList());
  }

  @Test
  void blocksAnArtifactSwappedBackToItsSignedBytesAfterItWasRead() throws IOException {
    Files.writeString(artifact(), EVIL_SQL);
    ApplyPackage pkg = TestPackages.load(pkgDir);
    PackageScripts scripts = PackageScripts.of(pkg);
    Files.writeString(artifact(), MinimalPackage.CHANGE_SQL); // the signed bytes are back on disk before the gate runs

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust, NOW);

    assertThat(sql(scripts)).as("what would run").contains("superuser");
    assertThat(r.signaturesPassed()).isTrue();
    assertThat(r.artifacts().get(1).matches()).as("the gate hashed the bytes that were split, not the file now on disk").isFalse();
    assertThat(r.passed()).isFalse();
    assertThat(gates().check(pkg, true).gates()).anyMatch(g -> g.status() == dev.cutter.core.run.GateStatus.FAIL);
  }

  @Test
  void runsTheSignedBytesWhenTheArtifactIsReplacedAfterLoading() throws IOException {
    ApplyPackage pkg = TestPackages.load(pkgDir);
    Files.writeString(artifact(), EVIL_SQL);

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust, NOW);
    PackageScripts scripts = PackageScripts.of(pkg);

    assertThat(r.passed()).isTrue();
    assertThat(sql(scripts)).as("the loaded, signed bytes run").contains("create table app.t (id int primary key)")
        .doesNotContain("superuser");
  }

  @Test
  void checksTheSignaturesOverThePackageYamlThatWasParsed() throws IOException {
    Path yaml = pkgDir.resolve("package.yaml");
    String signed = Files.readString(yaml);
    Files.writeString(yaml, signed.replace("risk: low", "risk: critical"));
    ApplyPackage unsigned = TestPackages.load(pkgDir);
    Files.writeString(yaml, signed); // the signed bytes are back on disk before the gate runs

    IntegrityResult r = IntegrityVerifier.verify(unsigned, trust, NOW);

    assertThat(r.signatures()).extracting(SignatureResult::status).containsExactly(SignatureStatus.STALE);
    assertThat(r.passed()).isFalse();
  }

  @Test
  void aPackageYamlReplacedAfterLoadingChangesNothing() throws IOException {
    Path yaml = pkgDir.resolve("package.yaml");
    ApplyPackage pkg = TestPackages.load(pkgDir);
    Files.writeString(yaml, Files.readString(yaml).replace("risk: low", "risk: critical"));

    IntegrityResult r = IntegrityVerifier.verify(pkg, trust, NOW);

    assertThat(r.passed()).isTrue();
    assertThat(pkg.authorization().risk()).isEqualTo(dev.cutter.core.model.Risk.LOW);
  }
}
