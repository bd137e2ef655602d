package dev.cutter.core.run;

import dev.cutter.core.CutterBuild;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.TlsState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * Who ran what: the build of cutter, the roles the artifact's statements ran as (measured in the
 * artifact's session just before the first statement and after the last, not as requested), and
 * each session cutter opened on the target with its login role and TLS state.
 *
 * @param beforeFirst null when no statement was about to run
 * @param afterLast null when no statement ran (or the session could not be asked)
 */
public record Provenance(String cutterVersion, String cutterCommit, Roles beforeFirst, Roles afterLast,
    List<Session> sessions) {

  public Provenance {
    sessions = sessions == null ? List.of() : List.copyOf(sessions);
  }

  /** Only which cutter wrote the report: for a run that opened no session of its own. */
  public static Provenance ofBuild() {
    return new Provenance(CutterBuild.version(), CutterBuild.commit(), null, null, List.of());
  }

  /** {@code current_user} and {@code session_user} of a session, as the server says. */
  public record Roles(String currentUser, String sessionUser) {

    /** Asks the session; null when it cannot answer (the connection is gone). */
    public static Roles of(Connection c) {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("select current_user::text, session_user::text")) {
        rs.next();
        return new Roles(rs.getString(1), rs.getString(2));
      } catch (SQLException e) {
        return null;
      }
    }
  }

  /** What a session on the target was for. */
  public enum Purpose {
    /** The run's own session (lock, catalog reads); the target checks connect with the same settings and login. */
    TARGET,
    /** The session that ran the artifact. */
    ARTIFACT,
    /** The session kept to finish the journal row. */
    JOURNAL,
    /** The backup role's connection (pg_dump). */
    BACKUP;

    public String yamlName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Purpose of(String yamlName) {
      return valueOf(yamlName.toUpperCase(Locale.ROOT));
    }
  }

  /** One session: its login role (session_user) and how it was protected (null when not measured). */
  public record Session(Purpose purpose, String loginRole, TlsState tls) {

    /** Measures {@code c}, opened from {@code spec}; its login role is null when the session cannot answer. */
    public static Session of(Purpose purpose, Connection c, ConnectionSpec spec) {
      Roles roles = Roles.of(c);
      TlsState tls;
      try {
        tls = Connections.tlsState(c, spec);
      } catch (SQLException e) {
        tls = null;
      }
      return new Session(purpose, roles == null ? null : roles.sessionUser(), tls);
    }
  }
}
