package dev.cutter.core.check.derived;

import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.catalog.ObjectName;
import dev.cutter.core.lock.LockMode;
import java.util.Optional;

/**
 * One object a statement of the artifact touches and how, found by {@link DdlAnalyzer#touches}:
 * what the run locks at BEGIN, fingerprints between P1 and BEGIN, checks against the backup scope
 * and derives verify checks from. {@code mayCreateNothing} marks a CREATE that says {@code IF NOT
 * EXISTS} or {@code OR REPLACE}: of an object that exists it creates nothing and leaves that one in
 * place (any other CREATE of an existing name fails).
 */
public record Touch(ObjectKind kind, ObjectName object, Action action, int statement, int line, boolean mayCreateNothing) {

  /** A touch that is not a CREATE which may create nothing. */
  public Touch(ObjectKind kind, ObjectName object, Action action, int statement, int line) {
    this(kind, object, action, statement, line, false);
  }

  /** The same touch of {@code other}, another name for the same object. */
  public Touch named(ObjectName other) {
    return new Touch(kind, other, action, statement, line, mayCreateNothing);
  }

  /**
   * What the statement does to the object. The lock is the one PostgreSQL's own statement takes
   * on a pre-existing relation (none for CREATE: the object is new); {@code dropsData} marks
   * what a structural rollback cannot give back.
   */
  public enum Action {
    CREATE(null, false),
    ALTER(LockMode.ACCESS_EXCLUSIVE, false),
    DROP(LockMode.ACCESS_EXCLUSIVE, true),
    DROP_COLUMN(LockMode.ACCESS_EXCLUSIVE, true),
    TRUNCATE(LockMode.ACCESS_EXCLUSIVE, true),
    INDEX_ON(LockMode.SHARE, false),
    REFERENCE(LockMode.SHARE_ROW_EXCLUSIVE, false),
    TRIGGER_ON(LockMode.SHARE_ROW_EXCLUSIVE, false),
    INSERT(LockMode.ROW_EXCLUSIVE, false),
    UPDATE(LockMode.ROW_EXCLUSIVE, true),
    DELETE(LockMode.ROW_EXCLUSIVE, true);

    private final LockMode lock;
    private final boolean dropsData;

    Action(LockMode lock, boolean dropsData) {
      this.lock = lock;
      this.dropsData = dropsData;
    }

    public Optional<LockMode> lock() {
      return Optional.ofNullable(lock);
    }

    /** Rows or values the statement removes or overwrites: only the backup holds them afterwards. */
    public boolean dropsData() {
      return dropsData;
    }
  }

  /** Whether this touch destroys data a structural rollback cannot restore (a dropped view holds none). */
  public boolean dropsData() {
    if (action == Action.DROP) {
      return kind == ObjectKind.TABLE || kind == ObjectKind.MATERIALIZED_VIEW || kind == ObjectKind.SCHEMA
          || kind == ObjectKind.SEQUENCE;
    }
    return action.dropsData();
  }
}
