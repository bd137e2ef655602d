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
   * (direct or inherited through other roles) in roles the apply role is not a member of, objects
   * it owns in this database or cluster-wide, and privileges granted to it by name (in this
   * database, or on shared objects) that the apply role does not hold — the last two unless the
   * apply role may act as the login role itself. {@code privileges} reads e.g.
   * {@code UPDATE on table billing.cards}.
   */
  public record Excess(Set<Attribute> attributes, List<String> memberships, int ownedObjects, List<String> privileges) {
    public static final Excess NONE = new Excess(Set.of(), List.of(), 0, List.of());

    public Excess {
      attributes = attributes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(attributes));
      memberships = List.copyOf(memberships);
      privileges = List.copyOf(privileges);
    }

    public boolean isEmpty() {
      return attributes.isEmpty() && memberships.isEmpty() && ownedObjects == 0 && privileges.isEmpty();
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
      if (!privileges.isEmpty()) {
        parts.add(privileges.size() <= 3 ? String.join(", ", privileges)
            : String.join(", ", privileges.subList(0, 3)) + " and " + (privileges.size() - 3) + " more privileges");
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
      return new Standing(login, role, true, member, new Excess(EnumSet.of(Attribute.SUPERUSER), List.of(), 0,
          List.of()));
    }
    return new Standing(login, role, true, member, new Excess(attrs, foreignMemberships(c, role), ownedObjects(c, role),
        grantedPrivileges(c, role)));
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

  /**
   * Each privilege granted to the login role by name that the apply role does not hold on the
   * same object (with the grant option when the login has it), as PostgreSQL's has_*_privilege
   * functions decide; empty when the apply role is a member of the login role.
   */
  private static List<String> grantedPrivileges(Connection c, String role) throws SQLException {
    boolean parameters;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select pg_catalog.current_setting('server_version_num')::int >= 150000")) {
      rs.next();
      parameters = rs.getBoolean(1);
    }
    String grant = "a.privilege_type || case when a.is_grantable then ' WITH GRANT OPTION' else '' end";
    String sql = "with r as (select ?::pg_catalog.name as name),"
        + " l as (select oid from pg_catalog.pg_roles where rolname = session_user"
        + "   and not pg_catalog.pg_has_role((select name from r), oid, 'MEMBER')),"
        + " g as ("
        + branch("'table ' || x.oid::pg_catalog.regclass::text", "pg_catalog.pg_class x", "x.relacl",
            "case when x.relkind = 'S' then pg_catalog.has_sequence_privilege(r.name, x.oid, " + grant + ")"
                + " else pg_catalog.has_table_privilege(r.name, x.oid, " + grant + ") end")
        + " union all "
        + branch("'column ' || x.attrelid::pg_catalog.regclass::text || '.' || pg_catalog.quote_ident(x.attname)",
            "pg_catalog.pg_attribute x", "x.attacl",
            "pg_catalog.has_column_privilege(r.name, x.attrelid, x.attnum, " + grant + ")")
        + " union all "
        + branch("'schema ' || pg_catalog.quote_ident(x.nspname)", "pg_catalog.pg_namespace x", "x.nspacl",
            "pg_catalog.has_schema_privilege(r.name, x.oid, " + grant + ")")
        + " union all "
        + branch("'function ' || x.oid::pg_catalog.regprocedure::text", "pg_catalog.pg_proc x", "x.proacl",
            "pg_catalog.has_function_privilege(r.name, x.oid, " + grant + ")")
        + " union all "
        // this database only, and not CONNECT: the session is connected already
        + branch("'database ' || pg_catalog.quote_ident(x.datname)", "(select * from pg_catalog.pg_database"
            + " where datname = pg_catalog.current_database()) x", "x.datacl",
            "a.privilege_type = 'CONNECT' or pg_catalog.has_database_privilege(r.name, x.oid, " + grant + ")")
        + " union all "
        + branch("'type ' || x.oid::pg_catalog.regtype::text", "pg_catalog.pg_type x", "x.typacl",
            "pg_catalog.has_type_privilege(r.name, x.oid, " + grant + ")")
        + " union all "
        + branch("'language ' || pg_catalog.quote_ident(x.lanname)", "pg_catalog.pg_language x", "x.lanacl",
            "pg_catalog.has_language_privilege(r.name, x.oid, " + grant + ")")
        + " union all "
        + branch("'foreign data wrapper ' || pg_catalog.quote_ident(x.fdwname)", "pg_catalog.pg_foreign_data_wrapper x",
            "x.fdwacl", "pg_catalog.has_foreign_data_wrapper_privilege(r.name, x.oid, " + grant + ")")
        + " union all "
        + branch("'server ' || pg_catalog.quote_ident(x.srvname)", "pg_catalog.pg_foreign_server x", "x.srvacl",
            "pg_catalog.has_server_privilege(r.name, x.oid, " + grant + ")")
        + " union all "
        + branch("'tablespace ' || pg_catalog.quote_ident(x.spcname)", "pg_catalog.pg_tablespace x", "x.spcacl",
            "pg_catalog.has_tablespace_privilege(r.name, x.oid, " + grant + ")")
        + (parameters ? " union all " + branch("'parameter ' || x.parname", "pg_catalog.pg_parameter_acl x", "x.paracl",
            "pg_catalog.has_parameter_privilege(r.name, x.parname, " + grant + ")") : "")
        + ") select priv || ' on ' || what from g where not held order by what, priv";
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /** One catalog's ACL entries naming the login role, with whether the apply role holds each. */
  private static String branch(String what, String catalog, String acl, String held) {
    return "select " + what + " as what, a.privilege_type"
        + " || case when a.is_grantable then ' WITH GRANT OPTION' else '' end as priv, " + held + " as held"
        + " from " + catalog + " cross join lateral pg_catalog.aclexplode(" + acl + ") a, l, r"
        + " where a.grantee = l.oid";
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
