package dev.cutter.core.integrity;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an ASCII-armored file into its blocks of one kind ({@code PGP SIGNATURE},
 * {@code PGP PUBLIC KEY BLOCK}, ...), so that several concatenated blocks each decode on their
 * own. Anything else in the file (binary data, stray text, an unterminated block) is reported.
 */
final class ArmorBlocks {

  /** One armored block: its text and the 1-based line where it begins. */
  record Block(int line, byte[] text) {}

  /** The blocks found and, if the file is not purely such blocks, the first problem. */
  record Split(List<Block> blocks, String problem) {
    boolean clean() {
      return problem.isEmpty();
    }
  }

  private ArmorBlocks() {}

  static Split split(byte[] content, String kind) {
    String begin = "-----BEGIN " + kind + "-----";
    String end = "-----END " + kind + "-----";
    if (looksBinary(content)) {
      return new Split(List.of(), "binary (unarmored) OpenPGP data; expected ASCII armor (" + begin + ")");
    }
    String[] lines = new String(content, StandardCharsets.US_ASCII).split("\r?\n", -1);
    List<Block> blocks = new ArrayList<>();
    StringBuilder current = null;
    int start = 0;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].stripTrailing();
      if (current == null) {
        if (line.equals(begin)) {
          current = new StringBuilder(line).append('\n');
          start = i + 1;
        } else if (!line.isBlank()) {
          return new Split(blocks, "line " + (i + 1) + ": unexpected text outside an armored block (expected " + begin + ")");
        }
      } else {
        current.append(line).append('\n');
        if (line.equals(end)) {
          blocks.add(new Block(start, current.toString().getBytes(StandardCharsets.US_ASCII)));
          current = null;
        }
      }
    }
    if (current != null) {
      return new Split(blocks, "line " + start + ": armored block is not terminated by " + end);
    }
    return new Split(blocks, "");
  }

  /** An OpenPGP packet starts with a tag byte whose high bit is set; armor is 7-bit text. */
  private static boolean looksBinary(byte[] content) {
    for (byte b : content) {
      if (b < 0 || (b < 0x20 && b != '\n' && b != '\r' && b != '\t')) {
        return true;
      }
    }
    return false;
  }
}
