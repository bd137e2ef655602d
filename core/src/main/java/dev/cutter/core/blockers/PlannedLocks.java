package dev.cutter.core.blockers;

import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.check.BeginRecheck;
import dev.cutter.core.check.derived.Touch;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.lock.LockMode;
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
   * {@code analysed} joined with the locks {@code measured} (a rehearsal's plan, may be null) took on
   * relations that existed before the change: one entry per relation, the stronger mode winning.
   * A relation named differently by the two (quoting) is watched twice, which costs nothing.
   */
  static PlannedLocks withMeasured(PlannedLocks analysed, dev.cutter.core.lock.LockPlan measured) {
    if (measured == null || measured.summary().isEmpty()) {
      return analysed;
    }
    Map<String, LockMode> modes = new LinkedHashMap<>();
    analysed.locks().forEach(l -> modes.merge(l.relation(), l.mode(), LockMode::stronger));
    measured.summary().forEach(h -> modes.merge(h.relation(), h.strongest(), LockMode::stronger));
    List<PlannedLock> out = new ArrayList<>();
    modes.forEach((r, m) -> out.add(new PlannedLock(r, m)));
    return of(out);
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
      t.action().lock().ifPresent(m -> modes.merge(t.object().toString(), m, LockMode::stronger));
    }
    List<PlannedLock> out = new ArrayList<>();
    modes.forEach((r, m) -> out.add(new PlannedLock(r, m)));
    return of(out);
  }
}
