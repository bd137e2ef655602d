package dev.cutter.core.exec;

import java.sql.SQLWarning;
import org.postgresql.util.PSQLWarning;
import org.postgresql.util.ServerErrorMessage;

/**
 * A notice the server sent while a statement ran (RAISE NOTICE in a DO block, "table … does not
 * exist, skipping"), with the statement it belongs to, in arrival order.
 */
public record StatementNotice(int index, int line, String severity, String sqlstate, String message, String detail,
    String hint) {

  static StatementNotice of(ExecStatement s, SQLWarning w) {
    ServerErrorMessage m = w instanceof PSQLWarning p ? p.getServerErrorMessage() : null;
    if (m == null) {
      return new StatementNotice(s.index(), s.line(), null, w.getSQLState(), w.getMessage(), null, null);
    }
    return new StatementNotice(s.index(), s.line(), m.getSeverity(), m.getSQLState(), m.getMessage(), m.getDetail(),
        m.getHint());
  }
}
