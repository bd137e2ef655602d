package dev.cutter.core;

/**
 * The one unchecked root exception of cutter. It carries the exit code the command should end
 * with and a message written for the operator: what failed, the value, and what to do next.
 */
public class CutterException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public CutterException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CutterException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  /** Bad invocation or input the operator must fix (exit 2). */
  public static CutterException invalid(String message) {
    return new CutterException(ExitCodes.INVALID, message);
  }
}
