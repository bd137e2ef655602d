package dev.cutter.checks;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.Problems;
import dev.cutter.core.model.YamlFields;
import dev.cutter.core.model.YamlValue;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/** {@code server_version: 16}: the server's major version is exactly this one. */
public final class ServerVersionCheck extends BuiltInCheck<String> {

  public static final String NAME = "server_version";

  public ServerVersionCheck() {
    super(NAME, ServerVersionCheck::read);
  }

  /** The required major version, when {@code args} is one. */
  public static Optional<String> read(YamlValue args, Problems problems) {
    return new YamlFields(problems).majorVersion(args, problems.context());
  }

  @Override
  protected CheckResult check(String major, CheckContext ctx) throws SQLException {
    try (Statement st = ctx.connection().createStatement();
        ResultSet rs = st.executeQuery("select pg_catalog.current_setting('server_version_num')::int / 10000,"
            + " pg_catalog.current_setting('server_version')")) {
      rs.next();
      String actual = String.valueOf(rs.getInt(1));
      return ctx.result(actual.equals(major), () -> new Cause.IdentityMismatch(Cause.IdentityField.SERVER_VERSION, major,
          actual), "server major " + major, "server major " + actual + " (" + rs.getString(2) + ")",
          actual.equals(major) ? null : "the server runs PostgreSQL " + rs.getString(2) + ", the package requires " + major);
    }
  }

  /** Catalog reads only (cutter's own queries): the rehearsal may run beside it. */
  @Override
  public boolean readsOnlyTheCatalog() {
    return true;
  }
}
