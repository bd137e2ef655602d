package dev.cutter.checks;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.catalog.CatalogObjects;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.ObjectKind;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The shared shape of {@code objects_absent} and {@code objects_present}: {@link ObjectLists} arguments. */
abstract class ObjectListCheck extends BuiltInCheck<ObjectLists> {

  private final boolean present;

  ObjectListCheck(String name, boolean present) {
    super(name, ObjectLists::read);
    this.present = present;
  }

  /** True when the listed objects must exist, false when they must not. */
  public final boolean expectsPresent() {
    return present;
  }

  /** Another session can change what it found between P1 and the apply: it runs again at BEGIN. */
  @Override
  public boolean rechecksAtBegin() {
    return true;
  }

  @Override
  protected final CheckResult check(ObjectLists args, CheckContext ctx) throws SQLException {
    String schema = args.schema().orElse(null);
    List<String> listed = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : args.objects().entrySet()) {
      ObjectKind kind = ObjectKind.byKey(e.getKey()).orElseThrow();
      Set<String> found = CatalogObjects.existing(ctx.connection(), kind, schema, e.getValue());
      List<String> off = e.getValue().stream().filter(n -> found.contains(n) != present).map(Identifiers::quote).toList();
      listed.add(e.getKey() + " " + String.join(", ", e.getValue().stream().map(Identifiers::quote).toList()));
      if (!off.isEmpty()) {
        wrong.add(e.getKey() + " " + String.join(", ", off));
      }
    }
    String where = schema == null ? "" : " in schema " + Identifiers.quote(schema);
    String expected = (present ? "present" : "absent") + where + ": " + String.join("; ", listed);
    if (wrong.isEmpty()) {
      return ctx.pass(expected, present ? "all present" : "none present", null);
    }
    String actual = (present ? "missing: " : "present: ") + String.join("; ", wrong);
    Cause cause = present ? new Cause.ObjectsAbsent(wrong) : new Cause.ObjectsPresent(wrong);
    return ctx.fail(cause, expected, actual, present
        ? "expected objects are missing" + where + ": " + String.join("; ", wrong)
        : "objects already exist" + where + ": " + String.join("; ", wrong) + " (the change may have run already, or something is in its way)");
  }

  /** Catalog reads only (cutter's own queries): the rehearsal may run beside it. */
  @Override
  public boolean readsOnlyTheCatalog() {
    return true;
  }
}
