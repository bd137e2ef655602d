package dev.cutter.cli.sandbox;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.db.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A sandbox on a server the operator names (as a superuser): cutter creates its own database
 * there and drops it afterwards, touching nothing else.
 */
public final class UrlSandbox implements SandboxServer {

  private final ConnectionSpec admin;
  private final String database;
  private final int major;
  private final String version;
  private final List<String> ownRoles = new ArrayList<>();

  private UrlSandbox(ConnectionSpec admin, String database, int major, String version) {
    this.admin = admin;
    this.database = database;
    this.major = major;
    this.version = version;
  }

  public static UrlSandbox create(ConnectionSpec admin, String runId) {
    String database = "cutter_dryrun_" + runId.toLowerCase().replaceAll("[^a-z0-9]", "_");
    // the catalog's names only: the URL's database may be another user's, with a search_path that
    // puts functions of its own first, to be run as this superuser
    try (Connection c = Connections.openCatalog(admin, "cutter dry-run"); Statement st = c.createStatement()) {
      int major;
      String version;
      boolean superuser;
      try (ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int / 10000, "
          + "current_setting('server_version'), (select rolsuper from pg_roles where rolname = current_user)")) {
        rs.next();
        major = rs.getInt(1);
        version = rs.getString(2);
        superuser = rs.getBoolean(3);
      }
      if (!superuser) {
        throw CutterException.invalid("--sandbox URL: " + admin.display() + " must name a superuser (cutter prepares the "
            + "sandbox as one; the package's SQL then runs as roles that are not)");
      }
      st.execute("create database " + Sql.ident(database));
      return new UrlSandbox(admin, database, major, version);
    } catch (SQLException e) {
      throw new CutterException(ExitCodes.INTERNAL, "the URL sandbox could not be prepared: " + DbErrors.oneLine(e), e);
    }
  }

  @Override
  public String describe() {
    return "PostgreSQL " + version + " at " + admin.display() + " (database " + database + ", dropped afterwards)";
  }

  @Override
  public int major() {
    return major;
  }

  @Override
  public ConnectionSpec superuser() {
    return admin.withDatabase(database);
  }

  @Override
  public Optional<String> pgBin() {
    return Optional.empty();
  }

  @Override
  public synchronized void dropAfterwards(List<String> roles) {
    ownRoles.addAll(roles);
  }

  @Override
  public synchronized void close() {
    try (Connection c = Connections.openCatalog(admin, "cutter dry-run cleanup"); Statement st = c.createStatement()) {
      st.execute("drop database if exists " + Sql.ident(database) + " with (force)");
      for (String role : ownRoles) {
        try {
          st.execute("drop role if exists " + Sql.ident(role));
        } catch (SQLException e) {
          // setup made the administrator own something outside the sandbox database: the role stays, visible
        }
      }
    } catch (SQLException | RuntimeException e) {
      // the report names the database; a leftover sandbox database is visible and harmless
    }
  }
}
