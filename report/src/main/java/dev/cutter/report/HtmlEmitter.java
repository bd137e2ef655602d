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
import java.util.Locale;

/** Writes a {@link Doc} as one self-contained HTML page: inline style, no scripts, everything escaped. */
final class HtmlEmitter {

  private static final String STYLE = String.join("\n",
      "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
          + "color:#1f2328;line-height:1.5}",
      "table{border-collapse:collapse;margin:0 0 1rem}",
      "th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}",
      "th{background:#f6f8fa}",
      "code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}",
      "pre{background:#f6f8fa;padding:.8rem;overflow:auto;white-space:pre-wrap}",
      ".callout{border-left:.3rem solid;padding:.2rem 1rem;margin:0 0 1rem}",
      ".callout.tip{border-color:#1a7f37}.callout.note{border-color:#0969da}",
      ".callout.warning{border-color:#9a6700}.callout.caution,.callout.important{border-color:#cf222e}");

  private HtmlEmitter() {}

  static String emit(String title, List<Block> blocks) {
    return emit(title, blocks, "");
  }

  /** As {@link #emit(String, List)}, with {@code figure} (trusted markup, e.g. the timeline) right after the verdict banner. */
  static String emit(String title, List<Block> blocks, String figure) {
    boolean figured = figure.isEmpty();
    StringBuilder out = new StringBuilder();
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(escape(title)).append("</title>\n")
        .append("<style>\n").append(STYLE).append("\n</style>\n</head>\n<body>\n");
    for (Block block : blocks) {
      if (block instanceof Heading h) {
        out.append("<h").append(h.level()).append('>').append(escape(h.text())).append("</h").append(h.level()).append(">\n");
      } else if (block instanceof Paragraph p) {
        out.append("<p>").append(line(p.line())).append("</p>\n");
      } else if (block instanceof Callout c) {
        out.append("<div class=\"callout ").append(c.kind().toLowerCase(Locale.ROOT)).append("\">\n");
        c.paragraphs().forEach(p -> out.append("<p>").append(line(p)).append("</p>\n"));
        out.append("</div>\n");
        if (!figured) {
          out.append(figure);
          figured = true;
        }
      } else if (block instanceof Table t) {
        table(out, t);
      } else if (block instanceof Code c) {
        if (c.caption() != null) {
          out.append("<p>").append(escape(c.caption())).append("</p>\n");
        }
        out.append("<pre><code>").append(escape(c.text().stripTrailing())).append("</code></pre>\n");
      } else if (block instanceof Bullets b) {
        out.append("<ul>\n");
        b.items().forEach(i -> out.append("<li>").append(line(i)).append("</li>\n"));
        out.append("</ul>\n");
      }
    }
    return out.append("</body>\n</html>\n").toString();
  }

  private static void table(StringBuilder out, Table t) {
    out.append("<table>\n<thead><tr>");
    t.header().forEach(h -> out.append("<th>").append(escape(h)).append("</th>"));
    out.append("</tr></thead>\n<tbody>\n");
    for (List<Line> row : t.rows()) {
      out.append("<tr>");
      row.forEach(cell -> out.append("<td>").append(line(cell)).append("</td>"));
      out.append("</tr>\n");
    }
    out.append("</tbody>\n</table>\n");
  }

  private static String line(Line line) {
    StringBuilder out = new StringBuilder();
    for (Span span : line.spans()) {
      String text = escape(span.text());
      switch (span.style()) {
        case PLAIN -> out.append(text.replace("\n", "<br>"));
        case BOLD -> out.append("<strong>").append(text.replace("\n", "<br>")).append("</strong>");
        case CODE -> out.append("<code>").append(text).append("</code>");
      }
    }
    return out.toString();
  }

  /** HTML text of {@code raw}; a character that hides or reorders text (a bidi control, a line separator) shown as its escape. */
  static String escape(String raw) {
    String s = YamlText.visibleKeepingBreaks(raw);
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        case '\r' -> { }
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
