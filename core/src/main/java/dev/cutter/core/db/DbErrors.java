package dev.cutter.core.db;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Turns JDBC errors into the facts a report needs, once, at the JDBC edge. */
public final class DbErrors {

  private DbErrors() {}

  /** The server's (or driver's) message on one line, with the SQLSTATE. */
  public static String oneLine(SQLException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    ServerErrorMessage sem = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    if (sem != null && sem.getMessage() != null) {
      m = sem.getMessage();
    }
    m = m.replaceAll("\\s+", " ").trim();
    return e.getSQLState() == null ? m : m + " (SQLSTATE " + e.getSQLState() + ")";
  }

  /**
   * "cannot connect to TARGET: REASON", and, when the login was refused for its password (the
   * driver's 08004 for a password it was asked for and did not have, the server's 28P01 for a
   * wrong one), where the password came from or where it was looked for.
   */
  public static String cannotConnect(ConnectionSpec spec, SQLException e) {
    String line = "cannot connect to " + spec.display() + ": " + oneLine(e);
    boolean passwordRefused = "28P01".equals(e.getSQLState())
        || ("08004".equals(e.getSQLState()) && spec.password().isEmpty());
    return passwordRefused && spec.passwordSearch() != null ? line + "; " + spec.passwordSearch().describe(spec) : line;
  }

  /** The server error of a failed statement, as much as the server said. */
  public record ServerError(String sqlstate, String message, String detail, String hint, String where, int position,
      String schema, String table, String constraint, String column, String datatype) {

    public static ServerError of(SQLException e) {
      ServerErrorMessage sem = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
      if (sem == null) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ").trim();
        return new ServerError(e.getSQLState(), m, null, null, null, 0, null, null, null, null, null);
      }
      return new ServerError(sem.getSQLState(), sem.getMessage(), sem.getDetail(), sem.getHint(), sem.getWhere(),
          sem.getPosition(), sem.getSchema(), sem.getTable(), sem.getConstraint(), sem.getColumn(), sem.getDatatype());
    }

    /** This error with {@code p} as its position (characters into the statement, 0 for none). */
    public ServerError withPosition(int p) {
      return new ServerError(sqlstate, message, detail, hint, where, p, schema, table, constraint, column, datatype);
    }

    /** True when the connection itself is gone (class 08, admin shutdown, crash). */
    public boolean connectionLost() {
      return sqlstate == null || sqlstate.startsWith("08") || sqlstate.equals("57P01") || sqlstate.equals("57P02")
          || sqlstate.equals("57P03");
    }
  }
}
