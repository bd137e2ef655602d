package dev.cutter.core.run;

import dev.cutter.core.check.CheckResult;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.CheckSpec;
import java.util.List;

/** P1 as a stub whose only check is an identity that holds; a test says what happens meanwhile. */
abstract class IdentityOnlyChecks implements Steps.Checks {

  /** The P1 of this stub when it passes. */
  static Steps.P1 passed() {
    return new Steps.P1(List.of(identity()), null, null);
  }

  private static CheckResult identity() {
    return CheckResult.pass("identity", "db", "db", null);
  }

  @Override
  public List<CheckResult> preflight(ConnectionSpec target, ApplyPackage pkg, boolean sandbox) {
    return List.of(identity());
  }

  @Override
  public List<CheckResult> run(ConnectionSpec target, ApplyPackage pkg, List<CheckSpec> checks) {
    return List.of();
  }
}
