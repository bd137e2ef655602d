package dev.cutter.core.sql;

import java.util.Objects;

/**
 * One statement of a script: its 1-based position, the line of its first token, the line that
 * ends it (the terminating {@code ;}, or the last line at end of file), its text exactly as psql
 * sends it, the 1-based column of its first token (0 when unknown), for a {@code COPY … FROM
 * STDIN} the inline data that follows it ({@code null} for every other statement), and the
 * {@code standard_conforming_strings} the splitter lexed it with ({@code TRUE} or {@code FALSE}
 * throughout; null when an explicit {@code SET} took effect inside it, between two of its lines).
 */
public record SqlStatement(int index, int startLine, int endLine, StatementKind kind, String text, int startColumn,
    CopyData copyData, Boolean standardConformingStrings) {

  public SqlStatement {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
  }

  /** A statement lexed with {@code standard_conforming_strings} on. */
  public SqlStatement(int index, int startLine, int endLine, StatementKind kind, String text, int startColumn,
      CopyData copyData) {
    this(index, startLine, endLine, kind, text, startColumn, copyData, Boolean.TRUE);
  }

  /** A statement without inline data. */
  public SqlStatement(int index, int startLine, int endLine, StatementKind kind, String text, int startColumn) {
    this(index, startLine, endLine, kind, text, startColumn, null);
  }

  /** This statement with the COPY data that follows it. */
  SqlStatement withCopyData(CopyData data) {
    return new SqlStatement(index, startLine, endLine, kind, text, startColumn, data, standardConformingStrings);
  }

  /**
   * True when the server may read this statement otherwise than the splitter did, had the lexer's
   * settings changed unseen since ({@link LexingSettings#matter}).
   */
  public boolean readingDependsOnSettings() {
    return LexingSettings.matter(text, standardConformingStrings);
  }

  /** A statement whose column is unknown. */
  public SqlStatement(int index, int startLine, int endLine, StatementKind kind, String text) {
    this(index, startLine, endLine, kind, text, 0);
  }

  /**
   * Where this statement is a COPY that reads or writes a file or runs a program on the server
   * ({@code COPY … TO 'file'}, {@code COPY … FROM PROGRAM 'cmd'}): the offset in {@link #text()}
   * of the file name or of PROGRAM; -1 otherwise ({@code STDIN}/{@code STDOUT} are not server side).
   */
  public int serverSideCopyOffset() {
    return StatementClassifier.serverSideCopyOffset(text);
  }

  /**
   * True for the psql meta-commands that send nothing and change nothing psql sends after them:
   * <code>&#92;restrict KEY</code> and <code>&#92;unrestrict KEY</code>, which pg_dump writes around a plain dump
   * (they only forbid other meta-commands in between, which cutter refuses anyway).
   */
  public boolean inertMetaCommand() {
    if (kind != StatementKind.META_COMMAND) {
      return false;
    }
    String name = SqlSplitter.metaName(text);
    return name.equals("\\restrict") || name.equals("\\unrestrict");
  }

  /** The statement's first four tokens as written, for messages: {@code create index concurrently i …}. */
  public String summary() {
    return StatementClassifier.summary(text);
  }
}
