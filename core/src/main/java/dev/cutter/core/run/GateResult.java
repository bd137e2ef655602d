package dev.cutter.core.run;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckResult;
import java.util.List;

/**
 * One gate of a run, in the order run: {@code signature}, {@code P3_artifact_integrity},
 * {@code authorization}, {@code lock}, {@code P1_preflight}, {@code P2_backup}, {@code apply},
 * {@code verify}, {@code rollback}. {@code checks} holds the gate's individual results.
 * {@code cause} says why a FAIL failed (null for PASS, SKIPPED, NOT_RUN); {@code message} is for
 * people only.
 */
public record GateResult(GateId gate, GateStatus status, String expected, String actual, String message,
    List<CheckResult> checks, Cause cause) {
  public GateResult {
    checks = checks == null ? List.of() : List.copyOf(checks);
  }

  /** A result without a cause: for passing gates, and for reading a report back. */
  public GateResult(String id, GateStatus status, String expected, String actual, String message,
      List<CheckResult> checks) {
    this(GateId.of(id), status, expected, actual, message, checks, null);
  }

  public GateResult(GateId gate, GateStatus status, String expected, String actual, String message,
      List<CheckResult> checks) {
    this(gate, status, expected, actual, message, checks, null);
  }

  /** A FAIL with its cause. */
  public static GateResult fail(GateId gate, Cause cause, String expected, String actual, String message,
      List<CheckResult> checks) {
    return new GateResult(gate, GateStatus.FAIL, expected, actual, message, checks, cause);
  }

  /** The id as reports show it (see {@link GateIds}). */
  public String id() {
    return gate.id();
  }

  public static GateResult notRun(String id) {
    return new GateResult(GateId.of(id), GateStatus.NOT_RUN, null, null, null, List.of(), null);
  }

  public static GateResult notRun(GateId gate) {
    return new GateResult(gate, GateStatus.NOT_RUN, null, null, null, List.of(), null);
  }
}
