package dev.cutter.core.run;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Times the gates of one run on the monotonic clock: a gate's duration runs from the last
 * {@link #start()} (or the previous stamp) to the moment its result is stamped.
 */
public final class GateClock {

  private long mark = System.nanoTime();

  /** The next gate starts now. */
  public void start() {
    mark = System.nanoTime();
  }

  /**
   * {@code gate} with the time since the mark, which moves to now; a gate that already carries a
   * duration (timed inside its step) keeps it.
   */
  public GateResult stamp(GateResult gate) {
    long now = System.nanoTime();
    long elapsed = now - mark;
    mark = now;
    return gate.durationMs() != null || gate.status() == GateStatus.NOT_RUN ? gate : gate.withDuration(millis(elapsed));
  }

  /** Whole milliseconds of a nanosecond span, rounded to the nearest. */
  public static long millis(long nanos) {
    return Math.max(0, (nanos + 500_000) / 1_000_000);
  }

  /** A list of gates that times each gate as it is added, starting with {@code first} (already timed in their step). */
  public static List<GateResult> timedList(Collection<GateResult> first) {
    TimedList list = new TimedList();
    list.addAll(first);
    return list;
  }

  /** Stamps every gate added with the time since the previous one. */
  private static final class TimedList extends ArrayList<GateResult> {
    private static final long serialVersionUID = 1L;

    private final transient GateClock clock = new GateClock();

    @Override
    public boolean add(GateResult g) {
      return super.add(clock.stamp(g));
    }

    @Override
    public boolean addAll(Collection<? extends GateResult> gates) {
      gates.forEach(this::add);
      return !gates.isEmpty();
    }
  }
}
