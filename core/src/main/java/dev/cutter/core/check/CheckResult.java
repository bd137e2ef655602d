package dev.cutter.core.check;

import dev.cutter.core.cause.Cause;

/**
 * What one check found: its id (e.g. {@code identity}, {@code privilege#3}), status, what was
 * expected and what was found (both plain text, shown side by side in the report), a message
 * an operator can act on, and for FAIL and ERROR the {@link Cause} (the message is for people
 * only; code reads the cause).
 */
public record CheckResult(String id, CheckStatus status, String expected, String actual, String message, Cause cause) {

  /** A result without a cause: PASS, SKIPPED, or a result read back from a report. */
  public CheckResult(String id, CheckStatus status, String expected, String actual, String message) {
    this(id, status, expected, actual, message, null);
  }

  public static CheckResult pass(String id, String expected, String actual, String message) {
    return new CheckResult(id, CheckStatus.PASS, expected, actual, message, null);
  }

  public static CheckResult fail(String id, Cause cause, String expected, String actual, String message) {
    return new CheckResult(id, CheckStatus.FAIL, expected, actual, message, cause);
  }

  public static CheckResult error(String id, Cause cause, String message) {
    return new CheckResult(id, CheckStatus.ERROR, null, null, message, cause);
  }

  /** A FAIL without a typed cause (code written before {@link Cause}): diagnosed as an internal error. */
  @Deprecated
  public static CheckResult fail(String id, String expected, String actual, String message) {
    return fail(id, new Cause.InternalError("check " + id + " failed without a typed cause"), expected, actual, message);
  }

  /** An ERROR without a typed cause (code written before {@link Cause}): diagnosed as an internal error. */
  @Deprecated
  public static CheckResult error(String id, String message) {
    return error(id, new Cause.InternalError("check " + id + " failed without a typed cause"), message);
  }

  public static CheckResult skipped(String id, String reason) {
    return new CheckResult(id, CheckStatus.SKIPPED, null, null, reason, null);
  }
}
