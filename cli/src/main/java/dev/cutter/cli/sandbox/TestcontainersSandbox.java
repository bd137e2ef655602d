package dev.cutter.cli.sandbox;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
    DockerImageName image = DockerImageName.parse("postgres:" + m);
    requireImage(image);
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    Secret pw = new Secret(HexFormat.of().formatHex(b));
    PostgreSQLContainer c = new PostgreSQLContainer(image)
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

  /** How long one pull of a missing image may take (an official image over a CI runner's network: seconds). */
  private static final Duration PULL_LIMIT = Duration.ofMinutes(10);

  /**
   * The image on the engine, or one pull of it; when that fails, a one-line refusal at once,
   * naming the command that would provide it (Testcontainers itself would retry pulls for
   * minutes before failing).
   */
  static void requireImage(DockerImageName image) {
    DockerClient docker = DockerClientFactory.instance().client();
    if (present(docker, image)) {
      return;
    }
    boolean finished;
    try {
      finished = docker.pullImageCmd(image.getRepository()).withTag(image.getVersionPart()).start()
          .awaitCompletion(PULL_LIMIT.toSeconds(), TimeUnit.SECONDS);
    } catch (RuntimeException e) {
      throw missingImage(image, "pulling it failed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw missingImage(image, "the pull was interrupted");
    }
    if (!finished || !present(docker, image)) {
      throw missingImage(image, finished ? "pulling it failed" : "pulling it took more than " + PULL_LIMIT.toMinutes() + " minutes");
    }
  }

  private static boolean present(DockerClient docker, DockerImageName image) {
    try {
      docker.inspectImageCmd(image.asCanonicalNameString()).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    }
  }

  private static CutterException missingImage(DockerImageName image, String why) {
    return CutterException.invalid("--sandbox testcontainers: the image " + image.asCanonicalNameString()
        + " is not on this Docker engine and " + why + "; provide it (docker pull " + image.asCanonicalNameString()
        + ") or give the --pg-version of an image the engine has");
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
