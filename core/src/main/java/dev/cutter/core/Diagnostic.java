package dev.cutter.core;

import java.util.Objects;

/**
 * One problem in an input file, printed as {@code file:line:col: message}. Line and column are
 * 1-based; 0 means unknown and is left out of the printed form.
 */
public record Diagnostic(String file, int line, int column, String message) {

  public Diagnostic {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
  }

  public static Diagnostic at(String file, int line, String message) {
    return new Diagnostic(file, line, 0, message);
  }

  /** A file whose bytes are not strict UTF-8: refused whole, wherever the SQL is read. */
  public static Diagnostic notUtf8(String file) {
    return new Diagnostic(file, 0, 0, "not valid UTF-8 text");
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(file);
    if (line > 0) {
      b.append(':').append(line);
      if (column > 0) {
        b.append(':').append(column);
      }
    }
    return b.append(": ").append(message).toString();
  }
}
