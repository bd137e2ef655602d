package dev.cutter.core.run;

import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.CheckSpec;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which checks verify a change (issue 19.12): the package's {@code verify} list; when it is empty,
 * checks derived from the artifact's DDL, and the report says so; when nothing can be derived,
 * nothing is checked and the verification is {@link RunReport.VerificationInfo#NOT_VERIFIED}, never "verified".
 */
record VerifyPlan(List<CheckSpec> specs, Source source) {

  /** Where the checks came from. */
  enum Source { PACKAGE, DERIVED, NONE }

  static VerifyPlan of(Steps.Checks checks, ConnectionSpec target, ApplyPackage pkg) {
    if (!pkg.verify().isEmpty()) {
      return new VerifyPlan(pkg.verify(), Source.PACKAGE);
    }
    List<CheckSpec> derived = checks.derivedVerify(target, pkg);
    return derived.isEmpty() ? new VerifyPlan(List.of(), Source.NONE) : new VerifyPlan(derived, Source.DERIVED);
  }

  /** The verification status: PASS or FAIL, or NOT_VERIFIED when there was nothing to check. */
  RunStatus.Verification status(boolean held) {
    return source == Source.NONE ? RunStatus.Verification.NOT_VERIFIED
        : held ? RunStatus.Verification.PASS : RunStatus.Verification.FAIL;
  }

  GateStatus gateStatus(boolean held) {
    return source == Source.NONE ? GateStatus.SKIPPED : held ? GateStatus.PASS : GateStatus.FAIL;
  }

  /** What the report says about where the checks came from (null for the package's own). */
  String note() {
    return switch (source) {
      case PACKAGE -> null;
      case DERIVED -> "the package lists no verify checks; derived from its DDL: "
          + specs.stream().map(CheckSpec::name).collect(Collectors.joining(", "));
      case NONE -> "not verified: the package lists no verify checks and none can be derived from its DDL";
    };
  }
}
