package dev.cutter.core.sql;

import java.util.Objects;

/**
 * One statement of a script: its 1-based position, the line of its first token, the line that
 * ends it (the terminating {@code ;}, or the last line at end of file) and its text exactly as
 * psql sends it.
 */
public record SqlStatement(int index, int startLine, int endLine, StatementKind kind, String text) {

  public SqlStatement {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(text, "text");
  }

  /** The statement's first four tokens as written, for messages: {@code create index concurrently i …}. */
  public String summary() {
    return StatementClassifier.summary(text);
  }
}
