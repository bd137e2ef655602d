package dev.cutter.core.sql;

import dev.cutter.core.text.YamlText;
import java.util.List;

/**
 * The two listings of {@code cutter sql split}: a text form a reviewer reads and a JSON array
 * {@code [{index, start_line, end_line, kind, text}]}, where a {@code COPY … FROM STDIN} also has
 * {@code copy_in: {start_line, end_line, lines, bytes, end_marker}}: the range of its inline data,
 * never the data itself (row values). Kept next to the splitter so golden files pin both.
 */
public final class SqlListing {

  private SqlListing() {}

  /** One header line per statement ({@code -- #3 lines 7-9 SQL}), then its text, then a blank line. */
  public static String text(List<SqlStatement> statements) {
    StringBuilder b = new StringBuilder();
    for (SqlStatement s : statements) {
      b.append("-- #").append(s.index()).append(" line");
      if (s.startLine() == s.endLine()) {
        b.append(' ').append(s.startLine());
      } else {
        b.append("s ").append(s.startLine()).append('-').append(s.endLine());
      }
      b.append(' ').append(s.kind().name());
      CopyData d = s.copyData();
      if (d != null) {
        b.append(", data ").append(d.lines() == 0 ? "none" : d.lines() == 1 ? "line " + d.startLine()
            : "lines " + d.startLine() + "-" + d.endLine()).append(" (").append(d.bytes().length).append(" bytes")
            .append(d.endMarker() ? "" : ", no \\. line").append(')');
      }
      b.append('\n').append(s.text()).append("\n\n");
    }
    return b.toString();
  }

  /** A JSON array, one object per line. */
  public static String json(List<SqlStatement> statements) {
    StringBuilder b = new StringBuilder(statements.size() * 96 + 4).append('[');
    for (int i = 0; i < statements.size(); i++) {
      SqlStatement s = statements.get(i);
      b.append(i == 0 ? "\n  " : ",\n  ")
          .append("{\"index\": ").append(s.index())
          .append(", \"start_line\": ").append(s.startLine())
          .append(", \"end_line\": ").append(s.endLine())
          .append(", \"kind\": \"").append(s.kind().name())
          .append("\", \"text\": ");
      appendJsonString(b, s.text());
      CopyData d = s.copyData();
      if (d != null) {
        b.append(", \"copy_in\": {\"start_line\": ").append(d.startLine())
            .append(", \"end_line\": ").append(d.endLine())
            .append(", \"lines\": ").append(d.lines())
            .append(", \"bytes\": ").append(d.bytes().length)
            .append(", \"end_marker\": ").append(d.endMarker()).append('}');
      }
      b.append('}');
    }
    return b.append(statements.isEmpty() ? "]\n" : "\n]\n").toString();
  }

  /**
   * Appends {@code v} as a JSON string literal (RFC 8259: quote, backslash and controls escaped), every
   * character that hides or reorders text (a bidi control, a zero-width or format character, a line
   * separator, both halves of a character beyond U+FFFF such as the tag characters) as {@code \\uXXXX}:
   * the listing shows what is sent and reads back the same.
   */
  static void appendJsonString(StringBuilder b, String v) {
    b.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20 || YamlText.hidden(c)) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
