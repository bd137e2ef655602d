package dev.cutter.backup;

import dev.cutter.core.integrity.ApproverKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPPublicKeyRing;

/**
 * Per-byte cost of the backup pipeline's work in Java, in MB per process CPU-second (which a busy
 * shared machine distorts less than wall time): the plaintext sha256 the reader computes, and the
 * file side of an encrypted backup (OpenPGP AES-256 with its integrity packet, then sha256 of
 * what reaches the file). Rounds of 100 MiB of random bytes in 256 KiB pieces, as pg_dump's output
 * is read; the first rounds include the JIT's warm-up. Run it once as is and once with
 * {@code -XX:TieredStopAtLevel=1} to see what the C1-only JIT costs.
 */
public final class BackupStreamThroughput {

  private static final int PIECE = 256 * 1024;
  private static final int PIECES = 400;

  private BackupStreamThroughput() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    ApproverKeys.Generated key = ApproverKeys.generate("bench <bench@cutter.invalid>", new char[0], Instant.now(),
        Optional.empty());
    PGPPublicKey recipient = encryptionKey(key.armoredPublicKey());
    byte[] piece = new byte[PIECE];
    new Random(1).nextBytes(piece);
    double mb = (double) PIECE * PIECES / 1_000_000;
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int r = 1; r <= rounds; r++) {
      long cpu = os.getProcessCpuTime();
      MessageDigest plain = DumpPipeline.sha256();
      for (int i = 0; i < PIECES; i++) {
        plain.update(piece, 0, PIECE);
      }
      plain.digest();
      double shaSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
      cpu = os.getProcessCpuTime();
      MessageDigest fileSha = DumpPipeline.sha256();
      OutputStream file = new OutputStream() {
        @Override
        public void write(int b) {
          fileSha.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          fileSha.update(b, off, len);
        }
      };
      try (OutputStream enc = OpenPgpEncryption.encryptingStream(file, List.of(recipient), "bench.dump", new Date())) {
        for (int i = 0; i < PIECES; i++) {
          enc.write(piece, 0, PIECE);
        }
      }
      fileSha.digest();
      double encSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
      System.out.printf("round %d: plaintext sha256 %.0f MB/CPU-s; encrypt + file sha256 %.0f MB/CPU-s%n", r,
          mb / shaSeconds, mb / encSeconds);
    }
  }

  private static PGPPublicKey encryptionKey(byte[] armored) throws IOException {
    PGPPublicKeyRing ring = new BcPGPPublicKeyRing(PGPUtil.getDecoderStream(new ByteArrayInputStream(armored)));
    List<PGPPublicKey> keys = new ArrayList<>();
    ring.forEach(keys::add);
    return keys.stream().filter(PGPPublicKey::isEncryptionKey).reduce((a, b) -> b)
        .orElseThrow(() -> new IOException("the generated key has no encryption key"));
  }
}
