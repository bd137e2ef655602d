package dev.cutter.checks;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.catalog.CatalogObjects;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.check.CheckContext;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.Problems;
import dev.cutter.core.model.YamlFields;
import dev.cutter.core.model.YamlValue;
import java.sql.SQLException;
import java.util.Optional;

/** {@code schema_exists: NAME}: the schema exists. */
public final class SchemaExistsCheck extends BuiltInCheck<String> {

  public static final String NAME = "schema_exists";

  public SchemaExistsCheck() {
    super(NAME, SchemaExistsCheck::read);
  }

  /** The schema name, when {@code args} is one. */
  public static Optional<String> read(YamlValue args, Problems problems) {
    return new YamlFields(problems).identifier(args, problems.context());
  }

  /** Another session can drop or create the schema between P1 and the apply: it runs again at BEGIN. */
  @Override
  public boolean rechecksAtBegin() {
    return true;
  }

  @Override
  protected CheckResult check(String schema, CheckContext ctx) throws SQLException {
    boolean exists = CatalogObjects.schemaOid(ctx.connection(), schema).isPresent();
    return ctx.result(exists, () -> new Cause.ObjectsAbsent(java.util.List.of("schema " + Identifiers.quote(schema))),
        "schema " + Identifiers.quote(schema) + " exists", exists ? "exists" : "absent",
        exists ? null : "schema " + Identifiers.quote(schema) + " does not exist in database " + ctx.pkg().target().database());
  }

  /** Catalog reads only (cutter's own queries): the rehearsal may run beside it. */
  @Override
  public boolean readsOnlyTheCatalog() {
    return true;
  }
}
