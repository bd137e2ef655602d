package dev.cutter.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Verdict;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.ConnectionResolver;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.TlsState;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.ApplySettings;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.model.Target;
import dev.cutter.fixtures.PrivateCluster;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a server that only takes TLS: every session the report lists says it was encrypted and verified. */
class ProvenanceTlsTest {

  private static PrivateCluster server;

  @TempDir Path home;

  @BeforeAll
  static void start() {
    server = PrivateCluster.startOrSkip(PrivateCluster.Options.tlsOnly());
    server.psql("postgres", "create role tls_app login; grant create on schema public to tls_app");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void eachSessionRecordsItsOwnTlsState() throws Exception {
    ConnectionSpec login = new ConnectionResolver(Map.of(), home).resolve("postgresql://postgres@localhost:" + server.port()
        + "/postgres?sslmode=verify-full&sslrootcert=" + server.caCertificate());
    try (var c = dev.cutter.core.db.Connections.open(login, "init")) {
      dev.cutter.core.exec.Journal.init(c, List.of("tls_app"));
    }
    ApplyPackage pkg = ApplyRunTest.pkg("8".repeat(64), new Target("postgres", server.systemIdentifier(), Optional.empty(),
        "tls_app", Optional.empty()), Instant.parse("2099-01-01T00:00:00Z"), List.of(), null,
        ApplySettings.Mode.TRANSACTION);
    Steps.Checks checks = new Steps.Checks() {
      @Override
      public List<CheckResult> preflight(ConnectionSpec target, ApplyPackage p, boolean sandbox) {
        return List.of(CheckResult.pass("identity", "postgres", "postgres", null));
      }

      @Override
      public List<CheckResult> run(ConnectionSpec target, ApplyPackage p, List<CheckSpec> specs) {
        return List.of();
      }
    };
    ApplyRun.Request req = new ApplyRun.Request(pkg, ApplyRunTest.stmts("create table tls_t (a int)"), false, List.of(),
        login, (spec, role) -> Optional.empty(), Duration.ZERO, RunMode.APPLY, RunIds.next(Clock.systemUTC()));

    RunReport r = new ApplyRun(ApplyRunTest.INTEGRITY_OK, checks, ApplyRunTest.NO_BACKUP, Clock.systemUTC())
        .execute(req, x -> "f".repeat(64));

    assertThat(r.verdict()).as(r.rootCause()).isEqualTo(Verdict.PASS);
    TlsState verified = r.target().tls();
    assertThat(verified.encrypted()).isTrue();
    assertThat(verified.verified()).isTrue();
    assertThat(verified.sslmode()).isEqualTo("verify-full");
    assertThat(verified.protocol()).startsWith("TLSv1.");
    assertThat(r.provenance().sessions()).containsExactly(
        new Provenance.Session(Provenance.Purpose.TARGET, "postgres", verified),
        new Provenance.Session(Provenance.Purpose.ARTIFACT, "tls_app", verified),
        new Provenance.Session(Provenance.Purpose.JOURNAL, "tls_app", verified));
  }
}
