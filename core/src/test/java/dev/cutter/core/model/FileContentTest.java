package dev.cutter.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileContent#read}: the bytes of the file, in one array of their size, within the limit even when the file grows. */
class FileContentTest {

  @TempDir Path dir;

  @Test
  void readsAFileWholeAndAnEmptyOne() throws Exception {
    byte[] bytes = new byte[70_000];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31);
    }
    Files.write(dir.resolve("a"), bytes);
    Files.write(dir.resolve("empty"), new byte[0]);
    assertThat(FileContent.read(dir.resolve("a"), bytes.length).toByteArray()).isEqualTo(bytes);
    assertThat(FileContent.read(dir.resolve("empty"), 10).size()).isZero();
    assertThatThrownBy(() -> FileContent.read(dir.resolve("a"), bytes.length - 1))
        .isInstanceOf(FileContent.TooLargeException.class);
  }

  @Test
  void aFileThatGrowsWhileReadIsReadToItsEndOrRefusedPastTheLimit() throws Exception {
    // a named pipe has size 0 and then yields whatever is written to it: a file that grows
    assertThat(throughPipe(new byte[] {1, 2, 3, 4, 5, 6, 7}, 100)).containsExactly(1, 2, 3, 4, 5, 6, 7);
    assertThatThrownBy(() -> throughPipe(new byte[] {1, 2, 3, 4, 5, 6, 7}, 6)).isInstanceOf(FileContent.TooLargeException.class);
    assertThatThrownBy(() -> throughPipe(new byte[] {1}, 0)).isInstanceOf(FileContent.TooLargeException.class);
  }

  private byte[] throughPipe(byte[] data, long max) throws Exception {
    Path fifo = dir.resolve("fifo-" + System.nanoTime());
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try (OutputStream out = Files.newOutputStream(fifo)) {
        out.write(data);
      } catch (java.io.IOException e) {
        // the reader gave up early (too large): nothing to do
      }
    });
    try {
      return FileContent.read(fifo, max).toByteArray();
    } finally {
      writer.join();
    }
  }
}
