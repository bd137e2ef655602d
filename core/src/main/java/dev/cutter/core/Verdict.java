package dev.cutter.core;

/** The outcome of a gated run, each with the exit code the command ends with (SPEC section 4). */
public enum Verdict {
  PASS(0, "every gate passed, the change committed and verified"),
  BLOCKED(3, "a gate refused before any change; target unchanged"),
  FAILED(4, "the change was attempted and rolled back; target verified unchanged"),
  ROLLED_BACK(5, "committed, failed verification, rollback ran and the baseline is restored"),
  ESCALATE(6, "the target's state is not what was promised and was not restored; a person must act");

  private final int exitCode;
  private final String meaning;

  Verdict(int exitCode, String meaning) {
    this.exitCode = exitCode;
    this.meaning = meaning;
  }

  public int exitCode() {
    return exitCode;
  }

  public String meaning() {
    return meaning;
  }
}
