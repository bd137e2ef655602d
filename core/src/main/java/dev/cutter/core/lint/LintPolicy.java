package dev.cutter.core.lint;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which findings stop a run. The package (signed) may {@code deny} rules beyond the default and
 * {@code allow} rules the default denies; the trust policy's {@code floor} names rules no package
 * may allow. Default: every {@link Severity#ERROR} rule is denied, the others are reported.
 */
public record LintPolicy(Set<LintRule> deny, Set<LintRule> allow) {

  /** A package that says nothing: the default. */
  public static final LintPolicy DEFAULT = new LintPolicy(Set.of(), Set.of());

  public LintPolicy {
    deny = deny.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(deny));
    allow = allow.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(allow));
  }

  /** Whether a finding of {@code rule} stops the run under this package policy and {@code floor}. */
  public boolean denies(LintRule rule, Set<LintRule> floor) {
    if (floor.contains(rule) || deny.contains(rule)) {
      return true;
    }
    return rule.severity() == Severity.ERROR && !allow.contains(rule);
  }

  /** The rules this package allows that {@code floor} forbids allowing, in rule order. */
  public List<LintRule> allowedAgainst(Set<LintRule> floor) {
    List<LintRule> out = new ArrayList<>();
    for (LintRule r : LintRule.values()) {
      if (allow.contains(r) && floor.contains(r)) {
        out.add(r);
      }
    }
    return out;
  }

  /** {@code findings}, each marked denied or not. */
  public List<LintFinding> judge(List<LintFinding> findings, Set<LintRule> floor) {
    return findings.stream().map(f -> f.withDenied(denies(f.rule(), floor))).toList();
  }
}
