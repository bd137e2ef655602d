package dev.cutter.backup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * Runs pg_dump and reads its stdout exactly once, in 256 KiB pieces, handing each piece to: the
 * plaintext sha256, the archive verifier (own thread, bounded hand-off), pg_restore --list (its
 * stdin), and the file — through OpenPGP encryption when set, so no plaintext reaches the disk.
 * Memory stays a few MiB whatever the dump size.
 */
final class DumpPipeline {

  private static final int PIECE = 256 * 1024;
  private static final int STDERR_LIMIT = 64 * 1024;

  /** What the pipeline saw. Errors are messages; a null error means that part succeeded. */
  record Outcome(int pgDumpExit, String pgDumpStderr, ArchiveSummary archive, String archiveError,
      RestoreListing listing, String restoreError, long plaintextBytes, String plaintextSha256, long fileBytes,
      String fileSha256, String writeError, Integer proofExit, RestoreErrors proofErrors) {}

  /**
   * A child fed the same plaintext on its stdin (the restore proof's pg_restore): argv and whole
   * environment; {@code dumpDone} runs once pg_dump has exited 0 and every byte was handed on.
   */
  record Child(List<String> command, Map<String, String> environment, Runnable dumpDone) {
    Child(List<String> command, Map<String, String> environment) {
      this(command, environment, () -> { });
    }
  }

  /** Counts from {@code pg_restore --list}. */
  record RestoreListing(int exitCode, int tocEntries, int tableDataEntries, String stderr) {}

  private final List<String> dumpCommand;
  private final Map<String, String> dumpEnvironment;
  private final List<String> restoreCommand;
  private final Map<String, String> restoreEnvironment;
  private final Path file;
  private final Optional<Encryption> encryption;
  private final Optional<PrintStream> progress;
  private final RunGuard guard;
  private final Optional<Child> proof;

  /** Encrypt the file to these keys, naming the literal data {@code literalName}. */
  record Encryption(List<org.bouncycastle.openpgp.PGPPublicKey> keys, String literalName, java.util.Date modified) {}

  /**
   * @param dumpEnvironment pg_dump's whole environment (it replaces the inherited one)
   * @param restoreEnvironment pg_restore's whole environment; {@code --list} reads stdin and connects nowhere
   */
  DumpPipeline(List<String> dumpCommand, Map<String, String> dumpEnvironment, List<String> restoreCommand,
      Map<String, String> restoreEnvironment, Path file, Optional<Encryption> encryption, Optional<PrintStream> progress,
      RunGuard guard) {
    this(dumpCommand, dumpEnvironment, restoreCommand, restoreEnvironment, file, encryption, progress, guard, Optional.empty());
  }

  /** As above, also feeding every byte of the archive to {@code proof}'s stdin. */
  DumpPipeline(List<String> dumpCommand, Map<String, String> dumpEnvironment, List<String> restoreCommand,
      Map<String, String> restoreEnvironment, Path file, Optional<Encryption> encryption, Optional<PrintStream> progress,
      RunGuard guard, Optional<Child> proof) {
    this.proof = proof;
    this.dumpCommand = List.copyOf(dumpCommand);
    this.dumpEnvironment = Map.copyOf(dumpEnvironment);
    this.restoreCommand = List.copyOf(restoreCommand);
    this.restoreEnvironment = Map.copyOf(restoreEnvironment);
    this.file = file;
    this.encryption = encryption;
    this.progress = progress;
    this.guard = guard;
  }

  Outcome run() throws IOException, InterruptedException {
    ProcessBuilder dumpPb = new ProcessBuilder(dumpCommand);
    dumpPb.environment().clear();
    dumpPb.environment().putAll(dumpEnvironment);
    Process dump = dumpPb.start();
    guard.track(dump);
    dump.getOutputStream().close();
    FutureTask<String> dumpErr = background("pg_dump stderr", () -> tail(dump.getErrorStream()));

    ProcessBuilder restorePb = new ProcessBuilder(restoreCommand);
    restorePb.environment().clear();
    restorePb.environment().putAll(restoreEnvironment);
    Process restore = restorePb.start();
    guard.track(restore);
    FutureTask<String> restoreErr = background("pg_restore stderr", () -> tail(restore.getErrorStream()));
    FutureTask<int[]> restoreList = background("pg_restore list", () -> countListing(restore.getInputStream()));

    ChunkPipe pipe = new ChunkPipe(16);
    FutureTask<ArchiveSummary> verified = background("archive verifier", () -> {
      try {
        return ArchiveVerifier.verify(pipe.input());
      } finally {
        pipe.readerDone();
      }
    });

    // the restore proof's pg_restore reads the same bytes on its stdin; one that stops early (an
    // error, --exit-on-error) is let go: its exit code and stderr say why, and the dump goes on
    Process proofRestore = null;
    FutureTask<RestoreErrors> proofErr = null;
    FutureTask<Long> proofFed = null;
    ChunkPipe toProof = null;
    if (proof.isPresent()) {
      ProcessBuilder pb = new ProcessBuilder(proof.get().command());
      pb.environment().clear();
      pb.environment().putAll(proof.get().environment());
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      Process p = pb.start();
      guard.track(p);
      proofRestore = p;
      // pg_restore's own lines only: the server's message may carry rows (RestoreErrors)
      proofErr = background("restore proof stderr", () -> RestoreErrors.read(p.getErrorStream()));
      ChunkPipe pipeIn = new ChunkPipe(16);
      toProof = pipeIn;
      proofFed = background("restore proof feeder", () -> {
        long fed = 0;
        try (OutputStream in = p.getOutputStream(); InputStream from = pipeIn.input()) {
          byte[] buf = new byte[PIECE];
          int n;
          while ((n = from.read(buf)) > 0) {
            in.write(buf, 0, n);
            fed += n;
          }
        } catch (IOException e) {
          // pg_restore stopped reading: its exit code is what counts
        } finally {
          pipeIn.readerDone();
        }
        return fed;
      });
    }

    ChunkPipe toFile = new ChunkPipe(16);
    MessageDigest fileSha = sha256();
    FutureTask<Long> written = background("file writer", () -> {
      try {
        return writeFile(toFile.input(), fileSha);
      } finally {
        toFile.readerDone();
      }
    });

    MessageDigest plainSha = sha256();
    long plainBytes = 0;
    String writeError = null;
    OutputStream restoreIn = restore.getOutputStream();
    boolean restoreOpen = true;
    Progress meter = new Progress(progress);
    try (InputStream dumpOut = dump.getInputStream()) {
      byte[] buf = new byte[PIECE];
      int n;
      while ((n = dumpOut.read(buf)) > 0) {
        plainSha.update(buf, 0, n);
        plainBytes += n;
        pipe.write(buf, 0, n);
        if (restoreOpen) {
          restoreOpen = feed(restoreIn, buf, n);
        }
        toFile.write(buf, 0, n);
        if (toProof != null) {
          toProof.write(buf, 0, n);
        }
        if (written.isDone()) {
          break; // the writer stopped early: it failed, and its error is reported below
        }
        meter.update(plainBytes);
      }
    } catch (IOException e) {
      writeError = guard.aborted() ? guard.abortReason() : "reading pg_dump's output failed: " + e.getMessage();
    } finally {
      meter.done(plainBytes);
      pipe.close();
      toFile.close();
      if (toProof != null) {
        toProof.close();
      }
      closeQuietly(restoreIn);
    }
    long fileBytes = 0;
    try {
      fileBytes = written.get();
    } catch (ExecutionException e) {
      writeError = writeError != null ? writeError
          : guard.aborted() ? guard.abortReason() : "writing " + file + " failed: " + e.getCause().getMessage();
    }
    if (writeError != null) {
      dump.destroyForcibly();
    }

    int dumpExit = dump.waitFor();
    if (dumpExit == 0 && writeError == null) {
      proof.ifPresent(p -> p.dumpDone().run());
    }
    ArchiveSummary archive = null;
    String archiveError = null;
    try {
      archive = verified.get();
    } catch (ExecutionException e) {
      archiveError = e.getCause().getMessage();
    }
    if (!restore.waitFor(120, TimeUnit.SECONDS)) {
      restore.destroyForcibly();
    }
    int restoreExit = restore.waitFor();
    RestoreListing listing = null;
    String restoreError = null;
    try {
      int[] counts = restoreList.get();
      listing = new RestoreListing(restoreExit, counts[0], counts[1], get(restoreErr));
      if (restoreExit != 0) {
        restoreError = "pg_restore --list exited " + restoreExit + ": " + firstErrorLine(listing.stderr());
      }
    } catch (ExecutionException e) {
      restoreError = "cannot read pg_restore --list: " + e.getCause().getMessage();
    }
    Integer proofExit = null;
    RestoreErrors proofErrors = null;
    if (proofRestore != null) {
      try {
        proofFed.get();
      } catch (ExecutionException e) {
        // the feeder catches its own failures
      }
      proofExit = proofRestore.waitFor();
      proofErrors = get(proofErr, RestoreErrors.none());
    }
    String plainDigest = hex(plainSha.digest());
    return new Outcome(dumpExit, get(dumpErr), archive, archiveError, listing, restoreError, plainBytes, plainDigest,
        fileBytes, encryption.isPresent() ? hex(fileSha.digest()) : plainDigest, writeError, proofExit, proofErrors);
  }

  /**
   * The file side, on its own thread so that encryption and its digest overlap with reading:
   * the plaintext through OpenPGP encryption when set, the sha256 of what reaches the file,
   * fsync. Returns the bytes written.
   */
  private long writeFile(InputStream plaintext, MessageDigest fileSha) throws IOException {
    boolean encrypt = encryption.isPresent();
    // the file was created exclusively; a link put in its place since would be refused, not followed
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      long[] count = {0};
      OutputStream fileOut = counting(Channels.newOutputStream(channel), fileSha, count, encrypt);
      OutputStream sink = encrypt
          ? OpenPgpEncryption.encryptingStream(fileOut, encryption.get().keys(), encryption.get().literalName(),
              encryption.get().modified())
          : fileOut;
      byte[] buf = new byte[PIECE];
      int n;
      while ((n = plaintext.read(buf)) > 0) {
        sink.write(buf, 0, n);
      }
      sink.close();
      channel.force(true);
      return count[0];
    }
  }

  /** Writes to pg_restore's stdin; false once it has stopped reading (it exits after the TOC). */
  private static boolean feed(OutputStream restoreIn, byte[] buf, int n) {
    try {
      restoreIn.write(buf, 0, n);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Counts TOC entries and TABLE DATA entries in pg_restore --list output (lines not starting with ';'). */
  static int[] countListing(InputStream listing) throws IOException {
    int entries = 0;
    int tableData = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(listing, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank() || line.startsWith(";")) {
          continue;
        }
        entries++;
        if (line.matches("^-?\\d+; \\d+ \\d+ TABLE DATA .*")) {
          tableData++;
        }
      }
    }
    return new int[] {entries, tableData};
  }

  /** The most telling line of a program's stderr: the first "error:" line, else the last line. */
  static String firstErrorLine(String stderr) {
    if (stderr == null || stderr.isBlank()) {
      return "(no message)";
    }
    String last = null;
    for (String line : stderr.split("\n")) {
      if (line.contains("error:") || line.contains("FATAL:") || line.contains("ERROR:")) {
        return line.strip();
      }
      if (!line.isBlank()) {
        last = line.strip();
      }
    }
    return last;
  }

  private static OutputStream counting(OutputStream out, MessageDigest digest, long[] count, boolean digestHere) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        if (digestHere) {
          digest.update(b, off, len);
        }
        count[0] += len;
      }

      @Override
      public void close() {
        // the channel is closed by its owner, after fsync
      }
    };
  }

  /** Keeps at most the last 64 KiB of a stream (stderr), decoded as UTF-8. */
  static String tail(InputStream in) throws IOException {
    Deque<byte[]> parts = new ArrayDeque<>();
    int kept = 0;
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) > 0) {
      parts.addLast(java.util.Arrays.copyOf(buf, n));
      kept += n;
      while (kept > STDERR_LIMIT && parts.size() > 1) {
        kept -= parts.removeFirst().length;
      }
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static <T> FutureTask<T> background(String name, Callable<T> work) {
    FutureTask<T> task = new FutureTask<>(work);
    Thread t = new Thread(task, "cutter-backup " + name);
    t.setDaemon(true);
    t.start();
    return task;
  }

  private static String get(FutureTask<String> task) throws InterruptedException {
    return get(task, "");
  }

  private static <T> T get(FutureTask<T> task, T otherwise) throws InterruptedException {
    try {
      return task.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      return otherwise;
    }
  }

  private static void closeQuietly(OutputStream out) {
    try {
      out.close();
    } catch (IOException e) {
      // pg_restore already stopped reading: its exit code tells whether that was fine
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  /** Bytes and rate on a terminal, at most twice a second; nothing when there is no terminal. */
  private static final class Progress {
    private final Optional<PrintStream> out;
    private final long start = System.nanoTime();
    private long lastShown;

    Progress(Optional<PrintStream> out) {
      this.out = out;
    }

    void update(long bytes) {
      if (out.isEmpty()) {
        return;
      }
      long now = System.nanoTime();
      if (now - lastShown >= 500_000_000L) {
        lastShown = now;
        show(bytes, now);
      }
    }

    void done(long bytes) {
      if (out.isPresent() && lastShown != 0) {
        show(bytes, System.nanoTime());
        out.get().print('\n');
        out.get().flush();
      }
    }

    private void show(long bytes, long now) {
      double secs = Math.max(1e-3, (now - start) / 1e9);
      double mib = bytes / 1048576.0;
      out.get().printf("\rpg_dump: %.1f MiB, %.1f MiB/s   ", mib, mib / secs);
      out.get().flush();
    }
  }
}
