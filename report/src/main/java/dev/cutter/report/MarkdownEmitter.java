package dev.cutter.report;

import dev.cutter.core.text.YamlText;
import dev.cutter.report.Doc.Block;
import dev.cutter.report.Doc.Bullets;
import dev.cutter.report.Doc.Callout;
import dev.cutter.report.Doc.Code;
import dev.cutter.report.Doc.Heading;
import dev.cutter.report.Doc.Line;
import dev.cutter.report.Doc.Paragraph;
import dev.cutter.report.Doc.Span;
import dev.cutter.report.Doc.Table;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a {@link Doc} as GitHub-flavoured Markdown: text escaped so that nothing from a report
 * turns into markup, {@code |} escaped in table cells, code spans and fences long enough for any
 * backticks inside them.
 */
final class MarkdownEmitter {

  private static final Pattern BACKTICKS = Pattern.compile("`+");
  private static final Pattern ENTITY = Pattern.compile("&(?=#?[A-Za-z0-9]+;)");
  private static final Pattern MARKER_START = Pattern.compile("(?m)^(\\s*)([#+=-])");
  private static final Pattern NUMBER_START = Pattern.compile("(?m)^(\\s*\\d+)([.)])");

  private MarkdownEmitter() {}

  static String emit(List<Block> blocks) {
    StringBuilder out = new StringBuilder();
    for (Block block : blocks) {
      if (!out.isEmpty()) {
        out.append('\n');
      }
      if (block instanceof Heading h) {
        out.append("#".repeat(h.level())).append(' ').append(text(h.text(), false)).append('\n');
      } else if (block instanceof Paragraph p) {
        out.append(line(p.line(), false)).append('\n');
      } else if (block instanceof Callout c) {
        callout(out, c);
      } else if (block instanceof Table t) {
        table(out, t);
      } else if (block instanceof Code c) {
        code(out, c);
      } else if (block instanceof Bullets b) {
        b.items().forEach(i -> out.append("- ").append(line(i, false)).append('\n'));
      }
    }
    return out.toString();
  }

  private static void callout(StringBuilder out, Callout c) {
    out.append("> [!").append(c.kind()).append("]\n");
    for (int i = 0; i < c.paragraphs().size(); i++) {
      if (i > 0) {
        out.append(">\n");
      }
      out.append("> ").append(line(c.paragraphs().get(i), false)).append('\n');
    }
  }

  private static void table(StringBuilder out, Table t) {
    out.append('|');
    t.header().forEach(h -> out.append(' ').append(text(h, true)).append(" |"));
    out.append("\n|");
    t.header().forEach(h -> out.append("---|"));
    out.append('\n');
    for (List<Line> row : t.rows()) {
      out.append('|');
      for (Line cell : row) {
        String s = line(cell, true);
        out.append(s.isEmpty() ? " " : " " + s + " ").append('|');
      }
      out.append('\n');
    }
  }

  private static void code(StringBuilder out, Code c) {
    if (c.caption() != null) {
      out.append(text(c.caption(), false)).append("\n\n");
    }
    String fence = "`".repeat(Math.max(3, longestBacktickRun(c.text()) + 1));
    out.append(fence).append("text\n").append(YamlText.visibleKeepingBreaks(c.text().stripTrailing())).append('\n').append(fence).append('\n');
  }

  static String line(Line line, boolean inTable) {
    StringBuilder out = new StringBuilder();
    for (Span span : line.spans()) {
      switch (span.style()) {
        case PLAIN -> out.append(text(span.text(), inTable));
        case BOLD -> out.append(span.text().isEmpty() ? "" : "**" + text(span.text(), inTable) + "**");
        case CODE -> out.append(codeSpan(span.text(), inTable));
      }
    }
    String s = out.toString();
    return inTable ? s : escapeLineStarts(s);
  }

  /**
   * Escapes Markdown punctuation; in a table also {@code |}, and line breaks become {@code <br>}; a
   * character that hides or reorders text (a bidi control, a line separator) is shown as its escape.
   */
  static String text(String raw, boolean inTable) {
    String s = YamlText.visibleKeepingBreaks(raw);
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\', '`', '*', '[', ']', '<', '>', '~', '|' -> out.append('\\').append(c);
        case '_' -> out.append(isIntraword(s, i) ? "_" : "\\_");
        case '\r' -> { }
        case '\n' -> out.append(inTable ? "<br>" : "  \n");
        default -> out.append(c);
      }
    }
    return ENTITY.matcher(out).replaceAll("&amp;");
  }

  private static String codeSpan(String s, boolean inTable) {
    if (s.isEmpty()) {
      return "";
    }
    String content = YamlText.visibleKeepingBreaks(s).replace("\r", "").replace('\n', ' ');
    if (inTable) {
      content = content.replace("|", "\\|");
    }
    String ticks = "`".repeat(longestBacktickRun(content) + 1);
    boolean pad = content.startsWith("`") || content.endsWith("`");
    return ticks + (pad ? " " : "") + content + (pad ? " " : "") + ticks;
  }

  /** Text at the start of a line that would become a heading, list or setext underline is escaped. */
  private static String escapeLineStarts(String s) {
    String out = MARKER_START.matcher(s).replaceAll("$1\\\\$2");
    return NUMBER_START.matcher(out).replaceAll("$1\\\\$2");
  }

  private static boolean isIntraword(String s, int i) {
    return i > 0 && i < s.length() - 1 && Character.isLetterOrDigit(s.charAt(i - 1))
        && Character.isLetterOrDigit(s.charAt(i + 1));
  }

  static int longestBacktickRun(String s) {
    int longest = 0;
    Matcher m = BACKTICKS.matcher(s);
    while (m.find()) {
      longest = Math.max(longest, m.group().length());
    }
    return longest;
  }
}
