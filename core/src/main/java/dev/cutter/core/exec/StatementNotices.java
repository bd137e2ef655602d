package dev.cutter.core.exec;

import java.util.ArrayList;
import java.util.List;

/**
 * The notices an apply's statements raised: the first {@link #KEPT}, in arrival order, and how
 * many there were in all (a loop raising a notice per row must not fill the memory).
 */
public record StatementNotices(List<StatementNotice> first, int total) {

  /** How many notices are kept. */
  public static final int KEPT = 1000;

  public static final StatementNotices NONE = new StatementNotices(List.of(), 0);

  public StatementNotices {
    first = List.copyOf(first);
  }

  /** Collects while the engine runs. */
  static final class Log {
    private final List<StatementNotice> first = new ArrayList<>();
    private int total;

    void add(StatementNotice n) {
      if (first.size() < KEPT) {
        first.add(n);
      }
      total++;
    }

    StatementNotices result() {
      return new StatementNotices(first, total);
    }
  }
}
