package dev.cutter.core.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.InvalidInputException;
import dev.cutter.core.via.PgDumpVia;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trust policy's pg_dump_via, pg_dump_host and pg_dump_port. */
class TrustPolicyPgDumpViaTest {

  @TempDir Path dir;

  private Path trustFile(String extra) throws IOException {
    Files.write(dir.resolve("approvers.asc"), TestKeys.armoredPublic(TestKeys.approver("Alice").toCertificate()));
    return Files.writeString(dir.resolve("trust.yaml"), "keyring: approvers.asc\nrequire: 1\n" + extra);
  }

  private static String diagnosticOf(Path trust) {
    return assertThatThrownBy(() -> TrustPolicy.load(trust)).isInstanceOf(InvalidInputException.class)
        .extracting(Throwable::getMessage).asString().actual();
  }

  @Test
  void readsThePrefixWithItsHostAndPort() throws IOException {
    TrustPolicy p = TrustPolicy.load(trustFile("pg_dump_via: docker exec -i -e PGPASSWORD 'pg 16'\n"
        + "pg_dump_host: /var/run/postgresql\npg_dump_port: 5433\n"));

    PgDumpVia via = p.pgDumpVia().orElseThrow();
    assertThat(via.prefix()).containsExactly("docker", "exec", "-i", "-e", "PGPASSWORD", "pg 16");
    assertThat(via.host()).contains("/var/run/postgresql");
    assertThat(via.port()).isEqualTo(OptionalInt.of(5433));
    assertThat(via.source()).isEqualTo("trust policy " + dir.resolve("trust.yaml"));
    assertThat(TrustPolicy.load(trustFile("")).pgDumpVia()).isEqualTo(Optional.empty());
  }

  @Test
  void refusesAnUnsplittablePrefixInOneLineNamingFileLineAndColumn() throws IOException {
    Path trust = trustFile("pg_dump_via: \"docker exec -i $CONTAINER\"\n");

    assertThat(diagnosticOf(trust)).isEqualTo(trust + ":3:14: pg_dump_via: '$' at column 16 would be interpreted by a shell"
        + " (expansion, redirection, globbing or another command); cutter runs no shell: quote it with '...' if it is meant"
        + " literally");
  }

  @Test
  void refusesAPasswordAssignedInThePrefix() throws IOException {
    Path trust = trustFile("pg_dump_via: docker exec -i -e PGPASSWORD=hunter2 db\n");

    assertThat(diagnosticOf(trust)).isEqualTo(trust + ":3:14: pg_dump_via: the word at column 19 assigns a value to the libpq"
        + " variable PGPASSWORD in argv, which every user of this host can read; forward variables by name only (e.g. -e"
        + " PGPASSWORD) and cutter sets them in the prefix's environment");
  }

  @Test
  void refusesAHostOrPortWithoutAPrefixAndABadPort() throws IOException {
    Path host = trustFile("pg_dump_host: /tmp\n");
    assertThat(diagnosticOf(host)).isEqualTo(host + ":3:15: pg_dump_host without pg_dump_via: it says where pg_dump run"
        + " through the prefix connects");
    Path port = trustFile("pg_dump_via: docker exec -i db\npg_dump_port: 99999\n");
    assertThat(diagnosticOf(port)).isEqualTo(port + ":4:15: pg_dump_port: 99999 is not a port (1 to 65535)");
  }
}
