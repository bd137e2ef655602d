package dev.cutter.core.exec;

import dev.cutter.core.sql.CopyData;
import dev.cutter.core.sql.LexingSettings;

/**
 * A statement as the executor sends it: its 1-based index, its first line in the artifact, its
 * exact text, for a {@code COPY … FROM STDIN} the inline data sent after it (null otherwise), and
 * the {@code standard_conforming_strings} the splitter lexed it with ({@link
 * dev.cutter.core.sql.SqlStatement#standardConformingStrings}; null: both, it changed inside it).
 */
public record ExecStatement(int index, int line, String text, CopyData copyData, Boolean standardConformingStrings) {

  /** A statement split with {@code standard_conforming_strings} on. */
  public ExecStatement(int index, int line, String text, CopyData copyData) {
    this(index, line, text, copyData, Boolean.TRUE);
  }

  /** A statement without inline data. */
  public ExecStatement(int index, int line, String text) {
    this(index, line, text, null);
  }

  /** Names the statement by its text; the COPY data (row values) is left out. */
  @Override
  public String toString() {
    return "ExecStatement[index=" + index + ", line=" + line + ", text=" + text
        + (copyData == null ? "" : ", " + copyData)
        + (Boolean.TRUE.equals(standardConformingStrings) ? "" : ", standard_conforming_strings="
            + standardConformingStrings) + "]";
  }

  // equals and hashCode written out (the same as a record's): a record's own are linked at their first
  // call, spinning method handles that the class-data archive does not hold (4 ms on the BEGIN readings' thread)

  @Override
  public boolean equals(Object o) {
    return o instanceof ExecStatement s && index == s.index && line == s.line && java.util.Objects.equals(text, s.text)
        && java.util.Objects.equals(copyData, s.copyData)
        && java.util.Objects.equals(standardConformingStrings, s.standardConformingStrings);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(index, line, text, copyData, standardConformingStrings);
  }

  /** True when the server may read this statement otherwise under other lexer settings ({@link LexingSettings#matter}). */
  public boolean readingDependsOnSettings() {
    return LexingSettings.matter(text, standardConformingStrings);
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
