package dev.cutter.core.check;

/**
 * What one check found: its id (e.g. {@code identity}, {@code privilege#3}), status, what was
 * expected and what was found (both plain text, shown side by side in the report) and a message
 * an operator can act on.
 */
public record CheckResult(String id, CheckStatus status, String expected, String actual, String message) {

  public static CheckResult pass(String id, String expected, String actual, String message) {
    return new CheckResult(id, CheckStatus.PASS, expected, actual, message);
  }

  public static CheckResult fail(String id, String expected, String actual, String message) {
    return new CheckResult(id, CheckStatus.FAIL, expected, actual, message);
  }

  public static CheckResult error(String id, String message) {
    return new CheckResult(id, CheckStatus.ERROR, null, null, message);
  }

  public static CheckResult skipped(String id, String reason) {
    return new CheckResult(id, CheckStatus.SKIPPED, null, null, reason);
  }
}
