package dev.cutter.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A multi-GB archive is walked with a flat heap: the verifier allocates nothing per data byte. */
class LargeArchiveTest {

  private static final int CHUNK = 64 * 1024;

  @Test
  void walksTwoGigabytesAllocatingAlmostNothing() throws Exception {
    long chunks = (2L << 30) / CHUNK;
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    InputStream archive = new SequenceInputStream(new java.io.ByteArrayInputStream(headerAndToc()),
        new DataBlock(chunks));

    long before = threads.getThreadAllocatedBytes(tid);
    ArchiveSummary s = ArchiveVerifier.verify(archive);
    long allocated = threads.getThreadAllocatedBytes(tid) - before;

    assertThat(s.dataBlocks()).isEqualTo(1);
    assertThat(s.tableData()).extracting(ArchiveSummary.QualifiedName::toString).containsExactly("big.t");
    assertThat(allocated).as("bytes allocated while walking 2 GiB").isLessThan(1 << 20);
  }

  /** A 1.14 header and a TOC of one TABLE DATA entry whose data follows (offset not set, as from a pipe). */
  private static byte[] headerAndToc() {
    Out o = new Out();
    o.raw("PGDMP".getBytes(StandardCharsets.US_ASCII));
    o.bytes(1, 14, 0, 4, 8, 1);
    o.integer(-1); // compression: zlib default
    for (int v : new int[] {0, 0, 12, 22, 10, 126, 0}) {
      o.integer(v);
    }
    o.string("bigdb").string("15.19").string("15.18");
    o.integer(1); // one TOC entry
    o.integer(1).integer(1).string("1259").string("16385").string("t").string("TABLE DATA").integer(2);
    o.string("").string("").string("COPY big.t (v) FROM stdin;\n").string("big").string("").string("")
        .string("postgres").string("false").string(null);
    o.bytes(1, 0, 0, 0, 0, 0, 0, 0, 0); // offset flag "not set" + 8 offset bytes
    return o.buf.toByteArray();
  }

  /** Block type 1, dump id 1, {@code chunks} chunks of 64 KiB, then the zero length that ends the block. */
  private static final class DataBlock extends InputStream {
    private final long chunks;
    private long chunk = -1;
    private int pos;
    private byte[] current = head();

    DataBlock(long chunks) {
      this.chunks = chunks;
    }

    private static byte[] head() {
      Out o = new Out();
      o.bytes(1);
      o.integer(1);
      return o.buf.toByteArray();
    }

    private boolean advance() {
      while (current != null && pos >= current.length) {
        chunk++;
        pos = 0;
        if (chunk < chunks * 2) {
          current = chunk % 2 == 0 ? CHUNK_LENGTH : ZEROS;
        } else if (chunk == chunks * 2) {
          current = END_OF_BLOCK;
        } else {
          current = null;
        }
      }
      return current != null;
    }

    @Override
    public int read() {
      return advance() ? current[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (!advance()) {
        return -1;
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }
  }

  private static final byte[] ZEROS = new byte[CHUNK];
  private static final byte[] CHUNK_LENGTH = new Out().integer(CHUNK).buf.toByteArray();
  private static final byte[] END_OF_BLOCK = new Out().integer(0).buf.toByteArray();

  /** pg_dump's encoding: ints as a sign byte and four little-endian bytes; strings as length + bytes, -1 for NULL. */
  private static final class Out {
    final ByteArrayOutputStream buf = new ByteArrayOutputStream();

    Out raw(byte[] b) {
      buf.writeBytes(b);
      return this;
    }

    Out bytes(int... values) {
      for (int v : values) {
        buf.write(v);
      }
      return this;
    }

    Out integer(int v) {
      buf.write(v < 0 ? 1 : 0);
      int m = Math.abs(v);
      for (int i = 0; i < 4; i++) {
        buf.write((m >>> (8 * i)) & 0xff);
      }
      return this;
    }

    Out string(String s) {
      if (s == null) {
        return integer(-1);
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      integer(b.length);
      return raw(b);
    }
  }
}
