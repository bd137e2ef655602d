package dev.cutter.core.cause;

import dev.cutter.core.db.DbErrors.ServerError;
import java.sql.SQLException;

/** Causes built at the JDBC edge, from the server's structured error fields (never its message). */
public final class Causes {

  private Causes() {}

  /** The cause of {@code e}, raised at {@code at} while acting as {@code role}. */
  public static Cause.SqlError sql(SQLException e, Cause.ErrorSite at, String role) {
    return sql(ServerError.of(e), at, role);
  }

  public static Cause.SqlError sql(ServerError e, Cause.ErrorSite at, String role) {
    return new Cause.SqlError(e.sqlstate(), at, 0, 0, e.schema(), e.table(), e.column(), e.constraint(), e.datatype(),
        role);
  }
}
