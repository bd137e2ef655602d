package dev.cutter.core.check;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.catalog.Identity;
import dev.cutter.core.catalog.IdentityReader;
import dev.cutter.core.model.Target;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Always the first P1 check: the target is the cluster ({@code system_identifier}) and database
 * the package was approved for, running the pinned server major when the package pins one.
 */
public final class IdentityCheck {

  public static final String ID = "identity";

  private IdentityCheck() {}

  public static CheckResult run(CheckContext ctx) throws SQLException {
    Target want = ctx.pkg().target();
    Identity got;
    try {
      got = IdentityReader.read(ctx.connection());
    } catch (IdentityReader.NotExecutableException e) {
      return ctx.error(new Cause.LoginRoleRefused(dev.cutter.core.check.TargetAccess.Refusal.NOT_REACHABLE,
          null, ctx.applyRole(), dev.cutter.core.exec.RoleSwitch.Excess.NONE), e.getMessage());
    }
    String expected = describe(want.systemIdentifier(), want.database(), want.serverVersion().orElse(null));
    String actual = describe(got.systemIdentifier(), got.database(), want.serverVersion().isPresent()
        ? String.valueOf(got.serverMajor()) : null);
    List<String> wrong = new ArrayList<>();
    Cause cause = null;
    if (!want.systemIdentifier().equals(got.systemIdentifier())) {
      cause = new Cause.IdentityMismatch(Cause.IdentityField.SYSTEM_IDENTIFIER, want.systemIdentifier(), got.systemIdentifier());
      wrong.add("system_identifier is " + got.systemIdentifier() + ", not " + want.systemIdentifier()
          + ": this is another cluster than the one approved");
    }
    if (!want.database().equals(got.database())) {
      cause = cause != null ? cause : new Cause.IdentityMismatch(Cause.IdentityField.DATABASE, want.database(), got.database());
      wrong.add("connected to database " + got.database() + ", not " + want.database());
    }
    if (want.serverVersion().isPresent() && !want.serverVersion().get().equals(String.valueOf(got.serverMajor()))) {
      cause = cause != null ? cause : new Cause.IdentityMismatch(Cause.IdentityField.SERVER_VERSION,
          want.serverVersion().get(), String.valueOf(got.serverMajor()));
      wrong.add("server major is " + got.serverMajor() + " (" + got.serverVersion() + "), not " + want.serverVersion().get());
    }
    Cause found = cause;
    return ctx.result(wrong.isEmpty(), () -> found, expected, actual, wrong.isEmpty() ? null : String.join("; ", wrong));
  }

  private static String describe(String sysid, String db, String major) {
    return "system_identifier " + sysid + ", database " + db + (major == null ? "" : ", server major " + major);
  }
}
