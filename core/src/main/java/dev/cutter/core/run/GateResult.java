package dev.cutter.core.run;

import dev.cutter.core.check.CheckResult;
import java.util.List;

/**
 * One gate of a run, in the order run: {@code signature}, {@code P3_artifact_integrity},
 * {@code authorization}, {@code lock}, {@code P1_preflight}, {@code P2_backup}, {@code apply},
 * {@code verify}, {@code rollback}. {@code checks} holds the gate's individual results;
 * {@code durationMs} how long the gate took (monotonic clock), null when it did not run or was not timed.
 */
public record GateResult(String id, GateStatus status, String expected, String actual, String message, List<CheckResult> checks,
    Long durationMs) {
  public GateResult {
    checks = checks == null ? List.of() : List.copyOf(checks);
  }

  /** A gate not (yet) timed. */
  public GateResult(String id, GateStatus status, String expected, String actual, String message, List<CheckResult> checks) {
    this(id, status, expected, actual, message, checks, null);
  }

  public static GateResult notRun(String id) {
    return new GateResult(id, GateStatus.NOT_RUN, null, null, null, List.of());
  }

  /** This gate, taking {@code millis} milliseconds. */
  public GateResult withDuration(Long millis) {
    return new GateResult(id, status, expected, actual, message, checks, millis);
  }
}
