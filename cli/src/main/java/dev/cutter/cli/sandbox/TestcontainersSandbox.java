package dev.cutter.cli.sandbox;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
  private Path toolDir;

  private TestcontainersSandbox(PostgreSQLContainer container, int major, Secret password) {
    this.container = container;
    this.major = major;
    this.password = password;
  }

  /**
   * A launcher for {@code tool} that runs the container's own binary (so pg_dump always matches
   * the server). The connection comes from the environment cutter gives pg_dump; inside the
   * container the server is on 127.0.0.1:5432, and PGPASSWORD is passed by name, never by value.
   */
  static String launcher(String containerId, String tool) {
    return "#!/bin/sh\n"
        + "# runs " + tool + " inside the dry-run's sandbox container\n"
        + "exec docker exec -i -e PGPASSWORD -e PGUSER -e PGDATABASE -e PGHOST=127.0.0.1 -e PGPORT=5432 "
        + containerId + " " + tool + " \"$@\"\n";
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
  public synchronized Optional<String> pgBin() {
    if (toolDir == null) {
      try {
        Path dir = Files.createTempDirectory("cutter-sandbox-bin-");
        for (String tool : new String[] {"pg_dump", "pg_restore"}) {
          Path f = dir.resolve(tool);
          Files.writeString(f, launcher(container.getContainerId(), tool));
          Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        }
        toolDir = dir;
      } catch (IOException e) {
        return Optional.empty();
      }
    }
    return Optional.of(toolDir.toString());
  }

  /** The container, for running pg_dump of the server's own version inside it. */
  public PostgreSQLContainer container() {
    return container;
  }

  @Override
  public void close() {
    container.close();
    if (toolDir != null) {
      for (String tool : new String[] {"pg_dump", "pg_restore"}) {
        toolDir.resolve(tool).toFile().delete();
      }
      toolDir.toFile().delete();
    }
  }
}
