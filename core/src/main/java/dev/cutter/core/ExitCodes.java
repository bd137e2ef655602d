package dev.cutter.core;

/** Exit codes that are not verdicts (SPEC section 4). */
public final class ExitCodes {
  public static final int OK = 0;
  /** A bug: the report says what was known. */
  public static final int INTERNAL = 1;
  /** Invalid invocation or invalid package. */
  public static final int INVALID = 2;
  /** A read-only command found a check that does not hold (preflight, verify, package verify, selftest). */
  public static final int CHECKS_FAILED = 3;

  private ExitCodes() {}
}
