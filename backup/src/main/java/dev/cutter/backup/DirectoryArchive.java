package dev.cutter.backup;

import dev.cutter.backup.ArchiveVerifier.DirectoryToc;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A directory-format archive ({@code pg_dump --format=directory}) proven complete, file by file:
 * {@code toc.dat} parsed whole ({@link ArchiveVerifier#verifyDirectoryToc}), every data file it
 * names present exactly once (as {@code N.dat}, or {@code N.dat.gz} when compressed), no file it
 * does not name, and every data file read to its end: a gzip file through the decompressor (its
 * trailer's CRC and length catch a cut anywhere), a plain COPY file up to a final newline. The same
 * single read of each file feeds its sha256 and, when the backup is encrypted, its OpenPGP
 * encryption into {@code <name>.pgp}; the plaintext file is then removed. Files are processed on
 * {@code jobs} threads, largest first.
 */
final class DirectoryArchive implements AutoCloseable {

  static final String TOC = "toc.dat";
  static final String ENCRYPTED_SUFFIX = ".pgp";
  private static final int PIECE = 256 * 1024;

  /** What is in a data file, which decides how its end is proven. */
  private enum Kind {
    /** toc.dat: parsed before. */
    TOC,
    /** COPY text of a table: ends with pg_dump's end-of-data line and two empty lines. */
    COPY,
    /** A large objects' list: lines. */
    TEXT,
    /** A large object's bytes: only a compressed one can be proven whole. */
    BINARY
  }

  /** A file to walk: its name, whether gzip-compressed, its kind, the TOC entry it belongs to. */
  private record Entry(String name, boolean gzip, Kind kind, String label) {}

  /** The walked archive: the TOC's summary, every file, and the plaintext bytes in all. */
  record Verified(ArchiveSummary summary, List<ArchiveFile> files, long plaintextBytes, long storedBytes) {}

  /** One walked file, or what is wrong with its content ({@code problem}, to follow "the data file NAME of ENTRY"). */
  private record Walked(ArchiveFile file, String problem) {}

  private final Path plain;
  private final Path stored;
  private final Optional<DumpPipeline.Encryption> encryption;
  private final boolean keepPlaintext;
  private final ExecutorService pool;
  private final Map<String, Future<Walked>> started = new java.util.concurrent.ConcurrentHashMap<>();
  private final Optional<ProcessHandle> writer;
  /** Whether the system lists each process's children ({@code /proc/PID/task/TID/children}). */
  private final boolean childrenListed;
  private final Thread watcher;
  private volatile boolean watching;
  private final java.util.concurrent.atomic.AtomicInteger waits = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();

  private DirectoryArchive(Path plain, Path stored, Optional<DumpPipeline.Encryption> encryption, boolean keepPlaintext,
      int jobs, Optional<ProcessHandle> writer) {
    this.plain = plain;
    this.stored = stored;
    this.encryption = encryption;
    this.keepPlaintext = keepPlaintext;
    this.writer = writer;
    this.childrenListed = writer.isPresent()
        && Files.isReadable(Path.of("/proc", String.valueOf(writer.get().pid()), "task", String.valueOf(writer.get().pid()), "children"));
    this.pool = Executors.newFixedThreadPool(Math.max(1, jobs), r -> {
      Thread t = new Thread(r, "cutter-backup file");
      t.setDaemon(true);
      return t;
    });
    this.watching = writer.isPresent();
    this.watcher = writer.isPresent() ? new Thread(this::watch, "cutter-backup directory watcher") : null;
    if (watcher != null) {
      watcher.setDaemon(true);
      watcher.start();
    }
  }

  /**
   * Walks, hashes and (with {@code encryption}) encrypts every file of the archive in {@code plain}
   * into {@code stored} (the same directory when not encrypted). The plaintext of an encrypted
   * file is deleted right after it, unless {@code keepPlaintext} (the restore proof still reads it).
   *
   * @throws ArchiveException naming the file and what is wrong with it
   */
  static Verified process(Path plain, Path stored, Optional<DumpPipeline.Encryption> encryption, boolean keepPlaintext,
      int jobs) throws IOException, InterruptedException {
    try (DirectoryArchive a = new DirectoryArchive(plain, stored, encryption, keepPlaintext, jobs, Optional.empty())) {
      return a.finish();
    }
  }

  /**
   * As {@link #process}, started while {@code pg_dump} still writes into {@code plain}: each data
   * file is followed as it grows and finished once no process of pg_dump's holds it open any more
   * (read from {@code /proc/PID/fd}; where the system does not show it, every file waits for
   * {@link #finish}). {@link #finish} is called once pg_dump has exited.
   */
  static DirectoryArchive following(Path plain, Path stored, Optional<DumpPipeline.Encryption> encryption,
      boolean keepPlaintext, int jobs, ProcessHandle pgDump) {
    boolean visible = Files.isDirectory(Path.of("/proc", String.valueOf(pgDump.pid()), "fd"));
    return new DirectoryArchive(plain, stored, encryption, keepPlaintext, jobs, visible ? Optional.of(pgDump) : Optional.empty());
  }

  /** A data file pg_dump writes while it runs (toc.dat and the large objects' lists wait for the end). */
  private static final java.util.regex.Pattern FOLLOWED = java.util.regex.Pattern.compile("(blob_)?[0-9]+\\.dat(\\.gz)?");

  private void watch() {
    while (watching) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(plain)) {
        for (Path p : s) {
          String name = p.getFileName().toString();
          if (FOLLOWED.matcher(name).matches() && !started.containsKey(name)
              && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            Entry en = new Entry(name, name.endsWith(".gz"), name.startsWith("blob_") ? Kind.BINARY : Kind.COPY, null);
            started.put(name, pool.submit(() -> walk(en, true)));
          }
        }
        Thread.sleep(50);
      } catch (IOException e) {
        return; // the directory is gone (a failed run); finish reports what is missing
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Whether a process of pg_dump's (the leader or a worker) has {@code file} open. */
  private boolean openByWriter(Path file) {
    looks.incrementAndGet();
    if (writer.isEmpty()) {
      return false;
    }
    for (long pid : writerProcesses()) {
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd"))) {
        for (Path fd : fds) {
          try {
            if (Files.readSymbolicLink(fd).equals(file)) {
              return true;
            }
          } catch (IOException e) {
            // closed meanwhile
          }
        }
      } catch (IOException e) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          return true; // its files cannot be seen: taken as still written until it exits
        }
      }
    }
    return false;
  }

  /**
   * pg_dump's processes: the leader and its descendants (the workers of {@code --jobs}), found
   * through each task's {@code /proc/PID/task/TID/children}: a few small reads, where
   * {@link ProcessHandle#descendants()} reads the status of every process of the system (about
   * 4 ms of CPU on a machine running 200 processes, paid each time a followed file is at its end).
   * Where the system does not list children, {@link ProcessHandle#descendants()}.
   */
  private List<Long> writerProcesses() {
    ProcessHandle leader = writer.orElseThrow();
    List<Long> pids = new ArrayList<>();
    pids.add(leader.pid());
    if (childrenListed) {
      for (int i = 0; i < pids.size(); i++) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pids.get(i)), "task"))) {
          for (Path task : tasks) {
            for (String child : Files.readString(task.resolve("children"), StandardCharsets.US_ASCII).trim().split(" ")) {
              if (!child.isEmpty()) {
                pids.add(Long.parseLong(child));
              }
            }
          }
        } catch (IOException | NumberFormatException e) {
          // the process or one of its threads exited meanwhile: it holds no file any more
        }
      }
    } else {
      leader.descendants().forEach(h -> pids.add(h.pid()));
    }
    return pids;
  }

  /**
   * After pg_dump exited: parses toc.dat, checks the files against it, walks every file not yet
   * walked and collects them all.
   */
  Verified finish() throws IOException, InterruptedException {
    watching = false;
    if (watcher != null) {
      watcher.interrupt();
      watcher.join();
    }
    DirectoryToc toc;
    try (InputStream in = Files.newInputStream(plain.resolve(TOC), LinkOption.NOFOLLOW_LINKS)) {
      toc = ArchiveVerifier.verifyDirectoryToc(in);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ArchiveException("the archive directory has no " + TOC);
    } catch (ArchiveException e) {
      throw new ArchiveException(TOC + ": " + e.getMessage());
    }
    Map<String, Long> onDisk = regularFiles(plain);
    Set<String> seen = new java.util.TreeSet<>(onDisk.keySet());
    seen.addAll(started.keySet());
    List<Entry> entries = new ArrayList<>();
    entries.add(new Entry(TOC, false, Kind.TOC, "the table of contents"));
    for (Map.Entry<String, String> e : toc.dataFiles().entrySet()) {
      Entry data = resolve(e.getKey(), e.getValue(), seen, Kind.COPY);
      entries.add(data);
      if (e.getKey().endsWith(".toc")) {
        // the large objects' list: one "oid file" line per large object, each in its own file
        for (String name : largeObjectFiles(plain.resolve(data.name()), data)) {
          entries.add(resolve(name, e.getValue() + ", " + name, seen, Kind.BINARY));
        }
      }
    }
    Map<String, Entry> expected = new TreeMap<>();
    entries.forEach(en -> expected.put(en.name(), en));
    for (String f : seen) {
      if (!expected.containsKey(f)) {
        throw new ArchiveException("the archive directory holds " + f + ", which its " + TOC + " does not name");
      }
    }
    entries.sort(Comparator.comparing((Entry en) -> onDisk.getOrDefault(en.name(), 0L)).reversed());
    for (Entry en : entries) {
      started.computeIfAbsent(en.name(), n -> pool.submit(() -> walk(en, false)));
    }
    List<ArchiveFile> files = new ArrayList<>();
    for (Entry en : entries) {
      Walked w;
      try {
        w = started.get(en.name()).get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw new IOException(String.valueOf(e.getCause()), e.getCause());
      }
      if (w.problem() != null) {
        throw new ArchiveException("the data file " + en.name() + " of " + en.label() + " " + w.problem());
      }
      files.add(w.file());
    }
    files.sort(Comparator.comparing(ArchiveFile::name));
    long plainBytes = files.stream().mapToLong(ArchiveFile::bytes).sum();
    long storedBytes = files.stream().mapToLong(ArchiveFile::storedBytes).sum();
    return new Verified(toc.summary(), files, plainBytes, storedBytes);
  }

  /** How often a followed file was at its end while pg_dump still held it open (for tests). */
  int waits() {
    return waits.get();
  }

  /** How often pg_dump's open files were looked at (for tests). */
  int looks() {
    return looks.get();
  }

  /** Stops the watcher and every walk still running. */
  @Override
  public void close() throws InterruptedException {
    watching = false;
    if (watcher != null) {
      watcher.interrupt();
      watcher.join();
    }
    pool.shutdownNow();
    pool.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  /**
   * The digest of a list of files, as {@code sha256sum} prints them sorted by name: one line
   * {@code <sha256>  <name>} each. The envelope's {@code sha256} (stored files) and
   * {@code plaintext_sha256} of a directory backup.
   */
  static String manifestSha256(List<ArchiveFile> files, boolean stored) {
    MessageDigest md = DumpPipeline.sha256();
    files.stream().sorted(Comparator.comparing(stored ? ArchiveFile::storedName : ArchiveFile::name)).forEach(f ->
        md.update(((stored ? f.storedSha256() : f.sha256()) + "  " + (stored ? f.storedName() : f.name()) + "\n")
            .getBytes(StandardCharsets.UTF_8)));
    return DumpPipeline.hex(md.digest());
  }

  /** The regular files of {@code dir} and their sizes; anything else in it is refused. */
  private static Map<String, Long> regularFiles(Path dir) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      for (Path p : s) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
          throw new ArchiveException("the archive directory holds " + p.getFileName() + ", which is not a regular file");
        }
        files.put(p.getFileName().toString(), a.size());
      }
    }
    return files;
  }

  /** The file on disk for the TOC's {@code name}: itself, or compressed with gzip; exactly one. */
  private static Entry resolve(String name, String label, Set<String> onDisk, Kind kind) throws ArchiveException {
    boolean plainThere = onDisk.contains(name);
    boolean gzipThere = onDisk.contains(name + ".gz");
    if (plainThere && gzipThere) {
      throw new ArchiveException("the archive directory holds both " + name + " and " + name + ".gz (" + label + ")");
    }
    if (!plainThere && !gzipThere) {
      throw new ArchiveException("the data file " + name + " of " + label + " is missing from the archive directory"
          + (onDisk.contains(name + ".lz4") || onDisk.contains(name + ".zst")
              ? " (it is compressed with lz4 or zstd, which this verifier cannot read to its end; use gzip)" : ""));
    }
    return new Entry(gzipThere ? name + ".gz" : name, gzipThere, name.endsWith(".toc") ? Kind.TEXT : kind, label);
  }

  /** The file names a large objects' list names, read (through gzip if compressed) before the walk. */
  private static List<String> largeObjectFiles(Path file, Entry list) throws IOException {
    List<String> names = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        InputStream in = list.gzip() ? new GZIPInputStream(raw) : raw) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        if (line.isEmpty()) {
          continue;
        }
        String[] parts = line.split(" ", 2);
        if (parts.length != 2 || !parts[0].matches("[0-9]+") || !parts[1].matches("[A-Za-z0-9_][A-Za-z0-9_.]*")
            || parts[1].endsWith(".toc") || parts[1].equals(TOC)) {
          throw new ArchiveException(list.name() + " has a line that is not '<oid> <file>': " + line);
        }
        names.add(parts[1]);
      }
    } catch (EOFException | ZipException e) {
      throw new ArchiveException(list.name() + " is truncated or corrupt: " + e.getMessage());
    }
    return names;
  }

  /** One read of one file: walked to its end, hashed, encrypted when asked, its plaintext then removed. */
  private Walked walk(Entry en, boolean follow) throws IOException, InterruptedException {
    Path source = plain.resolve(en.name());
    Path watched = follow ? plain.toRealPath().resolve(en.name()) : null;
    MessageDigest plainSha = DumpPipeline.sha256();
    long[] plainCount = {0};
    byte[] tail = new byte[END_OF_COPY.length];
    long[] content = {0};
    String storedName = encryption.isPresent() ? en.name() + ENCRYPTED_SUFFIX : en.name();
    Path target = stored.resolve(storedName);
    MessageDigest storedSha = DumpPipeline.sha256();
    long[] storedCount = {0};
    FileChannel out = null;
    OutputStream sink = null;
    try (InputStream raw = follow ? new Growing(FileChannel.open(source, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS),
        () -> openByWriter(watched), waits) : Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
      if (encryption.isPresent()) {
        out = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        OutputStream fileOut = counting(Channels.newOutputStream(out), storedSha, storedCount);
        DumpPipeline.Encryption e = encryption.get();
        sink = OpenPgpEncryption.encryptingStream(fileOut, e.keys(), en.name(), e.modified());
      }
      OutputStream copy = sink;
      InputStream tee = new FilterInputStream(raw) {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          int n = read(one, 0, 1);
          return n <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = super.read(b, off, len);
          if (n > 0) {
            plainSha.update(b, off, n);
            plainCount[0] += n;
            if (copy != null) {
              copy.write(b, off, n);
            }
          }
          return n;
        }

        @Override
        public void close() {
          // the file is closed by its owner, after the rest of it is read
        }
      };
      byte[] buf = new byte[PIECE];
      if (en.gzip()) {
        try {
          GZIPInputStream gz = new GZIPInputStream(tee, 64 * 1024);
          int n;
          while ((n = gz.read(buf)) >= 0) {
            // every byte inflated: a cut or a changed byte fails the CRC or the length check
            keepTail(tail, buf, n);
            content[0] += n;
          }
        } catch (EOFException | ZipException e) {
          return new Walked(null, "is truncated or corrupt: " + e.getMessage());
        }
      }
      int n;
      while ((n = tee.read(buf, 0, buf.length)) >= 0) {
        // the rest of the file (all of it when not compressed) is hashed and encrypted too
        if (!en.gzip()) {
          keepTail(tail, buf, n);
          content[0] += n;
        }
      }
      if (en.kind() == Kind.COPY && !endsWith(tail, content[0], END_OF_COPY)) {
        return new Walked(null, "is truncated: it does not end with pg_dump's end-of-data line");
      }
      if (en.kind() == Kind.TEXT && content[0] > 0 && tail[tail.length - 1] != '\n') {
        return new Walked(null, "is truncated: it does not end with a complete line");
      }
      if (sink != null) {
        sink.close();
        out.force(true);
      } else {
        BackupDirectory.fsync(source);
      }
    } finally {
      if (out != null) {
        out.close();
      }
    }
    if (encryption.isPresent() && !keepPlaintext) {
      Files.delete(source);
    }
    String plainDigest = DumpPipeline.hex(plainSha.digest());
    return new Walked(encryption.isPresent()
        ? new ArchiveFile(en.name(), plainCount[0], plainDigest, storedName, storedCount[0], DumpPipeline.hex(storedSha.digest()))
        : new ArchiveFile(en.name(), plainCount[0], plainDigest, en.name(), plainCount[0], plainDigest), null);
  }

  /**
   * A file read while pg_dump may still write it: at its current end, it waits and reads on while a
   * process of pg_dump's holds the file open, and ends only at the end of a closed file.
   */
  private static final class Growing extends InputStream {
    private final FileChannel channel;
    private final java.util.function.BooleanSupplier writing;
    private final java.util.concurrent.atomic.AtomicInteger waits;
    /** Whether the file grew during the last wait at its end, whether we are waiting, whether pg_dump closed it. */
    private boolean growing;
    private boolean slept;
    private boolean closed;

    Growing(FileChannel channel, java.util.function.BooleanSupplier writing, java.util.concurrent.atomic.AtomicInteger waits) {
      this.channel = channel;
      this.writing = writing;
      this.waits = waits;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (true) {
        int n = channel.read(java.nio.ByteBuffer.wrap(b, off, len));
        if (n > 0) {
          growing |= slept;
          slept = false;
          return n;
        }
        if (closed) {
          return -1;
        }
        if (slept) {
          growing = false; // it did not grow while we waited
        }
        // asked only when the file did not grow during the last wait (or at its first end): while
        // pg_dump writes it, the file grows within every wait and nobody looks at pg_dump's files
        if (!growing && !writing.getAsBoolean()) {
          // closed by pg_dump: what it wrote before closing is all there is
          closed = true;
          n = channel.read(java.nio.ByteBuffer.wrap(b, off, len));
          return n > 0 ? n : -1;
        }
        slept = true;
        waits.incrementAndGet();
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while following " + channel);
        }
      }
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** What pg_dump writes after a table's rows in the directory format: the end-of-data line, then two empty lines. */
  private static final byte[] END_OF_COPY = "\\.\n\n\n".getBytes(StandardCharsets.US_ASCII);

  /** Keeps the last {@code tail.length} bytes of the content seen so far. */
  private static void keepTail(byte[] tail, byte[] buf, int n) {
    if (n <= 0) {
      return;
    }
    int k = tail.length;
    if (n >= k) {
      System.arraycopy(buf, n - k, tail, 0, k);
    } else {
      System.arraycopy(tail, n, tail, 0, k - n);
      System.arraycopy(buf, 0, tail, k - n, n);
    }
  }

  private static boolean endsWith(byte[] tail, long length, byte[] suffix) {
    return length >= suffix.length && java.util.Arrays.equals(tail, tail.length - suffix.length, tail.length, suffix, 0, suffix.length);
  }

  private static OutputStream counting(OutputStream out, MessageDigest digest, long[] count) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        digest.update(b, off, len);
        count[0] += len;
      }

      @Override
      public void close() {
        // the channel is closed by its owner, after fsync
      }
    };
  }

  /** Deletes {@code root} and everything under it, without following symbolic links; quiet. */
  static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // what cannot be deleted stays in a 0700 directory of the backup directory
        }
      });
    } catch (IOException e) {
      // as above
    }
  }
}
