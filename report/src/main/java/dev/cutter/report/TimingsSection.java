package dev.cutter.report;

import static dev.cutter.report.Doc.code;

import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.RunReport;
import dev.cutter.report.Doc.Block;
import dev.cutter.report.Doc.Heading;
import dev.cutter.report.Doc.Line;
import dev.cutter.report.Doc.Paragraph;
import dev.cutter.report.Doc.TableBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The reviewer's "Timings" section: each gate's duration, how long the apply's transaction held
 * its locks, and the slowest statements. Absent from a report that carries no times.
 */
final class TimingsSection {

  /** How many of the slowest statements the section lists. */
  static final int SLOWEST = 5;

  private TimingsSection() {}

  static List<Block> blocks(RunReport r) {
    boolean timed = r.gates().stream().anyMatch(g -> g.durationMs() != null);
    StatementTimings st = r.statements();
    if (!timed && st == null) {
      return List.of();
    }
    List<Block> out = new ArrayList<>();
    out.add(new Heading(2, "Timings"));
    if (timed) {
      TableBuilder gates = new TableBuilder("gate", "status", "duration");
      for (GateResult g : r.gates()) {
        gates.row(Line.plain(g.id()), Line.plain(g.status().name()), Line.plain(ms(g.durationMs())));
      }
      out.add(gates.build());
    }
    if (st != null) {
      long total = st.ran().stream().mapToLong(StatementTiming::durationMs).sum();
      String locks = locksHeld(st);
      out.add(new Paragraph(Line.plain(st.ran().size() + (st.ran().size() == 1 ? " statement" : " statements")
          + " ran in " + total + " ms" + (locks == null ? "." : "; " + locks + "."))));
      if (!st.ran().isEmpty()) {
        TableBuilder slow = new TableBuilder("#", "line", "statement", "duration");
        for (StatementTiming s : st.slowest(SLOWEST)) {
          slow.row(Line.plain(String.valueOf(s.index())), Line.plain(String.valueOf(s.line())),
              Line.of(code(s.text() == null ? "" : s.text())), Line.plain(s.durationMs() + " ms"));
        }
        out.add(new Paragraph(Line.plain("Slowest statements:")));
        out.add(slow.build());
      }
    }
    return out;
  }

  /** E.g. {@code the transaction held its locks for 412 ms (BEGIN to COMMIT or ROLLBACK)}; null without a transaction. */
  static String locksHeld(StatementTimings st) {
    return st.locksHeldMs() == null ? null : "the transaction held its locks on pre-existing relations for "
        + st.locksHeldMs() + " ms (from BEGIN, where they are taken, to the end of COMMIT or ROLLBACK)";
  }

  static String ms(Long ms) {
    return ms == null ? "—" : ms + " ms";
  }
}
