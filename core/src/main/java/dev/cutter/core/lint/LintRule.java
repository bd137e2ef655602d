package dev.cutter.core.lint;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The lock-hazard rules. Each has a stable id (what a package's {@code lint.deny}/{@code allow}
 * and a trust policy's {@code lint.floor} name), a severity, why the statement is dangerous on a
 * busy database, the safe way, and the lock it takes as PostgreSQL names the mode in
 * {@code pg_locks} (null where the statement says which: {@link #LOCK_TABLE}, or where no lock is
 * predicted: the timeouts). docs/lock-safety.md describes every one.
 */
public enum LintRule {
  INDEX_NOT_CONCURRENT("index-not-concurrent", Severity.ERROR, "ShareLock",
      "CREATE INDEX without CONCURRENTLY blocks every INSERT, UPDATE and DELETE on the table while the whole index is"
          + " built, and in a transaction until COMMIT (ADD UNIQUE or PRIMARY KEY builds one under AccessExclusiveLock)",
      "build it with CREATE INDEX CONCURRENTLY in the package's online step (after the transactional part commits);"
          + " for a constraint, build the unique index so, then ADD CONSTRAINT … UNIQUE USING INDEX"),
  FOREIGN_KEY_NOT_VALID("foreign-key-not-valid", Severity.ERROR, "ShareRowExclusiveLock",
      "ADD FOREIGN KEY checks every existing row while it blocks writes to both tables",
      "add it with NOT VALID (new rows are checked at once), then ALTER TABLE … VALIDATE CONSTRAINT in the online step,"
          + " which takes only ShareUpdateExclusiveLock"),
  CHECK_NOT_VALID("check-not-valid", Severity.ERROR, "AccessExclusiveLock",
      "ADD CHECK scans every existing row while it blocks all reads and writes of the table",
      "add it with NOT VALID, then ALTER TABLE … VALIDATE CONSTRAINT in the online step"),
  SET_NOT_NULL_UNCHECKED("set-not-null-unchecked", Severity.ERROR, "AccessExclusiveLock",
      "SET NOT NULL scans the whole table under AccessExclusiveLock unless a validated CHECK (column IS NOT NULL)"
          + " already proves it",
      "add CHECK (column IS NOT NULL) NOT VALID, validate it in the online step, then SET NOT NULL in a later change"
          + " (it uses the check and does not scan) and drop the check"),
  TYPE_CHANGE_REWRITE("type-change-rewrite", Severity.ERROR, "AccessExclusiveLock",
      "this column type change rewrites the table and rebuilds its indexes while it blocks all reads and writes",
      "add a new column of the new type, backfill it in batches, switch the application over, then drop the old"
          + " column; changes that need no rewrite (varchar(n) to a larger n or text, numeric precision up) are fine"),
  ADD_COLUMN_VOLATILE_DEFAULT("add-column-volatile-default", Severity.ERROR, "AccessExclusiveLock",
      "a column added with a volatile default (random(), clock_timestamp(), gen_random_uuid(), nextval(), serial,"
          + " identity, a stored generated column) rewrites the whole table under AccessExclusiveLock",
      "add the column without a default (or with a constant or a stable one such as now()), set the default with"
          + " ALTER COLUMN … SET DEFAULT, and backfill existing rows in batches"),
  DROP_TABLE("drop-table", Severity.WARNING, "AccessExclusiveLock",
      "DROP TABLE destroys the table and its data; clients still using it fail",
      "stop every reader and writer first (deploy the application without it), keep the backup, and drop it in a"
          + " change of its own"),
  DROP_COLUMN("drop-column", Severity.WARNING, "AccessExclusiveLock",
      "DROP COLUMN destroys the column's data; clients that still name it fail",
      "deploy the application without the column first, then drop it in a change of its own"),
  TRUNCATE("truncate", Severity.WARNING, "AccessExclusiveLock",
      "TRUNCATE removes every row and blocks all reads and writes of the table until COMMIT",
      "make sure emptying the table is intended; on a busy table delete in batches instead"),
  DELETE_WITHOUT_WHERE("delete-without-where", Severity.WARNING, "RowExclusiveLock",
      "DELETE without WHERE removes every row and locks every one of them until COMMIT",
      "add the WHERE clause you mean, or delete in batches"),
  UPDATE_WITHOUT_WHERE("update-without-where", Severity.WARNING, "RowExclusiveLock",
      "UPDATE without WHERE changes every row and locks every one of them until COMMIT",
      "add the WHERE clause you mean, or update in batches"),
  RENAME_TABLE("rename-table", Severity.WARNING, "AccessExclusiveLock",
      "renaming a table breaks every client that still uses the old name",
      "create the new name as a view over the table (or the other way round) while clients move, then rename"),
  RENAME_COLUMN("rename-column", Severity.WARNING, "AccessExclusiveLock",
      "renaming a column breaks every client that still uses the old name",
      "add the new column, write both, backfill, move clients, then drop the old one"),
  VACUUM_FULL("vacuum-full", Severity.ERROR, "AccessExclusiveLock",
      "VACUUM FULL rewrites the table and blocks all reads and writes for the whole rewrite",
      "run a plain VACUUM, or rebuild the table online with a tool made for it outside this change"),
  CLUSTER("cluster", Severity.ERROR, "AccessExclusiveLock",
      "CLUSTER rewrites the table in index order and blocks all reads and writes for the whole rewrite",
      "leave the physical order alone, or rebuild the table online outside this change"),
  REINDEX_NOT_CONCURRENT("reindex-not-concurrent", Severity.ERROR, "ShareLock",
      "REINDEX without CONCURRENTLY blocks writes to the table, and reads that use the index, until it finishes",
      "REINDEX … CONCURRENTLY in the package's online step"),
  LOCK_TABLE("lock-table", Severity.WARNING, null,
      "LOCK TABLE takes the named lock (AccessExclusiveLock unless a mode is given) and holds it until COMMIT",
      "take no explicit lock; let each statement take the weakest lock it needs"),
  LOCK_TIMEOUT_OFF("lock-timeout-off", Severity.ERROR, null,
      "with lock_timeout 0 a statement waits for its lock forever, and every query on the table queues behind it",
      "keep a short lock_timeout (a few seconds) and retry the change when it cannot get its locks"),
  LOCK_TIMEOUT_LONG("lock-timeout-long", Severity.WARNING, null,
      "a lock_timeout over a minute lets a waiting statement queue every query on the table behind it for that long",
      "keep lock_timeout at a few seconds and retry the change when it cannot get its locks");

  /** The longest lock_timeout that is not a finding. */
  public static final long MAX_LOCK_TIMEOUT_MS = 60_000;

  private final String id;
  private final Severity severity;
  private final String lock;
  private final String why;
  private final String fix;

  LintRule(String id, Severity severity, String lock, String why, String fix) {
    this.id = id;
    this.severity = severity;
    this.lock = lock;
    this.why = why;
    this.fix = fix;
  }

  public String id() {
    return id;
  }

  public Severity severity() {
    return severity;
  }

  /** The lock the statement takes, as {@code pg_locks.mode} names it; null when the statement decides or none. */
  public String lock() {
    return lock;
  }

  public String why() {
    return why;
  }

  public String fix() {
    return fix;
  }

  /** The rule with this id, if any. */
  public static Optional<LintRule> byId(String id) {
    return Arrays.stream(values()).filter(r -> r.id.equals(id)).findFirst();
  }

  /** Every id, in declaration order: for messages that list what is allowed. */
  public static List<String> ids() {
    return Arrays.stream(values()).map(LintRule::id).toList();
  }
}
