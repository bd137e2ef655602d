package dev.cutter.backup;

/** One line of {@code backup --selftest}: what was checked, whether it holds, and what was found. */
public record ReadinessItem(String check, boolean passed, String detail) {

  static ReadinessItem pass(String check, String detail) {
    return new ReadinessItem(check, true, detail);
  }

  static ReadinessItem fail(String check, String detail) {
    return new ReadinessItem(check, false, detail);
  }

  /** {@code PASS check: detail} or {@code FAIL check: detail}. */
  public String line() {
    return (passed ? "PASS " : "FAIL ") + check + (detail == null || detail.isEmpty() ? "" : ": " + detail);
  }
}
