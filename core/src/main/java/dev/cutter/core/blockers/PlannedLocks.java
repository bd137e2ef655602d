package dev.cutter.core.blockers;

import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.check.BeginRecheck;
import dev.cutter.core.check.derived.Touch;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.locks.LockMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table-level locks the change will take on relations that exist before it, one per
 * relation in its strongest mode. Today derived from the statements (the DDL analysis); a plan
 * measured in a rehearsal can be handed in instead through this interface.
 */
@FunctionalInterface
public interface PlannedLocks {

  /** One relation, named as the statements name it (resolved through apply_role's search_path), and its mode. */
  record PlannedLock(String relation, LockMode mode) {}

  /** Every planned lock; relations the change only creates are not in it. */
  List<PlannedLock> locks();

  /** A plan given as it is (e.g. measured). */
  static PlannedLocks of(List<PlannedLock> locks) {
    List<PlannedLock> copy = List.copyOf(locks);
    return () -> copy;
  }

  /**
   * From the statements, as PostgreSQL's own statement would lock: ACCESS EXCLUSIVE for ALTER,
   * DROP and TRUNCATE, SHARE for CREATE INDEX, SHARE ROW EXCLUSIVE for a foreign-key target and
   * CREATE TRIGGER, ROW EXCLUSIVE for INSERT, UPDATE and DELETE; a relation named several times
   * once, in the strongest mode. Indexes and sequences are left out (their table is what others lock).
   */
  static PlannedLocks fromStatements(List<ExecStatement> statements) {
    Map<String, LockMode> modes = new LinkedHashMap<>();
    for (Touch t : BeginRecheck.touches(statements)) {
      if (!t.kind().isRelation() || t.kind() == ObjectKind.INDEX || t.kind() == ObjectKind.SEQUENCE) {
        continue;
      }
      t.action().lock().ifPresent(m -> modes.merge(t.object().toString(), LockMode.valueOf(m.name()), LockMode::stronger));
    }
    List<PlannedLock> out = new ArrayList<>();
    modes.forEach((r, m) -> out.add(new PlannedLock(r, m)));
    return of(out);
  }
}
