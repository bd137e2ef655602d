package dev.cutter.core.exec;

import dev.cutter.core.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Makes a session run as the pinned apply role, and measures what its login role could do
 * instead: any statement can {@code RESET ROLE} back to the login role, so SET ROLE is sound only
 * from a login role that holds nothing the apply role lacks.
 */
public final class RoleSwitch {

  private RoleSwitch() {}

  /** A role attribute that lets a session act beyond the objects it was granted. */
  public enum Attribute {
    SUPERUSER, CREATEROLE, CREATEDB, REPLICATION, BYPASSRLS;

    String label() {
      return this == SUPERUSER ? "superuser" : name();
    }
  }

  /**
   * What the login role (session_user) holds that the apply role lacks: attributes, memberships
   * (direct or inherited through other roles) in roles the apply role is not a member of, and
   * objects it owns in this database or cluster-wide, unless the apply role may act as the
   * login role itself.
   */
  public record Excess(Set<Attribute> attributes, List<String> memberships, int ownedObjects) {
    public static final Excess NONE = new Excess(Set.of(), List.of(), 0);

    public Excess {
      attributes = attributes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(attributes));
      memberships = List.copyOf(memberships);
    }

    public boolean isEmpty() {
      return attributes.isEmpty() && memberships.isEmpty() && ownedObjects == 0;
    }

    /** E.g. {@code superuser, CREATEROLE; member of ops, pg_read_server_files; owner of 3 objects}. */
    public String describe() {
      List<String> parts = new ArrayList<>();
      if (!attributes.isEmpty()) {
        parts.add(String.join(", ", EnumSet.copyOf(attributes).stream().map(Attribute::label).toList()));
      }
      if (!memberships.isEmpty()) {
        parts.add("member of " + String.join(", ", memberships));
      }
      if (ownedObjects > 0) {
        parts.add("owner of " + ownedObjects + " object" + (ownedObjects == 1 ? "" : "s"));
      }
      return parts.isEmpty() ? "nothing" : String.join("; ", parts);
    }
  }

  /**
   * Where a session's login role stands towards {@code role}. {@code member} and {@code excess}
   * are meaningful only when the role exists and is not the login role itself.
   */
  public record Standing(String sessionUser, String role, boolean roleExists, boolean member, Excess excess) {
    public boolean isRole() {
      return sessionUser.equals(role);
    }

    /** SET ROLE reaches the role and RESET ROLE leads nowhere the role could not go. */
    public boolean leanMember() {
      return roleExists && member && excess.isEmpty();
    }
  }

  /** Reads where this session's login role stands towards {@code role}; changes nothing. */
  public static Standing standing(Connection c, String role) throws SQLException {
    String login;
    boolean exists;
    boolean member;
    Set<Attribute> attrs = EnumSet.noneOf(Attribute.class);
    try (PreparedStatement ps = c.prepareStatement("select session_user, a.oid is not null,"
        + " a.oid is not null and pg_catalog.pg_has_role(session_user, a.oid, 'MEMBER'),"
        + " l.rolsuper and not coalesce(a.rolsuper, false), l.rolcreaterole and not coalesce(a.rolcreaterole, false),"
        + " l.rolcreatedb and not coalesce(a.rolcreatedb, false), l.rolreplication and not coalesce(a.rolreplication, false),"
        + " l.rolbypassrls and not coalesce(a.rolbypassrls, false)"
        + " from pg_catalog.pg_roles l left join pg_catalog.pg_roles a on a.rolname = ? where l.rolname = session_user")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("the session's login role is not in pg_roles", "42704");
        }
        login = rs.getString(1);
        exists = rs.getBoolean(2);
        member = rs.getBoolean(3);
        Attribute[] order = Attribute.values();
        for (int i = 0; i < order.length; i++) {
          if (rs.getBoolean(4 + i)) {
            attrs.add(order[i]);
          }
        }
      }
    }
    if (!exists || login.equals(role)) {
      return new Standing(login, role, exists, login.equals(role), Excess.NONE);
    }
    if (attrs.contains(Attribute.SUPERUSER)) {
      // a superuser may do anything: the other attributes, memberships and ownerships add nothing to say
      return new Standing(login, role, true, member, new Excess(EnumSet.of(Attribute.SUPERUSER), List.of(), 0));
    }
    return new Standing(login, role, true, member, new Excess(attrs, foreignMemberships(c, role), ownedObjects(c, role)));
  }

  /** Roles the login role is a member of (through any chain) that the apply role is not a member of. */
  private static List<String> foreignMemberships(Connection c, String role) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("with recursive m(oid) as ("
        + " select am.roleid from pg_catalog.pg_auth_members am join pg_catalog.pg_roles l on l.oid = am.member"
        + " where l.rolname = session_user"
        + " union select am.roleid from pg_catalog.pg_auth_members am join m on am.member = m.oid)"
        + " select r.rolname from m join pg_catalog.pg_roles r on r.oid = m.oid"
        + " where r.rolname <> ? and not pg_catalog.pg_has_role(?, r.oid, 'MEMBER') order by 1")) {
      ps.setString(1, role);
      ps.setString(2, role);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /**
   * Objects the login role owns in this database or cluster-wide (databases, tablespaces), unless
   * the apply role is a member of the login role and so may act as their owner anyway.
   */
  private static int ownedObjects(Connection c, String role) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("select count(*) from pg_catalog.pg_shdepend d"
        + " join pg_catalog.pg_roles l on l.oid = d.refobjid and l.rolname = session_user"
        + " where d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass and d.deptype = 'o'"
        + " and d.dbid in (0, (select oid from pg_catalog.pg_database where datname = pg_catalog.current_database()))"
        + " and not pg_catalog.pg_has_role(?, l.oid, 'MEMBER')")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** SET ROLE, then proves current_user is the role. */
  public static void setRole(Connection c, String role) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("set role " + Sql.ident(role));
    }
    String now = currentUser(c);
    if (!now.equals(role)) {
      throw new SQLException("after SET ROLE, current_user is " + now + ", not " + role, "42501");
    }
  }

  /**
   * For a session authenticated as the role: drops a role a setting may have made current
   * ({@code ALTER ROLE … SET role}; RESET ROLE would return to that, SET ROLE NONE does not) and
   * proves session_user and current_user are the role.
   */
  public static void assertAuthenticatedAs(Connection c, String role) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("set role none");
    }
    String session = sessionUser(c);
    String current = currentUser(c);
    if (!session.equals(role) || !current.equals(role)) {
      throw new SQLException("expected session_user and current_user " + role + ", found " + session + " and " + current,
          "42501");
    }
  }

  public static String currentUser(Connection c) throws SQLException {
    return one(c, "select current_user");
  }

  public static String sessionUser(Connection c) throws SQLException {
    return one(c, "select session_user");
  }

  private static String one(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
