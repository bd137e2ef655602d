package dev.cutter.core.sql;

import dev.cutter.core.Diagnostic;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Where the COPY … FROM STDIN data of a script lies, as {@code [from, to)} pairs, kept by both
 * splitters so that a NUL byte outside that data is refused the same way by each: a NUL inside it
 * has COPY data's own rule ({@link SqlSplitter#NUL_IN_COPY_DATA}).
 */
final class CopySpans {

  private int[] spans = new int[0];
  private int count;

  void add(int from, int to) {
    if (count + 2 > spans.length) {
      spans = Arrays.copyOf(spans, Math.max(4, spans.length * 2));
    }
    spans[count++] = from;
    spans[count++] = to;
  }

  /**
   * Refuses the first NUL of each line outside COPY data where it stands ({@link
   * SqlSplitter#NUL_IN_SCRIPT}), each placed among {@code problems} in file order. {@code at} reads
   * the character or byte at a position of the script's {@code n}; {@code columnOf} gives a
   * position's column as the split counts columns.
   */
  void refuseNuls(String source, int n, IntUnaryOperator at, IntUnaryOperator columnOf, List<Diagnostic> problems) {
    refuseOutside(n, at, p -> at.applyAsInt(p) == 0 ? 0 : -1, columnOf,
        (line, column, cp) -> new Diagnostic(source, line, column, SqlSplitter.NUL_IN_SCRIPT), problems);
  }

  /**
   * Refuses the first bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069)
   * of each line outside COPY data where it stands ({@link SqlSplitter#bidiControl}), as {@link
   * #refuseNuls} does; {@code bidiAt} gives the control that starts at a position, or -1.
   */
  void refuseBidiControls(String source, int n, IntUnaryOperator at, IntUnaryOperator bidiAt, IntUnaryOperator columnOf,
      List<Diagnostic> problems) {
    refuseOutside(n, at, bidiAt, columnOf,
        (line, column, cp) -> new Diagnostic(source, line, column, SqlSplitter.bidiControl(cp)), problems);
  }

  private interface Refusal {
    Diagnostic at(int line, int column, int codePoint);
  }

  private void refuseOutside(int n, IntUnaryOperator at, IntUnaryOperator refusedAt, IntUnaryOperator columnOf,
      Refusal refusal, List<Diagnostic> problems) {
    int line = 1;
    int span = 0;
    int refusedLine = 0;
    for (int p = 0; p < n; p++) {
      if (span < count && p == spans[span]) {
        for (int q = p; q < spans[span + 1]; q++) {
          line += at.applyAsInt(q) == '\n' ? 1 : 0;
        }
        p = spans[span + 1] - 1;
        span += 2;
        continue;
      }
      int c = at.applyAsInt(p);
      if (c == '\n') {
        line++;
      } else if (refusedLine != line) {
        int refused = refusedAt.applyAsInt(p);
        if (refused >= 0) {
          refusedLine = line;
          SqlSplitter.addInOrder(problems, refusal.at(line, columnOf.applyAsInt(p), refused));
        }
      }
    }
  }

}
