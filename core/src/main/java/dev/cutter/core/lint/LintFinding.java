package dev.cutter.core.lint;

import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * One lock hazard: the rule, where ({@code file:line}; {@code statement} is the artifact's
 * 1-based statement index, 0 for a package setting), the relation or setting concerned, what was
 * found, the lock the rule predicts (a {@code pg_locks.mode} name, null for none), whether the
 * policy denies it, and the lock a rehearsal measured for the same statement (null until one is
 * known; see {@link #withMeasuredLock}).
 */
public record LintFinding(LintRule rule, String file, int line, int statement, String object, String detail,
    String predictedLock, boolean denied, String measuredLock) {

  public LintFinding {
    Objects.requireNonNull(rule, "rule");
  }

  /** A finding not yet judged by a policy and without a measurement. */
  public static LintFinding of(LintRule rule, String file, int line, int statement, String object, String detail,
      String predictedLock) {
    return new LintFinding(rule, file, line, statement, object, detail, predictedLock, false, null);
  }

  public Severity severity() {
    return rule.severity();
  }

  /** {@code ddl/change.sql:12}. */
  public String where() {
    return file + ":" + line;
  }

  public LintFinding withDenied(boolean d) {
    return new LintFinding(rule, file, line, statement, object, detail, predictedLock, d, measuredLock);
  }

  /**
   * This finding next to what a rehearsal measured for statement {@link #statement()}: the
   * strongest mode its backend newly held ({@code pg_locks.mode}), for the report's
   * "predicted X / measured Y".
   */
  public LintFinding withMeasuredLock(String mode) {
    return new LintFinding(rule, file, line, statement, object, detail, predictedLock, denied, mode);
  }

  /**
   * {@code findings} with the measured lock of each statement set: {@code measuredAt} gives, for a
   * 1-based statement index, the strongest {@code pg_locks.mode} a rehearsal saw that statement
   * newly take (null when nothing was measured). Findings on a package setting (statement 0) stay
   * as they are. This is where a measured lock plan meets the prediction.
   */
  public static List<LintFinding> withMeasured(List<LintFinding> findings, IntFunction<String> measuredAt) {
    if (findings == null) {
      return null;
    }
    return findings.stream().map(f -> f.statement() <= 0 ? f : f.withMeasuredLock(measuredAt.apply(f.statement())))
        .toList();
  }

  /** One line for a check message: {@code ddl/change.sql:3 index-not-concurrent (error) on app.t}. */
  public String summary() {
    return where() + " " + rule.id() + " (" + severity().yamlName() + ")" + (object == null ? "" : " on " + object);
  }
}
