package dev.cutter.core.sql;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Strict UTF-8 checking of bytes in place, as the strict decoder judges them, without decoding. */
final class Utf8 {

  private Utf8() {}

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;
  private static final long LOW_BITS = 0x0101010101010101L;

  /**
   * The offset of the first byte of {@code b[0, n)} that is not part of well-formed UTF-8 (a stray
   * continuation byte, a truncated or overlong sequence, a surrogate, a code point past U+10FFFF),
   * or -1 when all of it is well formed: what a decoder that reports malformed input accepts.
   */
  /** The position of the first NUL byte of {@code b[0, n)}, or -1; eight bytes at a time. */
  static int firstNul(byte[] b, int n) {
    int i = 0;
    // a byte of v is zero where subtracting one from it borrows into its high bit and it had none
    while (i + 8 <= n) {
      long v = (long) LONGS.get(b, i);
      if (((v - LOW_BITS) & ~v & HIGH_BITS) != 0) {
        break;
      }
      i += 8;
    }
    for (; i < n; i++) {
      if (b[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The position of the first bidirectional embedding, override or isolate (U+202A–U+202E,
   * U+2066–U+2069, encoded E2 80 AA–AE and E2 81 A6–A9) in well-formed UTF-8 {@code b[0, n)}, or -1;
   * ASCII eight bytes at a time.
   */
  static int firstBidiControl(byte[] b, int n) {
    int i = 0;
    while (i < n) {
      while (i + 8 <= n && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
        i += 8;
      }
      if (i < n && bidiControlAt(b, i, n) >= 0) {
        return i;
      }
      i++;
    }
    return -1;
  }

  /** The bidirectional control whose encoding starts at {@code b[i]}, or -1. */
  static int bidiControlAt(byte[] b, int i, int n) {
    if (b[i] != (byte) 0xE2 || i + 2 >= n) {
      return -1;
    }
    int cp = 0x2000 | ((b[i + 1] & 0x3F) << 6) | (b[i + 2] & 0x3F);
    return (b[i + 1] & 0xC0) == 0x80 && (b[i + 2] & 0xC0) == 0x80 && SqlSplitter.isBidiControl(cp) ? cp : -1;
  }

  static int firstInvalid(byte[] b, int n) {
    int i = 0;
    while (i < n) {
      // ASCII eight bytes at a time: the usual artifact is almost all ASCII
      while (i + 8 <= n && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
        i += 8;
      }
      int end = Math.min(n, i + 8);
      while (i < end) {
        int c = b[i];
        if (c >= 0) {
          i++;
          continue;
        }
        int len = sequenceLength(b, i, n);
        if (len < 0) {
          return i;
        }
        i += len;
        end = Math.min(n, Math.max(end, i));
      }
    }
    return -1;
  }

  /** The length of the well-formed multi-byte sequence at {@code i}, or -1. */
  private static int sequenceLength(byte[] b, int i, int n) {
    int c = b[i] & 0xff;
    if (c >= 0xC2 && c <= 0xDF) {
      return i + 1 < n && cont(b[i + 1]) ? 2 : -1;
    }
    if (c >= 0xE0 && c <= 0xEF) {
      if (i + 2 >= n) {
        return -1;
      }
      int c1 = b[i + 1] & 0xff;
      boolean second = c == 0xE0 ? c1 >= 0xA0 && c1 <= 0xBF : c == 0xED ? c1 >= 0x80 && c1 <= 0x9F : cont(b[i + 1]);
      return second && cont(b[i + 2]) ? 3 : -1;
    }
    if (c >= 0xF0 && c <= 0xF4) {
      if (i + 3 >= n) {
        return -1;
      }
      int c1 = b[i + 1] & 0xff;
      boolean second = c == 0xF0 ? c1 >= 0x90 && c1 <= 0xBF : c == 0xF4 ? c1 >= 0x80 && c1 <= 0x8F : cont(b[i + 1]);
      return second && cont(b[i + 2]) && cont(b[i + 3]) ? 4 : -1;
    }
    return -1;
  }

  private static boolean cont(byte x) {
    return (x & 0xC0) == 0x80;
  }
}
