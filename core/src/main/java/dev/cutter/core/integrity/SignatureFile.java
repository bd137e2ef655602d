package dev.cutter.core.integrity;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * package.yaml.asc: one or more armored detached-signature blocks, concatenated (each approver
 * appends one). Reading it yields the signatures in file order and, for anything that is not a
 * well-formed armored signature, a problem to report as MALFORMED.
 */
final class SignatureFile {

  /** What the file holds: the signatures and the problems found, each with a position. */
  record Contents(List<PGPSignature> signatures, List<String> problems, boolean missing) {}

  private static final String KIND = "PGP SIGNATURE";

  private SignatureFile() {}

  static Contents read(Path file) {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new Contents(List.of(), List.of(), true);
    } catch (IOException e) {
      return new Contents(List.of(), List.of("cannot read " + file.getFileName() + ": " + e.getMessage()), false);
    }
    return parse(content);
  }

  static Contents parse(byte[] content) {
    ArmorBlocks.Split split = ArmorBlocks.split(content, KIND);
    List<PGPSignature> signatures = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (ArmorBlocks.Block block : split.blocks()) {
      try {
        signatures.addAll(decode(block));
      } catch (IOException | RuntimeException e) {
        problems.add("block at line " + block.line() + ": " + e.getMessage());
      }
    }
    if (!split.clean()) {
      problems.add(split.problem());
    }
    return new Contents(signatures, problems, false);
  }

  private static List<PGPSignature> decode(ArmorBlocks.Block block) throws IOException {
    List<PGPSignature> found = new ArrayList<>();
    try (InputStream in = new ArmoredInputStream(new ByteArrayInputStream(block.text()))) {
      BcPGPObjectFactory factory = new BcPGPObjectFactory(in);
      for (Object o; (o = factory.nextObject()) != null; ) {
        if (!(o instanceof PGPSignatureList list)) {
          throw new IOException("holds " + o.getClass().getSimpleName() + ", not a detached signature");
        }
        list.forEach(found::add);
      }
      while (in.read() >= 0) {
        // drain to the end of the armor so that its checksum is checked
      }
    }
    if (found.isEmpty()) {
      throw new IOException("holds no signature packet");
    }
    return found;
  }
}
