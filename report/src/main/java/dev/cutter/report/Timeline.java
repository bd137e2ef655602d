package dev.cutter.report;

import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import java.util.List;
import java.util.Locale;

/**
 * The HTML report's gate timeline, as inline SVG: one row per gate, the bar's width its
 * duration on one scale, its colour the gate's status, a label with the gate's name and
 * duration. The bar of the gate that ran the artifact carries a striped segment as long as the
 * transaction held its locks. Plain SVG: no script, no external reference, no font to fetch.
 */
final class Timeline {

  static final int WIDTH = 760;
  private static final int NAME_WIDTH = 190;
  private static final int BAR_WIDTH = 380;
  private static final int ROW = 26;
  private static final int BAR = 16;
  private static final int TOP = 34;

  private Timeline() {}

  /** The figure, or {@code ""} when no gate of the report was timed. */
  static String svg(RunReport r) {
    List<GateResult> gates = r.gates();
    if (gates.stream().noneMatch(g -> g.durationMs() != null)) {
      return "";
    }
    long max = Math.max(1, gates.stream().filter(g -> g.durationMs() != null).mapToLong(GateResult::durationMs).max()
        .orElse(1));
    long total = gates.stream().filter(g -> g.durationMs() != null).mapToLong(GateResult::durationMs).sum();
    Long locks = r.statements() == null ? null : r.statements().locksHeldMs();
    String lockGate = r.mode() == RunMode.ROLLBACK ? GateIds.ROLLBACK : GateIds.APPLY;
    int height = TOP + gates.size() * ROW + 30;
    StringBuilder out = new StringBuilder();
    out.append("<figure class=\"timeline\" style=\"margin:0 0 1rem;overflow-x:auto\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"gate-timeline\" role=\"img\"")
        .append(" aria-labelledby=\"gate-timeline-title\" width=\"").append(WIDTH).append("\" height=\"").append(height)
        .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height).append("\" font-family=\"sans-serif\"")
        .append(" font-size=\"12\">\n");
    out.append("<title id=\"gate-timeline-title\">Gate timeline: ").append(gates.size()).append(" gates, ")
        .append(total).append(" ms in all</title>\n");
    out.append("<defs><pattern id=\"locks-held\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\"")
        .append(" patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"6\" fill=\"#000000\" fill-opacity=\"0.4\"/>")
        .append("</pattern></defs>\n");
    out.append("<text x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"bold\" fill=\"#1f2328\">Gate timeline (")
        .append(total).append(" ms)</text>\n");
    int y = TOP;
    for (GateResult g : gates) {
      out.append("<g class=\"gate\" data-gate=\"").append(HtmlEmitter.escape(g.id())).append("\" data-status=\"")
          .append(g.status().name()).append("\">");
      out.append("<text x=\"0\" y=\"").append(y + 12).append("\" fill=\"#1f2328\">").append(HtmlEmitter.escape(g.id()))
          .append("</text>");
      String label;
      if (g.durationMs() == null) {
        label = g.status() == GateStatus.NOT_RUN ? "not run" : g.status().name().toLowerCase(Locale.ROOT);
        out.append(text(NAME_WIDTH, y + 12, "#57606a", label));
      } else {
        int w = scaled(g.durationMs(), max);
        out.append("<rect x=\"").append(NAME_WIDTH).append("\" y=\"").append(y).append("\" width=\"").append(w)
            .append("\" height=\"").append(BAR).append("\" rx=\"2\" fill=\"").append(colour(g.status())).append("\"/>");
        label = g.durationMs() + " ms";
        if (locks != null && g.id().equals(lockGate) && g.status() != GateStatus.NOT_RUN) {
          int lw = Math.min(w, scaled(locks, max));
          out.append("<rect class=\"locks-held\" x=\"").append(NAME_WIDTH + w - lw).append("\" y=\"").append(y)
              .append("\" width=\"").append(lw).append("\" height=\"").append(BAR).append("\" fill=\"url(#locks-held)\"/>");
          label += ", locks held " + locks + " ms";
        }
        out.append(text(NAME_WIDTH + w + 6, y + 12, "#1f2328", label));
      }
      out.append("<title>").append(HtmlEmitter.escape(g.id() + ": " + g.status().name() + ", " + label)).append("</title>");
      out.append("</g>\n");
      y += ROW;
    }
    legend(out, y + 8);
    return out.append("</svg>\n</figure>\n").toString();
  }

  private static void legend(StringBuilder out, int y) {
    int x = 0;
    for (GateStatus s : GateStatus.values()) {
      if (s == GateStatus.NOT_RUN) {
        continue;
      }
      out.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"12\" height=\"12\" fill=\"")
          .append(colour(s)).append("\"/>").append(text(x + 16, y + 10, "#1f2328", s.name()));
      x += 90;
    }
    out.append("<rect x=\"").append(x).append("\" y=\"").append(y).append("\" width=\"12\" height=\"12\" fill=\"")
        .append(colour(GateStatus.PASS)).append("\"/><rect x=\"").append(x).append("\" y=\"").append(y)
        .append("\" width=\"12\" height=\"12\" fill=\"url(#locks-held)\"/>")
        .append(text(x + 16, y + 10, "#1f2328", "locks held (BEGIN to COMMIT or ROLLBACK)")).append('\n');
  }

  private static String text(int x, int y, String fill, String s) {
    return "<text x=\"" + x + "\" y=\"" + y + "\" fill=\"" + fill + "\">" + HtmlEmitter.escape(s) + "</text>";
  }

  /** A duration's bar width on the scale where {@code max} fills the bar area; at least 2 px, so a 0 ms gate shows. */
  static int scaled(long ms, long max) {
    return (int) Math.max(2, Math.round((double) ms / max * BAR_WIDTH));
  }

  static String colour(GateStatus s) {
    return switch (s) {
      case PASS -> "#1a7f37";
      case FAIL -> "#cf222e";
      case SKIPPED -> "#8c959f";
      case NOT_RUN -> "#d0d7de";
    };
  }
}
