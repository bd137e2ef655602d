package dev.cutter.report;

import dev.cutter.core.Background;
import dev.cutter.core.exec.StatementTiming;
import dev.cutter.core.exec.StatementTimings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/**
 * A report's statement rows made ready on a thread of their own as soon as the apply's statements
 * have ended (their times are known), while the run still verifies, finishes its journal row and
 * decides its verdict: each row's text masked as the report's scan masks it, what the scan found in
 * them, and the rows' YAML and the committed statements' YAML as {@link BlockYaml} writes them.
 * The report takes them only for the same rows, the same committed statements, a scanner that
 * masks as the one used here and the same {@code show_values}; else, or when the work failed, it
 * does the same work itself. Nothing here is written anywhere or connects.
 */
public final class RowsAhead {

  /** The thread's name. */
  public static final String THREAD = "cutter-report-rows";
  /** Fewer rows than this are left to the report itself: a thread would cost more than it spares. */
  public static final int MIN_ROWS = 500;

  /** The rows made ready: the rows with their texts masked, what their scan found, and their YAML (null: not written here). */
  record Rows(SecretScanner scanner, List<StatementTiming> masked, SecretFindings found, String block,
      String committedBlock) {}

  private final List<StatementTiming> ran;
  private final List<Integer> committed;
  private final boolean showValues;
  private final FutureTask<Rows> task;
  private volatile boolean taken;

  private RowsAhead(List<StatementTiming> ran, List<Integer> committed, boolean showValues, FutureTask<Rows> task) {
    this.ran = ran;
    this.committed = committed;
    this.showValues = showValues;
    this.task = task;
  }

  /**
   * Starts making ready the rows of {@code timings} and the numbers of {@code committed} (null:
   * none), masked by the scanner {@code scanner} gives on that thread and with row values masked
   * unless {@code showValues}.
   */
  public static RowsAhead start(StatementTimings timings, List<Integer> committed, Supplier<SecretScanner> scanner,
      boolean showValues) {
    List<StatementTiming> ran = timings.ran();
    List<Integer> numbers = committed == null || !allNumbers(committed) ? null : List.copyOf(committed);
    return new RowsAhead(ran, numbers, showValues, Background.start(THREAD, new Work(ran, numbers, scanner, showValues)));
  }

  /** The thread's work (a class of its own, so that the class-data archive holds it). */
  private record Work(List<StatementTiming> ran, List<Integer> committed, Supplier<SecretScanner> scanner,
      boolean showValues) implements Callable<Rows> {
    @Override
    public Rows call() {
      return rows(ran, committed, scanner.get(), showValues);
    }
  }

  private static boolean allNumbers(List<Integer> committed) {
    for (Integer i : committed) {
      if (i == null) {
        return false;
      }
    }
    return true;
  }

  /** The same work, on the caller's thread (the tests hold it against the report's own). */
  static Rows rows(List<StatementTiming> ran, List<Integer> committed, SecretScanner scanner, boolean showValues) {
    SecretFindings found = new SecretFindings();
    Map<String, String> masked = new HashMap<>();
    Map<String, SecretFindings> foundIn = new HashMap<>();
    List<StatementTiming> out = new ArrayList<>(ran.size());
    for (StatementTiming s : ran) {
      String text = s.text();
      if (text == null) {
        out.add(s);
        continue;
      }
      // as the report's scan takes a row's text, each distinct text once
      String m = masked.get(text);
      if (m == null) {
        SecretFindings f = new SecretFindings();
        m = ScannedReport.maskedText(scanner, text, showValues, f);
        masked.put(text, m);
        foundIn.put(text, f);
      }
      found.addAll(foundIn.get(text));
      out.add(new StatementTiming(s.index(), s.line(), m, s.durationMs()));
    }
    String block = BlockYaml.rowsBlock(out, ReportCodec.mapper());
    String committedBlock = committed == null || committed.isEmpty() ? null : BlockYaml.committedBlock(committed);
    return new Rows(scanner, List.copyOf(out), found, block, committedBlock);
  }

  /**
   * The rows made ready, when they were made for {@code ran} and {@code showValues} and with a
   * scanner that masks as {@code scanner}; null otherwise, or when the work failed. Waits for
   * the work to end.
   */
  Rows rowsFor(List<StatementTiming> ran, SecretScanner scanner, boolean showValues) {
    if (showValues != this.showValues || !same(ran, this.ran)) {
      return null;
    }
    Rows rows;
    try {
      rows = Background.await(task, RuntimeException.class);
    } catch (RuntimeException | LinkageError e) {
      return null; // the report does the same work itself, and meets whatever failed here
    }
    if (!scanner.masksAs(rows.scanner())) {
      return null;
    }
    taken = true;
    return rows;
  }

  /**
   * Whether {@code a} and {@code b} hold the same rows, field by field (a record's own
   * {@code equals} would link its method handles on the run's main thread, for this one use).
   */
  static boolean same(List<StatementTiming> a, List<StatementTiming> b) {
    if (a == b) {
      return true;
    }
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      StatementTiming x = a.get(i);
      StatementTiming y = b.get(i);
      if (x.index() != y.index() || x.line() != y.line() || x.durationMs() != y.durationMs()
          || !java.util.Objects.equals(x.text(), y.text())) {
        return false;
      }
    }
    return true;
  }

  /** Whether a report took the rows made here (tests). */
  public boolean taken() {
    return taken;
  }

  /** The committed statements' YAML of {@code rows} (made here), when it was made for {@code committed}; else null. */
  String committedBlockFor(Rows rows, List<Integer> committed) {
    return rows != null && rows.committedBlock() != null && committed.equals(this.committed) ? rows.committedBlock()
        : null;
  }
}
