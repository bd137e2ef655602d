package dev.cutter.core;

/**
 * The one unchecked root exception of cutter. It carries the exit code the command should end
 * with and a message written for the operator: what failed, the value, and what to do next.
 */
public class CutterException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int exitCode;
  private final transient dev.cutter.core.cause.Cause typedCause;

  public CutterException(int exitCode, String message) {
    this(exitCode, message, null, null);
  }

  public CutterException(int exitCode, String message, Throwable cause) {
    this(exitCode, message, cause, null);
  }

  /** {@code typedCause}: why, as data, for the report's diagnosis (null when not known). */
  public CutterException(int exitCode, String message, Throwable cause, dev.cutter.core.cause.Cause typedCause) {
    super(message, cause);
    this.exitCode = exitCode;
    this.typedCause = typedCause;
  }

  /** Why, as data; null when the thrower did not say. */
  public dev.cutter.core.cause.Cause typedCause() {
    return typedCause;
  }

  public int exitCode() {
    return exitCode;
  }

  /** Bad invocation or input the operator must fix (exit 2). */
  public static CutterException invalid(String message) {
    return new CutterException(ExitCodes.INVALID, message);
  }
}
