package dev.cutter.core.locks;

import java.util.Locale;
import java.util.Optional;

/**
 * PostgreSQL's eight table-level lock modes, weakest first, with the conflict table of the
 * PostgreSQL documentation ("Explicit Locking", table "Conflicting Lock Modes"). Two sessions
 * can hold modes on one relation at once only when they do not conflict.
 */
public enum LockMode {
  ACCESS_SHARE("AccessShareLock"),
  ROW_SHARE("RowShareLock"),
  ROW_EXCLUSIVE("RowExclusiveLock"),
  SHARE_UPDATE_EXCLUSIVE("ShareUpdateExclusiveLock"),
  SHARE("ShareLock"),
  SHARE_ROW_EXCLUSIVE("ShareRowExclusiveLock"),
  EXCLUSIVE("ExclusiveLock"),
  ACCESS_EXCLUSIVE("AccessExclusiveLock");

  /**
   * Row i: the modes mode i conflicts with, as bits by ordinal (the documentation's table,
   * read row by row). The table is symmetric.
   */
  private static final int[] CONFLICTS = {
      bits(ACCESS_EXCLUSIVE),
      bits(EXCLUSIVE, ACCESS_EXCLUSIVE),
      bits(SHARE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE, ACCESS_EXCLUSIVE),
      bits(SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE, ACCESS_EXCLUSIVE),
      bits(ROW_EXCLUSIVE, SHARE_UPDATE_EXCLUSIVE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE, ACCESS_EXCLUSIVE),
      bits(ROW_EXCLUSIVE, SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE, ACCESS_EXCLUSIVE),
      bits(ROW_SHARE, ROW_EXCLUSIVE, SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE, ACCESS_EXCLUSIVE),
      bits(ACCESS_SHARE, ROW_SHARE, ROW_EXCLUSIVE, SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, EXCLUSIVE,
          ACCESS_EXCLUSIVE)};

  private final String pgName;

  LockMode(String pgName) {
    this.pgName = pgName;
  }

  private static int bits(LockMode... modes) {
    int b = 0;
    for (LockMode m : modes) {
      b |= 1 << m.ordinal();
    }
    return b;
  }

  /** Whether a session holding {@code other} keeps a session asking for this mode waiting (and the reverse). */
  public boolean conflictsWith(LockMode other) {
    return (CONFLICTS[ordinal()] & (1 << other.ordinal())) != 0;
  }

  /** The name pg_locks.mode shows, e.g. {@code AccessExclusiveLock}. */
  public String pgName() {
    return pgName;
  }

  /** As {@code LOCK TABLE … IN <mode> MODE} spells it, e.g. {@code ACCESS EXCLUSIVE}. */
  public String sql() {
    return name().replace('_', ' ');
  }

  /** The mode pg_locks names {@code name} (a table-level mode); empty for another lock (e.g. SIReadLock). */
  public static Optional<LockMode> fromPgName(String name) {
    for (LockMode m : values()) {
      if (m.pgName.equals(name)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** The mode {@code LOCK TABLE} spells {@code sql} (any case). */
  public static LockMode fromSql(String sql) {
    return valueOf(sql.trim().toUpperCase(Locale.ROOT).replace(' ', '_'));
  }

  /** The stronger of two modes (the later in the documentation's order). */
  public static LockMode stronger(LockMode a, LockMode b) {
    return a == null ? b : b == null ? a : a.compareTo(b) >= 0 ? a : b;
  }
}
