package dev.cutter.core.check;

/** The outcome of one check. */
public enum CheckStatus {
  /** The check held. */
  PASS,
  /** The check ran and did not hold. */
  FAIL,
  /** The check could not run (e.g. a catalog function was not executable); counts as not holding. */
  ERROR,
  /** The check was not applicable in this mode (the reason is in the message); does not block. */
  SKIPPED;

  public boolean blocks() {
    return this == FAIL || this == ERROR;
  }
}
