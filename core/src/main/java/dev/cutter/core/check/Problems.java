package dev.cutter.core.check;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.model.SourcePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Collects the problems found in one input file, so that the operator sees every one of them at
 * once. A view made with {@link #in(String)} shares the list and knows the field path it reports
 * for (e.g. {@code preflight[2].baseline}), so that a check type can name its fields fully
 * without knowing where its entry stands.
 */
public final class Problems {

  private final String file;
  private final String context;
  private final List<Diagnostic> diagnostics;

  /** A new, empty sink for problems in {@code file} (the name printed before line and column). */
  public Problems(String file) {
    this(file, "", new ArrayList<>());
  }

  private Problems(String file, String context, List<Diagnostic> diagnostics) {
    this.file = Objects.requireNonNull(file, "file");
    this.context = context;
    this.diagnostics = diagnostics;
  }

  /** The file the problems are in. */
  public String file() {
    return file;
  }

  /** The field path this view reports for; empty at the top level. */
  public String context() {
    return context;
  }

  /** The full path of {@code key} under this view's context, e.g. {@code preflight[2].baseline.schema}. */
  public String field(String key) {
    return context.isEmpty() ? key : context + "." + key;
  }

  /** A view that reports into the same list for the field {@code key} under this context. */
  public Problems in(String key) {
    return new Problems(file, field(key), diagnostics);
  }

  /** Records one problem at {@code position}; the message should say what was expected. */
  public void add(SourcePosition position, String message) {
    SourcePosition p = position == null ? SourcePosition.UNKNOWN : position;
    diagnostics.add(new Diagnostic(file, p.line(), p.column(), message));
  }

  public boolean isEmpty() {
    return diagnostics.isEmpty();
  }

  /** How many problems were recorded so far (shared by every view): compare before and after a step. */
  public int count() {
    return diagnostics.size();
  }

  /** Every problem so far, in the order found. */
  public List<Diagnostic> diagnostics() {
    return List.copyOf(diagnostics);
  }

  /** Throws an {@link InvalidInputException} (exit 2) listing every problem, if there is any. */
  public void throwIfAny() {
    if (!diagnostics.isEmpty()) {
      throw new InvalidInputException(diagnostics());
    }
  }
}
