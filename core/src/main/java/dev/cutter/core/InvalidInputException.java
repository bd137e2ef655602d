package dev.cutter.core;

import java.util.List;
import java.util.stream.Collectors;

/** Invalid input with every problem found, each a {@link Diagnostic}; exits 2. */
public class InvalidInputException extends CutterException {

  private static final long serialVersionUID = 1L;

  private final transient List<Diagnostic> diagnostics;

  public InvalidInputException(List<Diagnostic> diagnostics) {
    super(ExitCodes.INVALID, diagnostics.stream().map(Diagnostic::toString).collect(Collectors.joining("\n")));
    this.diagnostics = List.copyOf(diagnostics);
  }

  public InvalidInputException(Diagnostic diagnostic) {
    this(List.of(diagnostic));
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }
}
