package dev.cutter.core.lint;

import dev.cutter.core.catalog.SearchPath;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.PackageLoader;
import dev.cutter.core.model.SourcePosition;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The P1 check {@value #ID}: the artifact's lock hazards against the target's catalog before
 * the change, plus the package's own {@code apply.lock_timeout}, judged by the package's
 * {@code lint} policy and the trust policy's floor. FAIL when any finding is denied; every
 * finding, denied or not, goes to the report's {@code lint} section.
 */
public final class LintCheck {

  public static final String ID = "lock_hazards";

  /** The check's result and the findings behind it. */
  public record Outcome(CheckResult result, List<LintFinding> findings) {
    public Outcome {
      findings = List.copyOf(findings);
    }
  }

  private LintCheck() {}

  public static Outcome run(CheckContext ctx, Set<LintRule> floor) throws SQLException {
    ApplyPackage pkg = ctx.pkg();
    Optional<SearchPath> path = SearchPath.forApplyRole(ctx.connection(), ctx.applyRole(), ctx.target().login().user());
    List<LintFinding> found;
    try {
      found = findings(pkg, ctx.statements(), new LiveCatalog(ctx.connection(), path));
    } catch (LiveCatalog.LintCatalogException e) {
      return new Outcome(ctx.error("cannot read the catalog for the lock-hazard rules: " + e.getMessage()), List.of());
    }
    List<LintFinding> judged = pkg.lint().judge(found, floor);
    return new Outcome(result(ctx, judged), judged);
  }

  /** The findings of the package's artifact and apply settings (not yet judged). */
  public static List<LintFinding> findings(ApplyPackage pkg, List<dev.cutter.core.exec.ExecStatement> statements,
      LintCatalog catalog) {
    List<LintFinding> out = new ArrayList<>(LockHazardLinter.lint(pkg.artifact().path(), statements, catalog));
    // the line of apply.lock_timeout (package.yaml parsed again) only for a finding that names it
    if (pkg.apply() != null
        && LockHazardLinter.applyLockTimeout(PackageLoader.FILE_NAME, 0, pkg.apply().lockTimeout()).isPresent()) {
      int line = PackageLoader.positionOf(pkg, "apply", "lock_timeout").map(SourcePosition::line).orElse(0);
      LockHazardLinter.applyLockTimeout(PackageLoader.FILE_NAME, line, pkg.apply().lockTimeout()).ifPresent(out::add);
    }
    return out;
  }

  private static CheckResult result(CheckContext ctx, List<LintFinding> judged) {
    List<LintFinding> denied = judged.stream().filter(LintFinding::denied).toList();
    String actual = judged.size() + " finding(s), " + denied.size() + " denied";
    if (denied.isEmpty()) {
      return ctx.pass("no denied lock hazard", actual, judged.isEmpty() ? null
          : "reported, not denied: " + String.join("; ", judged.stream().map(LintFinding::summary).toList()));
    }
    return ctx.fail(new dev.cutter.core.cause.Cause.LockHazardsDenied(
        denied.stream().map(f -> f.rule().id()).distinct().toList()), "no denied lock hazard", actual, "denied: " + String.join("; ", denied.stream()
        .map(LintFinding::summary).toList()) + " (see docs/lock-safety.md for the safe way; a package may allow a rule"
        + " with lint.allow unless the trust policy's lint.floor forbids it)");
  }
}
