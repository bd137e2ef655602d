package dev.cutter.core.lock;

import java.util.Optional;

/**
 * PostgreSQL's table-level lock modes, weakest first (the order of the server's own numbering,
 * which is also the strength order this project uses), each under the name {@code pg_locks.mode}
 * shows, with the conflict table of the PostgreSQL documentation ("Table-Level Locks").
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

  /** Bit i set: conflicts with the mode of ordinal i (the server's LockConflicts, shifted by one). */
  private static final int[] CONFLICTS = {
      0b10000000, // ACCESS_SHARE: ACCESS_EXCLUSIVE
      0b11000000, // ROW_SHARE: EXCLUSIVE, ACCESS_EXCLUSIVE
      0b11110000, // ROW_EXCLUSIVE: SHARE and stronger
      0b11111000, // SHARE_UPDATE_EXCLUSIVE: itself and stronger
      0b11101100, // SHARE: ROW_EXCLUSIVE, SHARE_UPDATE_EXCLUSIVE, SHARE_ROW_EXCLUSIVE and stronger
      0b11111100, // SHARE_ROW_EXCLUSIVE: ROW_EXCLUSIVE and stronger
      0b11111110, // EXCLUSIVE: ROW_SHARE and stronger
      0b11111111, // ACCESS_EXCLUSIVE: every mode
  };

  private final String pgName;

  LockMode(String pgName) {
    this.pgName = pgName;
  }

  /** The name in {@code pg_locks.mode}, e.g. {@code AccessExclusiveLock}. */
  public String pgName() {
    return pgName;
  }

  /** The mode as {@code LOCK TABLE … IN … MODE} spells it, e.g. {@code ACCESS EXCLUSIVE}. */
  public String sqlName() {
    return name().replace('_', ' ');
  }

  /** The mode {@code pg_locks.mode} names, if it is a table-level mode. */
  public static Optional<LockMode> ofPgName(String name) {
    for (LockMode m : values()) {
      if (m.pgName.equals(name)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** Whether a session holding this mode makes another session's request for {@code other} wait. */
  public boolean conflictsWith(LockMode other) {
    return (CONFLICTS[ordinal()] & (1 << other.ordinal())) != 0;
  }

  public boolean isStrongerThan(LockMode other) {
    return ordinal() > other.ordinal();
  }

  /**
   * What other sessions must wait for while this mode is held, in an operator's words: plain
   * SELECTs (and everything else), writes (INSERT, UPDATE, DELETE), or only DDL and maintenance.
   */
  public String blocks() {
    if (conflictsWith(ACCESS_SHARE)) {
      return "reads and writes";
    }
    if (conflictsWith(ROW_EXCLUSIVE)) {
      return "writes";
    }
    return "DDL and maintenance";
  }

  /** As {@link #sqlName()}: the spelling {@code LOCK TABLE} takes. */
  public String sql() {
    return sqlName();
  }

  /** As {@link #ofPgName(String)}: empty for a lock that is not a table-level mode (e.g. SIReadLock). */
  public static Optional<LockMode> fromPgName(String name) {
    return ofPgName(name);
  }

  /** The mode {@code LOCK TABLE} spells {@code sql} (any case). */
  public static LockMode fromSql(String sql) {
    return valueOf(sql.trim().toUpperCase(java.util.Locale.ROOT).replace(' ', '_'));
  }

  /** The stronger of two modes (the later in the documentation's order); null counts as weakest. */
  public static LockMode stronger(LockMode a, LockMode b) {
    return a == null ? b : b == null ? a : a.compareTo(b) >= 0 ? a : b;
  }
}
