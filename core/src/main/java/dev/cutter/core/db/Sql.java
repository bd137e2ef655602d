package dev.cutter.core.db;

import java.nio.charset.StandardCharsets;

/** Quoting for the few places where an identifier cannot be a bind parameter (SET ROLE, GRANT). */
public final class Sql {

  private Sql() {}

  /**
   * Quotes an identifier as PostgreSQL's quote_ident does, always with double quotes. Refuses
   * what PostgreSQL would truncate or cannot hold, rather than change the name silently.
   */
  public static String ident(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("empty identifier");
    }
    if (name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("identifier contains a NUL byte");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > 63) {
      throw new IllegalArgumentException("identifier longer than 63 bytes: " + name);
    }
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** A string literal with standard_conforming_strings semantics, for settings that take no parameters. */
  public static String literal(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("string contains a NUL byte");
    }
    return "'" + value.replace("'", "''") + "'";
  }
}
