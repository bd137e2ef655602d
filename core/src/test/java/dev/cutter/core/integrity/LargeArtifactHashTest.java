package dev.cutter.core.integrity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import dev.cutter.core.model.Sha256;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The artifact hash streams: a 200 MB sparse file (1 GB with {@code -Dcutter.fuzz.long=true}) is
 * hashed by {@link Sha256#of(Path)} in a child JVM limited to a 24 MB heap.
 */
class LargeArtifactHashTest {

  static final long SIZE = Boolean.getBoolean("cutter.fuzz.long") ? 1L << 30 : 200L << 20;

  @TempDir Path dir;

  /** Child JVM entry: prints the digest of args[0]. */
  public static void main(String[] args) throws IOException {
    System.out.println(Sha256.of(Path.of(args[0])));
  }

  @Test
  void hashesAHugeArtifactInBoundedMemory() throws Exception {
    Path file = dir.resolve("huge.sql");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(SIZE);
    }
    Path out = dir.resolve("out.txt");
    Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx24m", "-cp", System.getProperty("java.class.path"), LargeArtifactHashTest.class.getName(), file.toString()))
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("finishes").isTrue();

    assertThat(p.exitValue()).as(Files.readString(out)).isZero();
    assertThat(Files.readString(out).trim()).isEqualTo(zerosDigest(SIZE));
  }

  private static String zerosDigest(long size) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] zeros = new byte[1 << 16];
    for (long left = size; left > 0; left -= zeros.length) {
      md.update(zeros, 0, (int) Math.min(zeros.length, left));
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
