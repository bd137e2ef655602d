package dev.cutter.core.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The schemas unqualified names resolve through when the artifact runs as {@code apply_role}.
 * The setting is the one the apply session will have: the login session's own when the login
 * role is apply_role or SETs ROLE to it (SET ROLE keeps the session's settings), else
 * apply_role's per-role setting ({@code ALTER ROLE … SET search_path}, per database first), else
 * the database's, else the server's. {@code $user} becomes apply_role; schemas that do not exist
 * or on which apply_role lacks USAGE are left out, as the server does. Objects are created in
 * the first schema that remains.
 */
public record SearchPath(String setting, String source, List<String> schemas) {

  public SearchPath {
    schemas = List.copyOf(schemas);
  }

  /** Where CREATE of an unqualified name goes, if anywhere. */
  public Optional<String> creationSchema() {
    return schemas.stream().filter(s -> !s.equals("pg_catalog")).findFirst();
  }

  /** Schemas searched for an existing object: pg_catalog first unless the setting places it. */
  public List<String> lookupOrder() {
    List<String> out = new ArrayList<>();
    if (!schemas.contains("pg_catalog")) {
      out.add("pg_catalog");
    }
    out.addAll(schemas);
    return out;
  }

  /** How it was found, for a check's message: {@code search_path "$user", public (login session) → public}. */
  public String describe() {
    return "search_path " + setting + " (" + source + ") → " + (schemas.isEmpty() ? "no usable schema" : String.join(", ", schemas));
  }

  /**
   * Resolves the search_path of {@code applyRole} ({@code roleOid}); {@code viaSetRole} says
   * the apply session is the login session (same role or SET ROLE).
   */
  public static SearchPath resolve(Connection c, String applyRole, long roleOid, boolean viaSetRole) throws SQLException {
    String setting;
    String source;
    if (viaSetRole) {
      // reset_val, not current_setting: the check session SETs LOCAL its own search_path
      setting = scalar(c, "select reset_val from pg_catalog.pg_settings where name = 'search_path'", null);
      source = "the login session, which SETs ROLE";
    } else {
      Optional<String> perRole = roleSetting(c, roleOid);
      setting = perRole.orElseGet(() -> serverDefault(c));
      source = perRole.isPresent() ? "ALTER ROLE/DATABASE … SET" : "server default";
    }
    List<String> out = new ArrayList<>();
    for (String element : elements(setting)) {
      String name = element.equals("$user") ? applyRole : element;
      if (name.equals("pg_temp") || out.contains(name)) {
        continue;
      }
      try (PreparedStatement ps = c.prepareStatement("select pg_catalog.has_schema_privilege(?::oid, n.oid, 'USAGE')"
          + " from pg_catalog.pg_namespace n where n.nspname = ?::name")) {
        ps.setLong(1, roleOid);
        ps.setString(2, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getBoolean(1)) {
            out.add(Identifiers.truncate(name));
          }
        }
      }
    }
    return new SearchPath(setting, source, out);
  }

  /**
   * The search_path of {@code applyRole} when the run logs in as {@code loginRole} (SET ROLE when
   * the login is apply_role or a member of it); empty when apply_role does not exist.
   */
  public static Optional<SearchPath> forApplyRole(Connection c, String applyRole, String loginRole) throws SQLException {
    Optional<Long> role = CatalogObjects.roleOid(c, applyRole);
    if (role.isEmpty()) {
      return Optional.empty();
    }
    Optional<Long> login = CatalogObjects.roleOid(c, loginRole);
    boolean viaSetRole = loginRole.equals(applyRole) || (login.isPresent() && Privileges.isMember(c, login.get(), role.get()));
    return Optional.of(resolve(c, applyRole, role.get(), viaSetRole));
  }

  /** The setting that puts exactly {@link #schemas()} on the path, for {@code set_config('search_path', …)}. */
  public String asSetting() {
    return String.join(", ", schemas.stream().map(Identifiers::quote).toList());
  }

  /** apply_role's own setting: for this database first, then for every database, then the database's. */
  private static Optional<String> roleSetting(Connection c, long roleOid) throws SQLException {
    String sql = """
        select cfg from (
          select s.setrole, s.setdatabase, unnest(s.setconfig) as cfg
            from pg_catalog.pg_db_role_setting s
           where (s.setrole = ?::oid and s.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database())))
              or (s.setrole = 0 and s.setdatabase = (select oid from pg_catalog.pg_database where datname = current_database()))
        ) x
        where cfg like 'search\\_path=%'
        order by (setrole = 0), (setdatabase = 0)
        limit 1""";
    String cfg = scalar(c, sql, roleOid);
    return cfg == null ? Optional.empty() : Optional.of(cfg.substring("search_path=".length()));
  }

  private static String serverDefault(Connection c) {
    try {
      return scalar(c, "select case when source in ('user', 'database', 'database user', 'session', 'client')"
          + " then boot_val else reset_val end from pg_catalog.pg_settings where name = 'search_path'", null);
    } catch (SQLException e) {
      return "\"$user\", public";
    }
  }

  private static String scalar(Connection c, String sql, Long param) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (param != null) {
        ps.setLong(1, param);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /**
   * Splits a search_path value as the server does (its SplitIdentifierString): a name in double quotes ({@code ""}
   * inside is one quote), else one running to a comma or whitespace, folded to lower case, a double quote inside it
   * part of the name ({@code p"ub"lic} is one schema); whitespace is space, tab, newline, carriage return and form
   * feed only (another control character or an em space is part of the name). Empty names are left out. Of a value the
   * server refuses (where nothing runs under it), the unreadable rest is kept whole as one element.
   */
  public static List<String> elements(String setting) {
    List<String> out = new ArrayList<>();
    int i = skipSpace(setting, 0);
    int n = setting.length();
    while (i < n) {
      String name;
      if (setting.charAt(i) == '"') {
        StringBuilder cur = new StringBuilder();
        int j = i + 1;
        for (;;) {
          int end = setting.indexOf('"', j);
          if (end < 0) {
            return invalid(out, setting, i);
          }
          cur.append(setting, j, end);
          if (end + 1 < n && setting.charAt(end + 1) == '"') {
            cur.append('"');
            j = end + 2;
          } else {
            i = end + 1;
            break;
          }
        }
        name = cur.toString();
      } else {
        int start = i;
        while (i < n && setting.charAt(i) != ',' && !isSpace(setting.charAt(i))) {
          i++;
        }
        if (i == start) {
          return invalid(out, setting, start);
        }
        name = Identifiers.fold(setting.substring(start, i));
      }
      if (!name.isEmpty()) {
        out.add(name);
      }
      i = skipSpace(setting, i);
      if (i < n && setting.charAt(i) != ',') {
        return invalid(out, setting, i);
      }
      if (i < n) {
        i = skipSpace(setting, i + 1);
        if (i == n) {
          return invalid(out, setting, i);
        }
      }
    }
    return out;
  }

  /** The server's whitespace in a list of names (scanner_isspace). */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  }

  private static int skipSpace(String s, int i) {
    while (i < s.length() && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** A value the server refuses: the rest from {@code from}, whole, as one element. */
  private static List<String> invalid(List<String> out, String setting, int from) {
    out.add(setting.substring(from));
    return out;
  }
}
