package dev.cutter.core.exec;

import dev.cutter.core.sql.CopyData;

/**
 * A statement as the executor sends it: its 1-based index, its first line in the artifact, its
 * exact text, and for a {@code COPY … FROM STDIN} the inline data sent after it (null otherwise).
 */
public record ExecStatement(int index, int line, String text, CopyData copyData) {

  /** A statement without inline data. */
  public ExecStatement(int index, int line, String text) {
    this(index, line, text, null);
  }

  /** Names the statement by its text; the COPY data (row values) is left out. */
  @Override
  public String toString() {
    return "ExecStatement[index=" + index + ", line=" + line + ", text=" + text
        + (copyData == null ? "" : ", " + copyData) + "]";
  }

  /** Whether {@code statements} are, in order, the statements of {@code kept} (a list read before and kept as an array). */
  public static boolean sameAs(java.util.List<ExecStatement> statements, ExecStatement[] kept) {
    if (statements.size() != kept.length) {
      return false;
    }
    int i = 0;
    for (ExecStatement s : statements) {
      if (!s.equals(kept[i++])) {
        return false;
      }
    }
    return true;
  }
}
