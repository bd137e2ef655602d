package dev.cutter.cli.sandbox;

import dev.cutter.core.db.ConnectionSpec.Secret;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A scratch server run from the host's own server binaries ({@link ScratchBinaries}), started and
 * stopped as the embedded library starts and stops the bundled ones, never trusting a
 * connection ({@link ClusterPassword}). {@code pg_ctl start} with {@code fsync} off and the given settings on a
 * free port of {@code localhost}, its socket in {@code /tmp} as the bundled build's (open to its
 * owner only), a fast stop at the end or at the JVM's exit.
 */
final class HostServer implements EmbeddedSandbox.Running {

  private final Path bin;
  private final Path data;
  private Secret password;
  private final int port;
  private final boolean ownsData;
  private final Path log;
  private final Thread hook;
  private boolean closed;

  private HostServer(Path bin, Path data, int port, boolean ownsData, Path log) {
    this.bin = bin;
    this.data = data;
    this.port = port;
    this.ownsData = ownsData;
    this.log = log;
    this.hook = new Thread(this::close, "cutter host scratch stop");
  }

  /**
   * Starts a server on {@code data}: a fresh cluster made there by initdb when {@code data} is
   * empty, else the cluster it holds (a template's copy). {@code ownsData}: {@code data} is
   * deleted when the server stops (else the caller keeps or deletes it).
   */
  static HostServer start(Path bin, Path data, boolean ownsData, Map<String, String> settings, Duration wait)
      throws IOException {
    boolean fresh;
    try (var entries = Files.list(data)) {
      fresh = entries.findAny().isEmpty();
    }
    Path log = Files.createTempFile("cutter-scratch", ".log");
    HostServer s = new HostServer(bin, data, freePort(), ownsData, log);
    try {
      if (fresh) {
        ClusterPassword pw = ClusterPassword.forInitdb();
        Path made = null;
        try {
          List<String> initdb = new ArrayList<>(List.of("-U", "postgres", "-D", data.toString(), "-E", "UTF-8"));
          pw.initdbOptions().forEach((k, v) -> initdb.add("--" + k + "=" + v));
          s.run(wait, "initdb", initdb.toArray(String[]::new));
          made = data;
        } finally {
          pw.keepIn(made);
        }
        s.password = pw.password();
      } else {
        s.password = ClusterPassword.keptIn(data);
      }
      List<String> options = new ArrayList<>(List.of("-p", String.valueOf(s.port), "-F", "-c", "unix_socket_directories=/tmp",
          "-c", "unix_socket_permissions=0700", "-c", "listen_addresses=" + EmbeddedSandbox.LOOPBACK));
      settings.forEach((k, v) -> options.addAll(List.of("-c", k + "=" + v)));
      Runtime.getRuntime().addShutdownHook(s.hook);
      s.run(wait.plusSeconds(5), "pg_ctl", "-D", data.toString(), "-l", log.toString(), "-o", String.join(" ", options),
          "-w", "-t", String.valueOf(wait.toSeconds()), "start");
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public Secret password() {
    return password;
  }

  /** Stops the server (fast), and deletes the cluster it made and its log. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // the JVM is exiting (the hook runs or ran), or it was never added
    }
    stop();
  }

  private void stop() {
    if (Files.exists(data.resolve("postmaster.pid"))) {
      try {
        run(Duration.ofSeconds(10), "pg_ctl", "-D", data.toString(), "stop", "-m", "fast", "-t", "5", "-w");
      } catch (IOException | RuntimeException e) {
        try {
          run(Duration.ofSeconds(10), "pg_ctl", "-D", data.toString(), "stop", "-m", "immediate", "-t", "5", "-w");
        } catch (IOException | RuntimeException again) {
          // nothing more to do: the caller waits for the lock file to go before deleting a copy
        }
      }
    }
    if (ownsData) {
      ScratchTemplate.deleteTree(data);
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // a log in the temporary directory
    }
  }

  /** Runs one of the binaries; its output goes to the log, whose end is the error when it fails. */
  private void run(Duration wait, String program, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(bin.resolve(program).toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // the libpq and server variables of cutter's own environment are not the scratch's
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    Process p = pb.start();
    p.getOutputStream().close();
    try {
      if (!p.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException(program + " did not finish in " + wait.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while " + program + " ran", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(program + " exited " + p.exitValue() + ": " + lastLines());
    }
  }

  private String lastLines() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return lines.subList(Math.max(0, lines.size() - 3), lines.size()).stream().collect(Collectors.joining(" / "));
    } catch (IOException e) {
      return "(no output)";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
