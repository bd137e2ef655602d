package dev.cutter.cli.sandbox;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/** A sandbox in a {@code postgres:<major>} container, for CI machines with Docker. */
public final class TestcontainersSandbox implements SandboxServer {

  private final PostgreSQLContainer container;
  private final int major;
  private final Secret password;

  private TestcontainersSandbox(PostgreSQLContainer container, int major, Secret password) {
    this.container = container;
    this.major = major;
    this.password = password;
  }

  /** Whether a Docker engine answers here. */
  public static boolean available() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  public static TestcontainersSandbox start(String database, int major) {
    if (!available()) {
      throw CutterException.invalid("--sandbox testcontainers: no Docker engine answers here; use the embedded sandbox "
          + "(the default) or --sandbox URL");
    }
    int m = major == 0 ? 16 : major;
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    Secret pw = new Secret(HexFormat.of().formatHex(b));
    PostgreSQLContainer c = new PostgreSQLContainer(DockerImageName.parse("postgres:" + m))
        .withDatabaseName(database)
        .withUsername("postgres")
        .withPassword(pw.value());
    try {
      c.start();
    } catch (RuntimeException e) {
      c.close();
      throw new CutterException(ExitCodes.INTERNAL, "the postgres:" + m + " container did not start: " + e.getMessage(), e);
    }
    return new TestcontainersSandbox(c, m, pw);
  }

  @Override
  public String describe() {
    return "container " + container.getDockerImageName();
  }

  @Override
  public int major() {
    return major;
  }

  @Override
  public ConnectionSpec superuser() {
    return new ConnectionSpec(container.getHost(), container.getMappedPort(5432), container.getDatabaseName(),
        container.getUsername(), Optional.of(password));
  }

  @Override
  public Optional<String> pgBin() {
    return Optional.empty();
  }

  /** The container, for running pg_dump of the server's own version inside it. */
  public PostgreSQLContainer container() {
    return container;
  }

  @Override
  public void close() {
    container.close();
  }
}
