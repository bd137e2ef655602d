package dev.cutter.core.exec;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;

/**
 * A statement cutter did not send: its reading depends on the lexer's settings ({@link
 * ExecStatement#readingDependsOnSettings}) and the session's {@code standard_conforming_strings},
 * as the server last reported it, is not what the splitter assumed for it. A function an earlier
 * statement ran ({@code set_config} in a DEFAULT, a CHECK, an index expression) changed it, or the
 * role's or database's default is off where the split assumed on: the server would read the
 * statement otherwise than the split, the listing, the signed review and the report show it (a
 * string could become a second statement).
 */
public final class LexingSettingChanged extends SQLException {

  private static final long serialVersionUID = 1L;

  /** The statement, its first line, what the split assumed (null: on for some of its lines, off for others), what the server reports. */
  public record Mismatch(int statement, int line, Boolean assumed, boolean reported) {}

  private final transient Mismatch mismatch;

  LexingSettingChanged(Mismatch m) {
    super("statement " + m.statement() + " (line " + m.line() + ") not sent: it was split with standard_conforming_strings "
        + assumed(m.assumed()) + ", and the server now reports " + (m.reported() ? "on" : "off")
        + " (a function an earlier statement ran changed it, or the session's default differs); the server would"
        + " read it otherwise");
    this.mismatch = m;
  }

  /** What did not match. */
  public Mismatch mismatch() {
    return mismatch;
  }

  /** The setting as the split assumed it, in words. */
  public static String assumed(Boolean assumed) {
    return assumed == null ? "on for some of its lines and off for others" : assumed ? "on" : "off";
  }

  /**
   * Throws when {@code s}'s reading depends on the lexer's settings and the server's last reported
   * {@code standard_conforming_strings} on {@code c} is not the one the split assumed. Every earlier
   * result must have arrived (the report of a change comes with its statement's results). Reads no
   * more than the driver's copy of the last report: no round trip.
   */
  static void check(Connection c, ExecStatement s) throws SQLException {
    if (s.readingDependsOnSettings() && c.isWrapperFor(BaseConnection.class)) {
      check(c.unwrap(BaseConnection.class).getStandardConformingStrings(), s);
    }
  }

  /** As above, with the setting the server reported; {@code s} must depend on it. */
  static void check(boolean reported, ExecStatement s) throws LexingSettingChanged {
    if (!Boolean.valueOf(reported).equals(s.standardConformingStrings())) {
      throw new LexingSettingChanged(new Mismatch(s.index(), s.line(), s.standardConformingStrings(), reported));
    }
  }
}
