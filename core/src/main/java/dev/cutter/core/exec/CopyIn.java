package dev.cutter.core.exec;

import dev.cutter.core.sql.CopyData;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Runs a {@code COPY … FROM STDIN} with its inline data as psql does: the statement's text as one
 * Query message, then the data's bytes exactly as they stand in the script (the {@code \.} line
 * included, as psql 15 sends it) as CopyData, then CopyDone. The server's error, a bad row's
 * included, comes back as the {@link SQLException} of any other failing statement. Runs in
 * whatever transaction the session is in; nothing is pipelined with it.
 */
public final class CopyIn {

  /** Bytes per CopyData message (psql sends its 8 kB buffer; the boundaries mean nothing to the server). */
  static final int CHUNK = 65_536;

  private CopyIn() {}

  /** Sends {@code text} and then {@code data}; returns the rows the server reports it loaded. */
  public static long send(Connection c, String text, CopyData data) throws SQLException {
    CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
    org.postgresql.copy.CopyIn in = copy.copyIn(text);
    SQLException failure = null;
    try {
      byte[] bytes = data.bytes();
      for (int off = 0; off < bytes.length; off += CHUNK) {
        in.writeToCopy(bytes, off, Math.min(CHUNK, bytes.length - off));
      }
      return in.endCopy();
    } catch (SQLException e) {
      failure = e;
      throw e;
    } finally {
      if (in.isActive()) {
        try {
          in.cancelCopy();
        } catch (SQLException e) {
          // the copy is cancelled; the server's answer to that is not the statement's error
          if (failure != null) {
            failure.addSuppressed(e);
          }
        }
      }
    }
  }
}
