package dev.cutter.core.run;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckResult;
import java.util.List;

/**
 * One gate of a run, in the order run (see {@link GateId}). {@code checks} holds the gate's
 * individual results. {@code cause} says why a FAIL failed (null for PASS, SKIPPED, NOT_RUN);
 * {@code message} is for people only. {@code durationMs} is how long the gate took (monotonic
 * clock), null when it did not run or was not timed.
 */
public record GateResult(GateId gate, GateStatus status, String expected, String actual, String message,
    List<CheckResult> checks, Cause cause, Long durationMs) {
  public GateResult {
    checks = checks == null ? List.of() : List.copyOf(checks);
  }

  public GateResult(GateId gate, GateStatus status, String expected, String actual, String message,
      List<CheckResult> checks, Cause cause) {
    this(gate, status, expected, actual, message, checks, cause, null);
  }

  /** A result without a cause: for passing gates, and for reading a report back. */
  public GateResult(String id, GateStatus status, String expected, String actual, String message,
      List<CheckResult> checks) {
    this(GateId.of(id), status, expected, actual, message, checks, null, null);
  }

  public GateResult(GateId gate, GateStatus status, String expected, String actual, String message,
      List<CheckResult> checks) {
    this(gate, status, expected, actual, message, checks, null, null);
  }

  /** A FAIL with its cause. */
  public static GateResult fail(GateId gate, Cause cause, String expected, String actual, String message,
      List<CheckResult> checks) {
    return new GateResult(gate, GateStatus.FAIL, expected, actual, message, checks, cause, null);
  }

  /** The id as reports show it (see {@link GateIds}). */
  public String id() {
    return gate.id();
  }

  /** This gate, taking {@code millis} milliseconds. */
  public GateResult withDuration(Long millis) {
    return new GateResult(gate, status, expected, actual, message, checks, cause, millis);
  }

  public static GateResult notRun(String id) {
    return notRun(GateId.of(id));
  }

  public static GateResult notRun(GateId gate) {
    return new GateResult(gate, GateStatus.NOT_RUN, null, null, null, List.of(), null, null);
  }
}
