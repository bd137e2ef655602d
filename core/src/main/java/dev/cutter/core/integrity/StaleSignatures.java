package dev.cutter.core.integrity;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/**
 * Signatures in package.yaml.asc made over other bytes than package.yaml's current ones, found
 * without any key: an OpenPGP signature carries the first two bytes of the digest it signs, so a
 * signature whose digest prefix differs from the one of the current bytes cannot verify over them
 * (whoever made it). A block whose prefix matches is kept: only a key can tell more.
 */
public final class StaleSignatures {

  /**
   * What package.yaml.asc holds against the current bytes: {@code blocks} armored signature
   * blocks, {@code stale} of them over other bytes; {@code problem} non-empty when the file is not
   * purely armored signatures (then nothing is removed from it).
   */
  public record Scan(Path file, boolean exists, int blocks, int stale, String problem) {
    public boolean clean() {
      return problem.isEmpty();
    }
  }

  private static final BcPGPDigestCalculatorProvider DIGESTS = new BcPGPDigestCalculatorProvider();

  private StaleSignatures() {}

  /** Scans the signature file next to {@code packageYaml} against {@code current}, the bytes it holds now. */
  public static Scan scan(Path packageYaml, byte[] current) throws IOException {
    Path asc = IntegrityVerifier.signatureFileOf(packageYaml);
    if (!Files.exists(asc)) {
      return new Scan(asc, false, 0, 0, "");
    }
    ArmorBlocks.Split split = ArmorBlocks.split(Files.readAllBytes(asc), "PGP SIGNATURE");
    int stale = 0;
    for (ArmorBlocks.Block b : split.blocks()) {
      if (isStale(b, current)) {
        stale++;
      }
    }
    return new Scan(asc, true, split.blocks().size(), stale, split.problem());
  }

  /**
   * Removes the stale blocks from the signature file next to {@code packageYaml}, keeping the
   * others in order; deletes the file when none remain. Returns the scan made before removing.
   * A file that is not purely armored signatures is left as it is.
   */
  public static Scan drop(Path packageYaml, byte[] current) throws IOException {
    Scan scan = scan(packageYaml, current);
    if (!scan.exists() || !scan.clean() || scan.stale() == 0) {
      return scan;
    }
    ArmorBlocks.Split split = ArmorBlocks.split(Files.readAllBytes(scan.file()), "PGP SIGNATURE");
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    for (ArmorBlocks.Block b : split.blocks()) {
      if (!isStale(b, current)) {
        kept.write(b.text());
      }
    }
    if (kept.size() == 0) {
      Files.delete(scan.file());
    } else {
      Path tmp = scan.file().resolveSibling(scan.file().getFileName() + ".tmp");
      Files.write(tmp, kept.toByteArray());
      Files.move(tmp, scan.file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return scan;
  }

  /** A block is stale when it decodes and none of its signatures' digest prefixes matches {@code current}. */
  private static boolean isStale(ArmorBlocks.Block block, byte[] current) {
    SignatureFile.Contents c = SignatureFile.parse(block.text());
    if (!c.problems().isEmpty() || c.signatures().isEmpty()) {
      return false;
    }
    return c.signatures().stream().noneMatch(s -> prefixMatches(s, current));
  }

  /**
   * Whether the digest of {@code data} under the signature's own hashed trailer begins with the two
   * bytes the signature records. False means the signature was made over other bytes (or is damaged).
   */
  static boolean prefixMatches(PGPSignature sig, byte[] data) {
    try {
      PGPDigestCalculator calc = DIGESTS.get(sig.getHashAlgorithm());
      try (OutputStream out = calc.getOutputStream()) {
        out.write(data);
        out.write(sig.getSignatureTrailer());
      }
      byte[] digest = calc.getDigest();
      byte[] prefix = sig.getDigestPrefix();
      return prefix != null && digest.length >= prefix.length && Arrays.equals(Arrays.copyOf(digest, prefix.length), prefix);
    } catch (PGPException | IOException | RuntimeException e) {
      return true; // cannot tell: never call it stale
    }
  }
}
