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
final class DirectoryArchive {

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

  private DirectoryArchive() {}

  /**
   * Walks, hashes and (with {@code encryption}) encrypts every file of the archive in {@code plain}
   * into {@code stored} (the same directory when not encrypted). The plaintext of an encrypted
   * file is deleted right after it, unless {@code keepPlaintext} (the restore proof still reads it).
   *
   * @throws ArchiveException naming the file and what is wrong with it
   */
  static Verified process(Path plain, Path stored, Optional<DumpPipeline.Encryption> encryption, boolean keepPlaintext,
      int jobs) throws IOException, InterruptedException {
    DirectoryToc toc;
    try (InputStream in = Files.newInputStream(plain.resolve(TOC), LinkOption.NOFOLLOW_LINKS)) {
      toc = ArchiveVerifier.verifyDirectoryToc(in);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ArchiveException("the archive directory has no " + TOC);
    } catch (ArchiveException e) {
      throw new ArchiveException(TOC + ": " + e.getMessage());
    }
    Map<String, Long> onDisk = regularFiles(plain);
    List<Entry> entries = new ArrayList<>();
    entries.add(new Entry(TOC, false, Kind.TOC, "the table of contents"));
    for (Map.Entry<String, String> e : toc.dataFiles().entrySet()) {
      Entry data = resolve(e.getKey(), e.getValue(), onDisk, Kind.COPY);
      entries.add(data);
      if (e.getKey().endsWith(".toc")) {
        // the large objects' list: one "oid file" line per large object, each in its own file
        for (String name : largeObjectFiles(plain.resolve(data.name()), data)) {
          entries.add(resolve(name, e.getValue() + ", " + name, onDisk, Kind.BINARY));
        }
      }
    }
    Set<String> expected = new java.util.HashSet<>();
    entries.forEach(en -> expected.add(en.name()));
    for (String f : onDisk.keySet()) {
      if (!expected.contains(f)) {
        throw new ArchiveException("the archive directory holds " + f + ", which its " + TOC + " does not name");
      }
    }
    entries.sort(Comparator.comparing((Entry en) -> onDisk.get(en.name())).reversed());
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs), r -> {
      Thread t = new Thread(r, "cutter-backup file");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<ArchiveFile>> results = new ArrayList<>();
      for (Entry en : entries) {
        results.add(pool.submit(() -> walk(plain, stored, en, encryption, keepPlaintext)));
      }
      List<ArchiveFile> files = new ArrayList<>();
      for (Future<ArchiveFile> f : results) {
        try {
          files.add(f.get());
        } catch (ExecutionException e) {
          pool.shutdownNow();
          if (e.getCause() instanceof IOException io) {
            throw io;
          }
          throw new IOException(String.valueOf(e.getCause()), e.getCause());
        }
      }
      files.sort(Comparator.comparing(ArchiveFile::name));
      long plainBytes = files.stream().mapToLong(ArchiveFile::bytes).sum();
      long storedBytes = files.stream().mapToLong(ArchiveFile::storedBytes).sum();
      return new Verified(toc.summary(), files, plainBytes, storedBytes);
    } finally {
      pool.shutdownNow();
    }
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
  private static Entry resolve(String name, String label, Map<String, Long> onDisk, Kind kind) throws ArchiveException {
    boolean plainThere = onDisk.containsKey(name);
    boolean gzipThere = onDisk.containsKey(name + ".gz");
    if (plainThere && gzipThere) {
      throw new ArchiveException("the archive directory holds both " + name + " and " + name + ".gz (" + label + ")");
    }
    if (!plainThere && !gzipThere) {
      throw new ArchiveException("the data file " + name + " of " + label + " is missing from the archive directory"
          + (onDisk.containsKey(name + ".lz4") || onDisk.containsKey(name + ".zst")
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
  private static ArchiveFile walk(Path plain, Path stored, Entry en, Optional<DumpPipeline.Encryption> encryption,
      boolean keepPlaintext) throws IOException {
    Path source = plain.resolve(en.name());
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
    try (InputStream raw = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS)) {
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
          throw new ArchiveException("the data file " + en.name() + " of " + en.label() + " is truncated or corrupt: "
              + e.getMessage());
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
        throw new ArchiveException("the data file " + en.name() + " of " + en.label()
            + " is truncated: it does not end with pg_dump's end-of-data line");
      }
      if (en.kind() == Kind.TEXT && content[0] > 0 && tail[tail.length - 1] != '\n') {
        throw new ArchiveException("the data file " + en.name() + " of " + en.label()
            + " is truncated: it does not end with a complete line");
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
    return encryption.isPresent()
        ? new ArchiveFile(en.name(), plainCount[0], plainDigest, storedName, storedCount[0], DumpPipeline.hex(storedSha.digest()))
        : new ArchiveFile(en.name(), plainCount[0], plainDigest, en.name(), plainCount[0], plainDigest);
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
