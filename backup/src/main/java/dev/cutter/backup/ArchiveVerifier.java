package dev.cutter.backup;

import dev.cutter.backup.ArchiveSummary.QualifiedName;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a custom-format archive once, front to back, and proves it complete: the header, every
 * TOC entry, then every data block (block type, dump id, length-prefixed chunks up to a zero
 * length) until the end of the stream. A stream cut off anywhere, or one that ends before every
 * entry with data has had its block, is reported as truncated. Nothing is buffered beyond one
 * string of the TOC: data chunks are skipped, so the heap stays flat on multi-GB dumps.
 *
 * <p>When pg_dump writes to a pipe it cannot seek back, so the TOC's data offsets are "not set"
 * and blocks are found by scanning sequentially, as pg_restore does.
 */
public final class ArchiveVerifier {

  private static final int MIN_VERSION = version(1, 10, 0);
  private static final int MAX_VERSION = version(1, 16, 0);
  private static final int K_VERS_1_11 = version(1, 11, 0);
  private static final int K_VERS_1_14 = version(1, 14, 0);
  private static final int K_VERS_1_15 = version(1, 15, 0);
  private static final int K_VERS_1_16 = version(1, 16, 0);

  private static final int BLK_DATA = 1;
  private static final int BLK_BLOBS = 3;
  private static final int OFFSET_NO_DATA = 3;
  /** No single TOC string of a sane archive comes near this; a larger length means corruption. */
  private static final long MAX_STRING = 1L << 30;

  private final Reader in;

  private ArchiveVerifier(InputStream in) {
    this.in = new Reader(in);
  }

  /** Walks the whole archive; throws {@link ArchiveException} naming what is wrong and where. */
  public static ArchiveSummary verify(InputStream archive) throws IOException {
    return new ArchiveVerifier(archive).walk();
  }

  /**
   * What the {@code toc.dat} of a directory-format archive announces: its summary ({@code dataBlocks}
   * is the number of entries with a data file) and, for each entry with data, the file name the TOC
   * gives it (without a compression suffix) and the entry it belongs to.
   */
  public record DirectoryToc(ArchiveSummary summary, Map<String, String> dataFiles) {
    public DirectoryToc {
      dataFiles = Map.copyOf(dataFiles);
    }
  }

  /**
   * Parses the whole {@code toc.dat} of a directory-format archive: the same header and TOC entries
   * as the custom format, each entry ending with its data file's name instead of a data offset, and
   * nothing after the last entry.
   */
  public static DirectoryToc verifyDirectoryToc(InputStream toc) throws IOException {
    return new ArchiveVerifier(toc).walkDirectoryToc();
  }

  private DirectoryToc walkDirectoryToc() throws IOException {
    ArchiveHeader header = readHeader(ArchiveHeader.FORMAT_DIRECTORY);
    int count = in.readIntChecked("TOC entry count");
    if (count < 0) {
      throw corrupt("negative TOC entry count " + count);
    }
    Map<Integer, String> pendingData = new HashMap<>();
    Map<String, String> files = new java.util.TreeMap<>();
    List<QualifiedName> tableData = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      readTocEntry(header, i, pendingData, tableData, files);
    }
    if (in.readByteOrEof() >= 0) {
      throw corrupt("bytes after the last of " + count + " TOC entries");
    }
    return new DirectoryToc(new ArchiveSummary(header, count, tableData, files.size()), files);
  }

  private ArchiveSummary walk() throws IOException {
    ArchiveHeader header = readHeader(ArchiveHeader.FORMAT_CUSTOM);
    int count = in.readIntChecked("TOC entry count");
    if (count < 0) {
      throw corrupt("negative TOC entry count " + count);
    }
    Map<Integer, String> pendingData = new HashMap<>();
    List<QualifiedName> tableData = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      readTocEntry(header, i, pendingData, tableData, null);
    }
    int blocks = readDataBlocks(pendingData);
    if (!pendingData.isEmpty()) {
      String first = pendingData.values().iterator().next();
      throw new ArchiveException("archive is truncated: it ends after " + blocks + " data blocks, but "
          + pendingData.size() + " announced in the TOC never came (e.g. " + first + ") at byte " + in.position);
    }
    return new ArchiveSummary(header, count, tableData, blocks);
  }

  private ArchiveHeader readHeader(int expectedFormat) throws IOException {
    byte[] magic = in.readBytes(5, "magic");
    if (!"PGDMP".equals(new String(magic, StandardCharsets.ISO_8859_1))) {
      throw new ArchiveException("not a pg_dump archive: the first bytes are not the magic PGDMP");
    }
    int vmaj = in.readByte("archive version");
    int vmin = in.readByte("archive version");
    int vrev = (vmaj > 1 || (vmaj == 1 && vmin > 0)) ? in.readByte("archive version") : 0;
    int v = version(vmaj, vmin, vrev);
    if (v < MIN_VERSION || v > MAX_VERSION) {
      throw new ArchiveException("unsupported archive version " + vmaj + "." + vmin + "-" + vrev
          + " (this verifier reads 1.10 to 1.16)");
    }
    int intSize = in.readByte("intSize");
    if (intSize < 1 || intSize > 8) {
      throw new ArchiveException("implausible integer size " + intSize + " in the archive header");
    }
    in.intSize = intSize;
    int offSize = in.readByte("offSize");
    if (offSize < 1 || offSize > 16) {
      throw new ArchiveException("implausible offset size " + offSize + " in the archive header");
    }
    in.offSize = offSize;
    int format = in.readByte("format");
    if (format != expectedFormat && !(expectedFormat == ArchiveHeader.FORMAT_DIRECTORY && format == 5)) {
      throw new ArchiveException("archive format is " + format + ", not "
          + (expectedFormat == ArchiveHeader.FORMAT_CUSTOM ? "custom (1)" : "directory (3 or 5)"));
    }
    int compression = v >= K_VERS_1_15 ? in.readByte("compression") : in.readIntChecked("compression");
    int[] tm = new int[7];
    for (int i = 0; i < tm.length; i++) {
      tm[i] = in.readIntChecked("creation time");
    }
    String created = createdAt(tm);
    String db = in.readString("database name");
    String server = in.readString("server version");
    String dumpVersion = in.readString("pg_dump version");
    return new ArchiveHeader(vmaj, vmin, vrev, intSize, offSize, format, compression, created, db, server, dumpVersion);
  }

  private static String createdAt(int[] tm) {
    try {
      return LocalDateTime.of(tm[5] + 1900, tm[4] + 1, tm[3], tm[2], tm[1], tm[0]).toString();
    } catch (RuntimeException e) {
      return "invalid";
    }
  }

  /** One TOC entry; {@code files} is null for the custom format, else it gets the entry's data file name. */
  private void readTocEntry(ArchiveHeader header, int index, Map<Integer, String> pendingData,
      List<QualifiedName> tableData, Map<String, String> files) throws IOException {
    int v = header.version();
    String where = "TOC entry " + (index + 1);
    int dumpId = in.readIntChecked(where + " id");
    if (dumpId <= 0) {
      throw corrupt(where + " has id " + dumpId);
    }
    in.readIntChecked(where + " data dumper flag");
    in.skipString(where + " table oid");
    in.skipString(where + " oid");
    String tag = in.readString(where + " tag");
    String desc = in.readString(where + " description");
    if (v >= K_VERS_1_11) {
      in.readIntChecked(where + " section");
    }
    in.skipString(where + " definition");
    in.skipString(where + " drop statement");
    in.skipString(where + " copy statement");
    String namespace = in.readString(where + " namespace");
    in.skipString(where + " tablespace");
    if (v >= K_VERS_1_14) {
      in.skipString(where + " table access method");
    }
    if (v >= K_VERS_1_16) {
      in.readIntChecked(where + " relkind");
    }
    in.skipString(where + " owner");
    in.skipString(where + " with-oids flag");
    while (in.readString(where + " dependency") != null) {
      // dependencies are not needed to prove completeness
    }
    String label = desc + " " + (namespace == null ? "" : namespace + ".") + tag;
    if (files != null) {
      String file = in.readString(where + " file name");
      if (file != null && !file.isEmpty()) {
        if (!file.matches("[A-Za-z0-9_][A-Za-z0-9_.]*") || file.equals(DirectoryArchive.TOC)) {
          throw corrupt(where + " names the data file '" + file + "', not a plain file name of the archive");
        }
        if (files.put(file, label) != null) {
          throw corrupt("data file " + file + " appears twice in the TOC");
        }
      }
    } else if (in.readOffsetFlag(where + " data offset") != OFFSET_NO_DATA) {
      if (pendingData.put(dumpId, label) != null) {
        throw corrupt("dump id " + dumpId + " appears twice in the TOC");
      }
    }
    if ("TABLE DATA".equals(desc)) {
      tableData.add(new QualifiedName(namespace == null ? "" : namespace, tag == null ? "" : tag));
    }
  }

  private int readDataBlocks(Map<Integer, String> pendingData) throws IOException {
    int blocks = 0;
    while (true) {
      int type = in.readByteOrEof();
      if (type < 0) {
        return blocks;
      }
      int id = in.readIntChecked("data block id");
      if (pendingData.remove(id) == null) {
        throw corrupt("data block for dump id " + id + " that the TOC does not announce (or announced once)");
      }
      if (type == BLK_DATA) {
        skipChunks("data of dump id " + id);
      } else if (type == BLK_BLOBS) {
        while (in.readIntChecked("large object oid") != 0) {
          skipChunks("large object of dump id " + id);
        }
      } else {
        throw corrupt("unknown data block type " + type);
      }
      blocks++;
    }
  }

  private void skipChunks(String what) throws IOException {
    String lengthLabel = what + " chunk length"; // built once per block: nothing is allocated per chunk
    while (true) {
      long len = in.readLong(lengthLabel);
      if (len == 0) {
        return;
      }
      if (len < 0) {
        throw corrupt("negative chunk length " + len + " in " + what);
      }
      in.skip(len, what);
    }
  }

  private ArchiveException corrupt(String message) {
    return new ArchiveException("archive is corrupt at byte " + in.position + ": " + message);
  }

  private static int version(int major, int minor, int rev) {
    return (major << 16) | (minor << 8) | rev;
  }

  /** Byte-level reading with the archive's integer format and a running position. */
  private static final class Reader {
    private final InputStream in;
    private final byte[] skipBuffer = new byte[64 * 1024];
    long position;
    int intSize = 4;
    int offSize = 8;

    Reader(InputStream in) {
      this.in = in;
    }

    int readByteOrEof() throws IOException {
      int b = in.read();
      if (b >= 0) {
        position++;
      }
      return b;
    }

    int readByte(String what) throws IOException {
      int b = in.read();
      if (b < 0) {
        throw truncated(what);
      }
      position++;
      return b;
    }

    /** pg_dump's int: a sign byte, then intSize bytes of magnitude, least significant first. */
    long readLong(String what) throws IOException {
      int sign = readByte(what);
      long value = 0;
      for (int i = 0; i < intSize; i++) {
        long b = readByte(what);
        if (i < 8) {
          value |= b << (8 * i);
        }
      }
      return sign != 0 ? -value : value;
    }

    int readIntChecked(String what) throws IOException {
      long v = readLong(what);
      if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
        throw new ArchiveException("archive is corrupt at byte " + position + ": " + what + " out of range: " + v);
      }
      return (int) v;
    }

    int readOffsetFlag(String what) throws IOException {
      int flag = readByte(what);
      skip(offSize, what);
      if (flag < 1 || flag > 3) {
        throw new ArchiveException("archive is corrupt at byte " + position + ": " + what + " has flag " + flag);
      }
      return flag;
    }

    String readString(String what) throws IOException {
      long len = readLong(what);
      if (len < 0) {
        return null;
      }
      checkLength(len, what);
      return new String(readBytes((int) len, what), StandardCharsets.UTF_8);
    }

    void skipString(String what) throws IOException {
      long len = readLong(what);
      if (len > 0) {
        checkLength(len, what);
        skip(len, what);
      }
    }

    private void checkLength(long len, String what) throws ArchiveException {
      if (len > MAX_STRING) {
        throw new ArchiveException("archive is corrupt at byte " + position + ": " + what + " claims " + len + " bytes");
      }
    }

    byte[] readBytes(int n, String what) throws IOException {
      byte[] b = in.readNBytes(n);
      position += b.length;
      if (b.length < n) {
        throw truncated(what);
      }
      return b;
    }

    /** Reads and drops n bytes; never InputStream.skip, which on a file may seek past the end. */
    void skip(long n, String what) throws IOException {
      long left = n;
      while (left > 0) {
        int r = in.read(skipBuffer, 0, (int) Math.min(skipBuffer.length, left));
        if (r < 0) {
          throw truncated(what);
        }
        left -= r;
        position += r;
      }
    }

    private ArchiveException truncated(String what) {
      return new ArchiveException("archive is truncated: it ends at byte " + position + " inside the " + what);
    }
  }
}
