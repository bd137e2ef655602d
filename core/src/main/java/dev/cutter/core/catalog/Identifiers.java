package dev.cutter.core.catalog;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * PostgreSQL identifier rules on the client side: quoting exactly as {@code quote_ident()} does,
 * and the server's truncation of names to 63 bytes. Package identifiers normally travel as bind
 * parameters; quoting is for the few places SQL syntax needs an identifier (e.g. {@code SET ROLE})
 * and for showing names in messages.
 */
public final class Identifiers {

  /** NAMEDATALEN - 1: the longest name the server keeps, in bytes. */
  public static final int MAX_BYTES = 63;

  /** Reserved key words (SQL key word table, category "reserved"/"reserved (can be function or type)"). */
  private static final Set<String> RESERVED = Set.of(
      "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization",
      "binary", "both", "case", "cast", "check", "collate", "collation", "column", "concurrently",
      "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
      "current_schema", "current_time", "current_timestamp", "current_user", "default", "deferrable",
      "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze",
      "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
      "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
      "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order",
      "outer", "overlaps", "placing", "primary", "references", "returning", "right", "select",
      "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample", "then",
      "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
      "where", "window", "with",
      // column-name key words quote_ident() also quotes
      "between", "bigint", "bit", "boolean", "char", "character", "coalesce", "dec", "decimal",
      "exists", "extract", "float", "greatest", "grouping", "inout", "int", "integer", "interval",
      "json", "json_array", "json_arrayagg", "json_exists", "json_object", "json_objectagg",
      "json_query", "json_scalar", "json_serialize", "json_table", "json_value", "least",
      "merge_action", "national", "nchar", "none", "normalize", "nullif", "numeric", "out",
      "overlay", "position", "precision", "real", "row", "setof", "smallint", "substring", "time",
      "timestamp", "treat", "trim", "values", "varchar", "xmlattributes", "xmlconcat",
      "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot",
      "xmlserialize", "xmltable");

  private Identifiers() {}

  /**
   * Quotes {@code name} when {@code quote_ident()} would: anything but lower-case letters, digits
   * and underscores (not leading with a digit), or a key word. Embedded quotes are doubled.
   */
  public static String quote(String name) {
    return needsQuotes(name) ? '"' + name.replace("\"", "\"\"") + '"' : name;
  }

  /** Always quoted: the safe form for SQL text whatever the name is. */
  public static String quoteAlways(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code schema.name}, each part quoted when needed (for messages and expected/actual text). */
  public static String qualified(String schema, String name) {
    return schema == null ? quote(name) : quote(schema) + "." + quote(name);
  }

  private static boolean needsQuotes(String name) {
    if (name.isEmpty()) {
      return true;
    }
    char first = name.charAt(0);
    if (!(first >= 'a' && first <= 'z') && first != '_') {
      return true;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
        return true;
      }
    }
    return RESERVED.contains(name);
  }

  /**
   * What the server keeps of {@code name}: at most 63 bytes of UTF-8, cut on a character
   * boundary (as {@code truncate_identifier} does with {@code pg_mbcliplen}).
   */
  public static String truncate(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_BYTES) {
      return name;
    }
    int used = 0;
    int end = 0;
    while (end < name.length()) {
      int cp = name.codePointAt(end);
      int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (used + len > MAX_BYTES) {
        break;
      }
      used += len;
      end += Character.charCount(cp);
    }
    return name.substring(0, end);
  }

  /** An unquoted identifier as the server folds it: ASCII letters to lower case only. */
  public static String fold(String unquoted) {
    StringBuilder b = new StringBuilder(unquoted.length());
    for (int i = 0; i < unquoted.length(); i++) {
      char c = unquoted.charAt(i);
      b.append(c >= 'A' && c <= 'Z' ? Character.toLowerCase(c) : c);
    }
    return b.toString();
  }
}
