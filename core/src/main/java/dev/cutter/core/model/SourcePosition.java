package dev.cutter.core.model;

/** Where a value stands in its file: 1-based line and column. */
public record SourcePosition(int line, int column) {
  public static final SourcePosition UNKNOWN = new SourcePosition(0, 0);
}
