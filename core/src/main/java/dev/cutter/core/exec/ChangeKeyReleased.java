package dev.cutter.core.exec;

import java.sql.SQLException;

/**
 * A statement cutter did not send: the autocommit session held the change key before the first
 * statement and no longer does, so an earlier statement of the artifact gave it up ({@code
 * pg_advisory_unlock_all()}, a function that does). The key keeps the next run out while a
 * statement of this one may still run in the server after its client was killed (O4); a statement
 * sent without it could overlap the next run.
 */
public final class ChangeKeyReleased extends SQLException {

  private static final long serialVersionUID = 1L;

  private ChangeKeyReleased(int index, int line, int releasedBy) {
    super("statement " + index + " (line " + line + ") not sent: the session no longer holds the change key"
        + " that keeps the next run out while a statement of this one still runs (statement " + releasedBy
        + " or an earlier one gave it up)");
  }

  /**
   * Throws when the session did not hold the change key ({@code holds}, read with what else it shows between
   * statements: {@link AdvisoryLock#between}) before statement {@code index} at {@code line}; {@code last} ran before it.
   */
  public static void check(boolean holds, int index, int line, int last) throws SQLException {
    if (!holds) {
      throw new ChangeKeyReleased(index, line, last);
    }
  }
}
