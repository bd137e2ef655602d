package dev.cutter.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded hand-off of byte chunks from the thread that reads pg_dump to a thread that parses
 * them. At most {@code capacity} chunks wait, so memory stays bounded. When the reader stops early
 * (it found the archive broken), writes are dropped instead of blocking the writer.
 */
final class ChunkPipe {

  private static final byte[] END = new byte[0];

  private final BlockingQueue<byte[]> queue;
  private volatile boolean readerGone;

  ChunkPipe(int capacity) {
    this.queue = new ArrayBlockingQueue<>(capacity);
  }

  void write(byte[] b, int off, int len) throws InterruptedIOException {
    offer(Arrays.copyOfRange(b, off, off + len));
  }

  void close() throws InterruptedIOException {
    offer(END);
  }

  private void offer(byte[] chunk) throws InterruptedIOException {
    try {
      while (!readerGone && !queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
        // wait for the reader, unless it has finished
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while handing the dump to the verifier");
    }
  }

  /** Marks the reading side finished; pending and later chunks are dropped. */
  void readerDone() {
    readerGone = true;
    queue.clear();
  }

  /** The reading side; read it from one thread only. */
  InputStream input() {
    return new InputStream() {
      private byte[] chunk = new byte[0];
      private int pos;
      private boolean ended;

      private boolean fill() throws IOException {
        while (!ended && pos >= chunk.length) {
          try {
            chunk = queue.take();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for dump bytes");
          }
          pos = 0;
          if (chunk == END) {
            ended = true;
          }
        }
        return !ended;
      }

      @Override
      public int read() throws IOException {
        return fill() ? chunk[pos++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        if (!fill()) {
          return -1;
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }
}
