package dev.cutter.cli.sandbox;

import dev.cutter.core.CutterException;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.core.db.Connections;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.db.Sql;
import dev.cutter.core.exec.Journal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.postgresql.PGConnection;

/**
 * The only part of a dry-run that acts as the sandbox's superuser, and only with cutter's own
 * statements, in one session opened before any package SQL runs (so nothing the package sets on
 * the database or a role reaches it). It:
 *
 * <ul>
 *   <li>seals the predefined roles that reach the server's files and programs: they are marked
 *       superuser in the sandbox's catalog, so that CREATEROLE — which on PostgreSQL 15 and
 *       earlier may grant any role that is not a superuser — cannot hand them out;</li>
 *   <li>makes the sandbox administrator that runs {@code sandbox.setup}: CREATEROLE, CREATEDB,
 *       owner of the sandbox database, not superuser; and grants it each role setup creates, so
 *       that {@code SET ROLE} and {@code AUTHORIZATION} work on them as they did for a superuser;</li>
 *   <li>after setup, makes apply_role and backup_role LOGIN roles with a password made for this
 *       run, and a login role for the pipeline that can read everything (pg_read_all_data,
 *       BYPASSRLS) but is a member of no package role — so the artifact runs in a session
 *       authenticated as apply_role, never through SET ROLE.</li>
 * </ul>
 */
public final class SandboxWarden implements AutoCloseable {

  /** Predefined roles whose members read or write the server's files or run programs there. */
  static final List<String> SEALED = List.of("pg_execute_server_program", "pg_read_server_files",
      "pg_write_server_files");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final ConnectionSpec superuser;
  private final Connection su;
  private final String admin;
  private final String login;
  private final Secret adminPassword;
  private final Secret loginPassword;
  private final Set<Long> known = new HashSet<>();
  private final Map<String, Secret> rolePasswords = new LinkedHashMap<>();

  private SandboxWarden(ConnectionSpec superuser, Connection su, String admin, String login) {
    this.superuser = superuser;
    this.su = su;
    this.admin = admin;
    this.login = login;
    this.adminPassword = newPassword();
    this.loginPassword = newPassword();
  }

  /**
   * Seals the sandbox and creates its administrator. {@code tag} makes cutter's role names unique
   * on a shared server; they are {@code cutter_sandbox_admin_<tag>} and {@code cutter_sandbox_login_<tag>}.
   */
  public static SandboxWarden open(ConnectionSpec superuser, String tag) {
    Connection c = Connections.open(superuser, "cutter dry-run warden");
    SandboxWarden w = new SandboxWarden(superuser, c, "cutter_sandbox_admin_" + tag, "cutter_sandbox_login_" + tag);
    try {
      w.prepare();
      return w;
    } catch (SQLException e) {
      w.close();
      throw new CutterException(ExitCodes.INTERNAL, "the sandbox could not be prepared: " + DbErrors.oneLine(e), e);
    } catch (RuntimeException e) {
      w.close();
      throw e;
    }
  }

  private void prepare() throws SQLException {
    try (Statement st = su.createStatement()) {
      st.execute("set search_path = pg_catalog, pg_temp");
      int major = queryInt("select current_setting('server_version_num')::int / 10000");
      if (major < 14) {
        throw CutterException.invalid("the sandbox runs PostgreSQL " + major + "; a dry-run needs 14 or later "
            + "(its login reads the package's tables through pg_read_all_data)");
      }
      seal(st);
      st.execute("create role " + Sql.ident(admin) + " login nosuperuser createrole createdb noreplication "
          + "nobypassrls");
      setPassword(admin, adminPassword);
      st.execute("alter database " + Sql.ident(superuser.database()) + " owner to " + Sql.ident(admin));
      if (major >= 16) {
        // the roles setup creates are then the administrator's to SET ROLE to, even inside a transaction
        st.execute("alter role " + Sql.ident(admin) + " set createrole_self_grant = 'set, inherit'");
      }
    }
    known.addAll(roleOids());
  }

  /**
   * Marks the sealed roles superuser, in one transaction that holds off any GRANT meanwhile: a
   * member of a sealed role could SET ROLE to it and be superuser, so a server where one exists
   * (a shared URL server) is refused.
   */
  private void seal(Statement st) throws SQLException {
    su.setAutoCommit(false);
    try {
      st.execute("set local allow_system_table_mods = on");
      st.execute("lock table pg_catalog.pg_auth_members in exclusive mode");
      List<String> members = sealedMembers();
      if (!members.isEmpty()) {
        throw CutterException.invalid("the sandbox server has members of " + String.join(", ", members)
            + "; a dry-run needs a server where nobody is (cutter makes those roles superuser-only there)");
      }
      try (PreparedStatement ps = su.prepareStatement(
          "update pg_catalog.pg_authid set rolsuper = true where rolname = any (?) and not rolsuper")) {
        ps.setArray(1, su.createArrayOf("text", SEALED.toArray()));
        ps.executeUpdate();
      }
      su.commit();
    } catch (SQLException | RuntimeException e) {
      su.rollback();
      throw e;
    } finally {
      su.setAutoCommit(true);
    }
  }

  /** The sandbox administrator that runs {@code sandbox.setup}, connected to the sandbox database. */
  public ConnectionSpec administrator() {
    return superuser.as(admin, Optional.of(adminPassword));
  }

  /** cutter's roles on the sandbox server, to drop with it. */
  public List<String> ownRoles() {
    return List.of(login, admin);
  }

  /**
   * Grants the administrator every role created since the last call: setup created it, and
   * setup's next statements may {@code SET ROLE} to it or give it a schema, as a superuser could.
   */
  public void adopt() {
    try {
      List<String> fresh = new ArrayList<>();
      try (Statement st = su.createStatement();
          ResultSet rs = st.executeQuery("select oid, rolname, rolsuper from pg_catalog.pg_roles")) {
        while (rs.next()) {
          if (known.add(rs.getLong(1)) && !rs.getBoolean(3) && !rs.getString(2).equals(admin)) {
            fresh.add(rs.getString(2));
          }
        }
      }
      for (String role : fresh) {
        try (Statement st = su.createStatement()) {
          st.execute("grant " + Sql.ident(role) + " to " + Sql.ident(admin));
        } catch (SQLException e) {
          // a role that is itself a member of the administrator cannot also contain it; setup made it so
        }
      }
    } catch (SQLException e) {
      throw new CutterException(ExitCodes.INTERNAL, "sandbox setup: " + DbErrors.oneLine(e), e);
    }
  }

  /**
   * After setup: proves the sandbox still holds (nobody reaches a sealed role; apply_role and
   * backup_role are not superusers; the schema cutter is cutter's), makes those roles LOGIN with a
   * fresh password, creates the pipeline's login role and the journal (apply_role and the login
   * as `cutter init --grant` makes them, backup_role as `--reader`). Returns the login.
   */
  public ConnectionSpec afterSetup(String applyRole, Optional<String> backupRole) {
    try {
      List<String> members = sealedMembers();
      if (!members.isEmpty()) {
        throw new CutterException(ExitCodes.INTERNAL, "sandbox setup made a role a member of "
            + String.join(", ", members) + "; the dry-run stops");
      }
      if (queryInt("select count(*) from pg_catalog.pg_namespace where nspname = " + Sql.literal(Journal.SCHEMA)) > 0) {
        throw CutterException.invalid("sandbox setup created the schema " + Journal.SCHEMA
            + ", which is cutter's own; leave it to cutter");
      }
      List<String> grants = new ArrayList<>();
      List<String> readers = new ArrayList<>();
      for (String role : backupRole.isPresent() && !backupRole.get().equals(applyRole)
          ? List.of(applyRole, backupRole.get()) : List.of(applyRole)) {
        Optional<Boolean> superuserRole = rolsuper(role);
        if (superuserRole.isEmpty()) {
          continue;
        }
        if (superuserRole.get() || role.startsWith("pg_")) {
          throw CutterException.invalid("role " + role + " is a superuser or predefined role in the sandbox; a dry-run "
              + "runs the package's SQL only as ordinary roles (name another role in target.apply_role / backup_role)");
        }
        Secret pw = newPassword();
        try (Statement st = su.createStatement()) {
          st.execute("alter role " + Sql.ident(role) + " login");
        }
        setPassword(role, pw);
        rolePasswords.put(role, pw);
        // backup_role reads the journal (pg_dump of a scope that holds it), as `cutter init --reader` lets it
        (role.equals(applyRole) ? grants : readers).add(role);
      }
      try (Statement st = su.createStatement()) {
        st.execute("create role " + Sql.ident(login) + " login nosuperuser nocreaterole nocreatedb bypassrls");
        st.execute("grant pg_read_all_data to " + Sql.ident(login));
      }
      setPassword(login, loginPassword);
      grants.add(login);
      Journal.init(su, grants, readers);
      return login();
    } catch (SQLException e) {
      throw new CutterException(ExitCodes.INTERNAL, "the sandbox could not be prepared after setup: "
          + DbErrors.oneLine(e), e);
    }
  }

  /** The pipeline's login: reads everything in the sandbox, member of no package role. */
  public ConnectionSpec login() {
    return superuser.as(login, Optional.of(loginPassword));
  }

  /** The password this run gave {@code role} (apply_role, backup_role), if any. */
  public Optional<Secret> passwordFor(String role) {
    return Optional.ofNullable(rolePasswords.get(role));
  }

  /** Every password made for this run, for the secret scanner. */
  public List<ConnectionSpec> secrets() {
    List<ConnectionSpec> all = new ArrayList<>(List.of(administrator(), login()));
    rolePasswords.forEach((role, pw) -> all.add(superuser.as(role, Optional.of(pw))));
    return all;
  }

  /** Hashed here (SCRAM or md5, as the server's password_encryption says): the clear text never reaches the server's log. */
  private void setPassword(String role, Secret pw) throws SQLException {
    su.unwrap(PGConnection.class).alterUserPassword(role, pw.value().toCharArray(), null);
  }

  private List<String> sealedMembers() throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = su.prepareStatement(
        "select r.rolname || ' (' || m.rolname || ')' from pg_catalog.pg_auth_members a "
            + "join pg_catalog.pg_roles r on r.oid = a.roleid join pg_catalog.pg_roles m on m.oid = a.member "
            + "where r.rolname = any (?) order by 1")) {
      ps.setArray(1, su.createArrayOf("text", SEALED.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private Optional<Boolean> rolsuper(String role) throws SQLException {
    try (PreparedStatement ps = su.prepareStatement("select rolsuper from pg_catalog.pg_roles where rolname = ?")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getBoolean(1)) : Optional.empty();
      }
    }
  }

  private Set<Long> roleOids() throws SQLException {
    Set<Long> out = new HashSet<>();
    try (Statement st = su.createStatement(); ResultSet rs = st.executeQuery("select oid from pg_catalog.pg_roles")) {
      while (rs.next()) {
        out.add(rs.getLong(1));
      }
    }
    return out;
  }

  private int queryInt(String sql) throws SQLException {
    try (Statement st = su.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static Secret newPassword() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return new Secret(HexFormat.of().formatHex(b));
  }

  @Override
  public void close() {
    try {
      su.close();
    } catch (SQLException ignored) {
      // the sandbox goes away with its server
    }
  }
}
