package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.Gpg;
import dev.cutter.fixtures.MinimalPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageVerifyCommandTest {

  static final String PASSPHRASE = "verify-test passphrase";
  static final String GPG_PASSPHRASE = "gpg-side passphrase";
  static final Map<String, String> ENV = Map.of("PP", PASSPHRASE);

  @TempDir static Path shared;
  static Gpg gpg;
  static String gpgFingerprint;
  static String cutterFingerprint;

  @TempDir Path dir;

  @BeforeAll
  static void approvers() throws IOException {
    Cli gen = Cli.run(ENV, "keys", "generate", "--name", "Ann Approver <ann@example.org>", "--out", shared.resolve("keys").toString(),
        "--passphrase-env", "PP");
    assertThat(gen.exit()).as(gen.err()).isZero();
    cutterFingerprint = gen.out().lines().findFirst().orElseThrow().split(" ")[1];
    gpg = Gpg.in(shared);
    gpgFingerprint = gpg.generateKey("Gus Gpg <gus@example.org>", GPG_PASSPHRASE);
    Files.writeString(shared.resolve("approvers.asc"),
        Files.readString(shared.resolve("keys/ann-approver.pub.asc")) + gpg.run("", "--armor", "--export", gpgFingerprint).orFail().stdout());
  }

  @AfterAll
  static void stopAgent() {
    gpg.close();
  }

  private Path trust(int require) throws IOException {
    return Files.writeString(dir.resolve("trust.yaml"), "keyring: " + shared.resolve("approvers.asc") + "\nrequire: " + require + "\n");
  }

  private Path writePackage(String expiresAt) {
    return MinimalPackage.write(dir.resolve("pkg"), Instant.parse(expiresAt)).getParent();
  }

  private void signBoth(Path pkg) throws IOException {
    Cli sign = Cli.run(ENV, "package", "sign", pkg.toString(), "--key", shared.resolve("keys/ann-approver.sec.asc").toString(),
        "--passphrase-env", "PP");
    assertThat(sign.exit()).as(sign.err()).isZero();
    Path gpgSig = dir.resolve("gus.asc");
    gpg.withPassphrase(GPG_PASSPHRASE, "--local-user", gpgFingerprint, "--armor", "--output", gpgSig.toString(),
        "--detach-sign", pkg.resolve("package.yaml").toString()).orFail();
    Files.write(pkg.resolve("package.yaml.asc"), Files.readAllBytes(gpgSig), StandardOpenOption.APPEND);
  }

  @Test
  void passesWhenTwoDistinctApproversSigned() throws IOException {
    Path pkg = writePackage("2030-01-01T00:00:00Z");
    signBoth(pkg);

    Cli verify = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", trust(2).toString());

    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).contains(
        "signature 1: " + cutterFingerprint + " Ann Approver <ann@example.org>: valid\n",
        "signature 2: " + gpgFingerprint + " Gus Gpg <gus@example.org>: valid\n",
        "quorum: 2 of 2 required distinct approvers valid\n",
        "sha256 ddl/change.sql: ok ",
        "authorization: valid until 2030-01-01T00:00:00Z (UTC)\n",
        "integrity: PASS\n");
  }

  @Test
  void failsWithExit3OnAChangedArtifactAndAnExpiredAuthorization() throws IOException {
    Path pkg = writePackage("2026-01-01T00:00:00Z");
    signBoth(pkg);
    Files.writeString(pkg.resolve(MinimalPackage.ARTIFACT), "drop table app.t;\n", StandardOpenOption.APPEND);

    Cli verify = Cli.run(Map.of("CUTTER_TRUST", trust(2).toString()), "package", "verify", pkg.toString());

    assertThat(verify.exit()).isEqualTo(3);
    assertThat(verify.out()).contains("quorum: 2 of 2 required distinct approvers valid",
        "sha256 ddl/change.sql: FAIL: content differs from the pinned sha256",
        "authorization: expired at 2026-01-01T00:00:00Z (UTC)",
        "integrity: FAIL (hashes, authorization expired)");
  }

  @Test
  void printsOnlyTheOutcomeWhenQuietAndEverythingAsJson() throws IOException {
    Path pkg = writePackage("2030-01-01T00:00:00Z");
    signBoth(pkg);

    Cli quiet = Cli.run(Map.of(), "--quiet", "package", "verify", pkg.toString(), "--trust", trust(2).toString());
    Cli json = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", trust(2).toString(), "--output", "json");

    assertThat(quiet.exit()).isZero();
    assertThat(quiet.out()).isEqualTo("integrity: PASS\n");
    assertThat(json.exit()).isZero();
    assertThat(json.out()).startsWith("{").contains("\"status\" : \"valid\"", "\"fingerprint\" : \"" + gpgFingerprint + "\"",
        "\"summary\" : \"quorum: 2 of 2 required distinct approvers valid\"", "\"passed\" : true");
  }

  @Test
  void failsWithExit3WhenOneSignerSignedTwice() throws IOException {
    Path pkg = writePackage("2030-01-01T00:00:00Z");
    for (int i = 0; i < 2; i++) {
      Cli.run(ENV, "package", "sign", pkg.toString(), "--key", shared.resolve("keys/ann-approver.sec.asc").toString(), "--passphrase-env", "PP");
    }

    Cli verify = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", trust(2).toString());

    assertThat(verify.exit()).isEqualTo(3);
    assertThat(verify.out()).contains("signature 2: " + cutterFingerprint + " Ann Approver <ann@example.org>: valid (same approver (Ann Approver <ann@example.org>) as signature 1: counted once)",
        "quorum: 1 of 2 required distinct approvers valid: not met");
  }

  @Test
  void failsWithExit3SayingWhereItLookedWhenThereIsNoTrustPolicy() throws IOException {
    Path pkg = writePackage("2030-01-01T00:00:00Z");
    signBoth(pkg);

    Cli verify = Cli.run(Map.of(), "package", "verify", pkg.toString());

    assertThat(verify.exit()).isEqualTo(3);
    assertThat(verify.out()).contains("quorum: not met: no trust policy found (looked at: --trust (not given); $CUTTER_TRUST (not set); /etc/cutter/trust.yaml");
  }

  @Test
  void exits2ForAnInvalidTrustFileOrPackage() throws IOException {
    Path pkg = writePackage("2030-01-01T00:00:00Z");
    Path badTrust = Files.writeString(dir.resolve("bad-trust.yaml"), "keyring: x.asc\nrequired: 2\n");

    Cli trust = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", badTrust.toString());
    Files.writeString(pkg.resolve("package.yaml"), "apiVersion: cutter/v1\nkind: Nonsense\n");
    Cli invalid = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", trust(1).toString());

    assertThat(trust.exit()).isEqualTo(2);
    assertThat(trust.err()).contains(badTrust + ":2:1: unknown key 'required'");
    assertThat(invalid.exit()).isEqualTo(2);
    assertThat(invalid.err()).contains("package.yaml:");
  }

  @Test
  void countsTwoKeysOfOneApproverOnceAndSaysHowToMigrateAnAmbiguousPolicy() throws IOException {
    Cli gen = Cli.run(ENV, "keys", "generate", "--name", "Ann Approver <ann@example.org>", "--out", dir.resolve("new-key").toString(),
        "--passphrase-env", "PP");
    assertThat(gen.exit()).as(gen.err()).isZero();
    String annNew = gen.out().lines().findFirst().orElseThrow().split(" ")[1];
    Path pkg = writePackage("2030-01-01T00:00:00Z");
    for (Path key : new Path[] {shared.resolve("keys/ann-approver.sec.asc"), dir.resolve("new-key/ann-approver.sec.asc")}) {
      Cli sign = Cli.run(ENV, "package", "sign", pkg.toString(), "--key", key.toString(), "--passphrase-env", "PP");
      assertThat(sign.exit()).as(sign.err()).isZero();
    }
    Path keyring = Files.writeString(dir.resolve("all.asc"), Files.readString(shared.resolve("approvers.asc"))
        + Files.readString(dir.resolve("new-key/ann-approver.pub.asc")));
    Path legacy = Files.writeString(dir.resolve("legacy.yaml"), "keyring: " + keyring + "\nrequire: 2\n");
    Path people = Files.writeString(dir.resolve("people.yaml"), "keyring: " + keyring + "\nrequire: 2\napprovers:\n"
        + "  - name: Ann\n    keys: [" + cutterFingerprint + ", " + annNew + "]\n"
        + "  - name: Gus\n    keys: [" + gpgFingerprint + "]\n");

    Cli refused = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", legacy.toString());
    Cli counted = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", people.toString());

    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err().strip()).startsWith(legacy + ":1:10: keys ").contains("may be one person's")
        .endsWith("list each approver with their keys under 'approvers:' (see docs/signing.md)").doesNotContain("\n");
    assertThat(counted.exit()).as(counted.out()).isEqualTo(3);
    assertThat(counted.out()).contains("same approver (Ann) as signature 1: counted once",
        "quorum: 1 of 2 required distinct approvers valid: not met");
  }

  @Test
  void exits2OnAnApplySectionHiddenFromReviewersBehindALineSeparator() throws IOException {
    Path pkg = writePackage("2030-01-01T00:00:00Z");
    Path yaml = pkg.resolve("package.yaml");
    Files.writeString(yaml, Files.readString(yaml) + "# ok\u2028apply: {mode: autocommit, lock_timeout: 0s}\n");
    signBoth(pkg);

    Cli verify = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", trust(2).toString());

    assertThat(verify.exit()).isEqualTo(2);
    assertThat(verify.err().strip()).startsWith(yaml + ":16:5: U+2028 (LINE SEPARATOR) outside a quoted string").doesNotContain("\n");
  }

  /** The minimal package with {@code changeSql} (and an online step when given), pinned by package hash and signed by Ann. */
  private Path packageWith(String changeSql, String onlineSql) throws IOException {
    Path pkg = writePackage("2030-01-01T00:00:00Z");
    Files.writeString(pkg.resolve(MinimalPackage.ARTIFACT), changeSql);
    if (onlineSql != null) {
      Files.writeString(pkg.resolve("ddl/online.sql"), onlineSql);
      Files.writeString(pkg.resolve("package.yaml"), Files.readString(pkg.resolve("package.yaml"))
          + "online:\n  path: ddl/online.sql\n  sha256: " + "0".repeat(64) + "\n");
    }
    Cli hash = Cli.run(Map.of(), "package", "hash", pkg.toString());
    assertThat(hash.exit()).as(hash.out() + hash.err()).isZero();
    Cli sign = Cli.run(ENV, "package", "sign", pkg.toString(), "--key", shared.resolve("keys/ann-approver.sec.asc").toString(),
        "--passphrase-env", "PP");
    assertThat(sign.exit()).as(sign.err()).isZero();
    return pkg;
  }

  @Test
  void exits2OnACreateIndexConcurrentlyInTransactionModeAsApplyWould() throws IOException {
    Path pkg = packageWith("create table app.t (id int primary key);\n\ncreate index concurrently t_id on app.t (id);\n", null);

    Cli verify = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", trust(1).toString());
    Cli preflight = Cli.run(Map.of(), "preflight", pkg.toString(), "--trust", trust(1).toString(),
        "--report-dir", dir.resolve("reports").toString());

    assertThat(verify.exit()).isEqualTo(2);
    assertThat(verify.out()).isEmpty();
    assertThat(verify.err().strip()).isEqualTo("ddl/change.sql:3:1: `create index concurrently t_id …` cannot run inside a"
        + " transaction block (SQLSTATE 25001); put it in the online: step (an index built, dropped or rebuilt CONCURRENTLY) or in a package with mode: autocommit");
    // the same refusal, word for word, as the run commands print before they connect
    assertThat(preflight.exit()).isEqualTo(2);
    assertThat(preflight.err().strip()).endsWith("\n" + verify.err().strip());
  }

  @Test
  void exits2OnAPsqlMetaCommand() throws IOException {
    Path pkg = packageWith("\\set ON_ERROR_STOP on\ncreate table app.t (id int primary key);\n", null);

    Cli verify = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", trust(1).toString());

    assertThat(verify.exit()).isEqualTo(2);
    assertThat(verify.out()).isEmpty();
    assertThat(verify.err().strip()).isEqualTo("ddl/change.sql:1:1: psql meta-command \\set cannot run over a database"
        + " connection; remove it (only plain SQL is sent)");
  }

  @Test
  void exits2OnABidirectionalControlThatShowsReviewersOtherSqlThanRuns() throws IOException {
    // "trojan source": an editor shows the DROP inside the comment; the multi-byte text before it
    // counts one column a character, as apply's splitter counts
    Path pkg = packageWith("select 'é'; /* \u202E } \u2066 done */ drop table app.t; /* \u2069 \u2066 */\n", null);

    Cli verify = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", trust(1).toString());

    assertThat(verify.exit()).isEqualTo(2);
    assertThat(verify.out()).isEmpty();
    assertThat(verify.err().strip()).isEqualTo("ddl/change.sql:1:16: bidirectional control U+202E: an editor or a diff"
        + " shows this line in another order than the server reads it, so reviewers may approve other SQL than runs;"
        + " remove it (data that needs it can write U&'\\202E')");
  }

  @Test
  void acceptsTheSameConcurrentIndexInTheOnlineStep() throws IOException {
    Path pkg = packageWith(MinimalPackage.CHANGE_SQL, "create index concurrently t_id on app.t (id);\n");

    Cli verify = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", trust(1).toString());

    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.err()).isEmpty();
    assertThat(verify.out()).contains("sha256 ddl/online.sql: ok ", "integrity: PASS\n");
  }

  @Test
  void aCleanPackageWrappedInBeginCommitStillVerifies() throws IOException {
    Path pkg = packageWith("begin;\ncreate table app.t (id int primary key);\ncommit;\n", null);

    Cli verify = Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", trust(1).toString());

    assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.err()).isEmpty();
    assertThat(verify.out()).contains("sha256 ddl/change.sql: ok ", "integrity: PASS\n");
  }

  @Test
  void judgesCopyDataAndTheCopyRefusalsAsApplyDoes() throws IOException {
    // two COPYs on one line read their data in turn (the second's data holds a line that is SQL
    // that would be refused); a string opened on the COPY's line goes on after the data; pg_dump's
    // \restrict lines send nothing
    Cli accepted = verifyFresh("\\restrict k1\ncreate table app.t (id int primary key, s text);\n"
        + "copy app.t from stdin; copy app.t from stdin; select 'a\r\n1\tit's\r\n\\.\r\n"
        + "vacuum app.t;\n\\.\nb';\n\\unrestrict k1\n");
    Cli refusedOut = verifyFresh("create table app.t (id int primary key);\ncopy app.t (id) to stdout;\n");
    Cli refusedBinary = verifyFresh("create table app.t (id int primary key);\n  copy app.t from stdin (format binary);\n\\.\n");

    assertThat(accepted.exit()).as(accepted.out() + accepted.err()).isZero();
    assertThat(accepted.err()).isEmpty();
    assertThat(refusedOut.exit()).isEqualTo(2);
    assertThat(refusedOut.err().strip()).isEqualTo("ddl/change.sql:2:1: `copy app . t …`: COPY … TO STDOUT would print"
        + " table rows, which cutter never shows; a change only loads data (COPY … FROM STDIN with its data inline)");
    assertThat(refusedBinary.exit()).isEqualTo(2);
    assertThat(refusedBinary.err().strip()).isEqualTo("ddl/change.sql:2:3: COPY … FROM STDIN in binary format: psql would"
        + " read the rest of the file as its data; use text or CSV data ended by a \\. line");
  }

  /** Verifies a new package whose change artifact is {@code changeSql} (the previous one, signature included, removed). */
  private Cli verifyFresh(String changeSql) throws IOException {
    Path old = dir.resolve("pkg");
    if (Files.exists(old)) {
      try (java.util.stream.Stream<Path> files = Files.walk(old)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
    Path pkg = packageWith(changeSql, null);
    return Cli.run(Map.of(), "package", "verify", pkg.toString(), "--trust", trust(1).toString());
  }
}
