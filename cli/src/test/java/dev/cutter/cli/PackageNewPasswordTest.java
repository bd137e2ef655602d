package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.fixtures.PrivateCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cutter package new} as a real process against a server that asks for a password
 * (scram-sha-256 over TCP), the password in PGPASSWORD: it logs in, and the password is nowhere in
 * what it writes or prints; neither are the host and port it reached.
 */
class PackageNewPasswordTest {

  private static final String PASSWORD = "scaffold-Pw-7731-secret";

  @TempDir Path dir;

  @Test
  void thePasswordTheLoginUsedIsInNoFileAndNoOutput() throws Exception {
    try (PrivateCluster cluster = PrivateCluster.startOrSkip(new PrivateCluster.Options("localhost", 0, false, List.of(
        "local all all trust", "host all all 127.0.0.1/32 scram-sha-256", "host all all ::1/128 scram-sha-256")))) {
      cluster.psql("postgres", "CREATE ROLE app LOGIN PASSWORD '" + PASSWORD + "'");
      cluster.psql("postgres", "CREATE SCHEMA shop AUTHORIZATION app");
      cluster.psql("postgres", "GRANT EXECUTE ON FUNCTION pg_catalog.pg_control_system() TO app");
      Path change = Files.writeString(dir.resolve("change.sql"), "CREATE TABLE shop.item (id int);\n");
      Path pkg = dir.resolve("pkg");

      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
          Main.class.getName(), "package", "new", pkg.toString(), "--sql", change.toString(), "--id", "pw-test",
          "--apply-role", "app", "--target", "postgresql://app@127.0.0.1:" + cluster.port() + "/postgres?sslmode=disable")
          .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
      pb.environment().put("PGPASSWORD", PASSWORD);
      pb.environment().put("HOME", dir.toString());
      Process p = pb.start();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("cutter finished").isTrue();
      Cli r = new Cli(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));

      assertThat(r.exit()).as(r.out() + r.err()).isZero();
      assertThat(Files.readString(pkg.resolve("package.yaml"))).contains("  - objects_absent: {schema: shop, tables: [item]}");
      StringBuilder written = new StringBuilder(r.out()).append(r.err());
      try (Stream<Path> files = Files.walk(pkg)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          written.append(Files.readString(f));
        }
      }
      assertThat(written.toString()).doesNotContain(PASSWORD).doesNotContain("PGPASSWORD");
      assertThat(Files.readString(pkg.resolve("package.yaml"))).as("the file names the database, not where it was reached")
          .doesNotContain(":" + cluster.port()).doesNotContain("127.0.0.1");
    }
  }
}
