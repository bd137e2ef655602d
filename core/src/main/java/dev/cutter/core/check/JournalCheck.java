package dev.cutter.core.check;

import dev.cutter.core.catalog.CatalogObjects;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.catalog.Privileges;
import dev.cutter.core.exec.Journal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The journal {@code cutter.journal} exists and apply_role can write its row there: USAGE on
 * schema {@code cutter}, INSERT and SELECT on the table. Run implicitly in every preflight (the
 * journal records the change in the change's own transaction), and as the check type
 * {@code journal_writable}.
 */
public final class JournalCheck {

  public static final String ID = "journal_writable";

  private JournalCheck() {}

  public static CheckResult run(CheckContext ctx) throws SQLException {
    String role = ctx.applyRole();
    String expected = "apply_role " + Identifiers.quote(role) + " has USAGE on schema " + Journal.SCHEMA
        + ", INSERT and SELECT on " + Journal.QUALIFIED;
    Optional<long[]> ids = journalOids(ctx);
    if (ids.isEmpty()) {
      return ctx.fail(expected, "no table " + Journal.QUALIFIED,
          "journal " + Journal.QUALIFIED + " not found: run cutter init (as an administrator) with --grant " + role);
    }
    Optional<Long> roleOid = CatalogObjects.roleOid(ctx.connection(), role);
    if (roleOid.isEmpty()) {
      return ctx.fail(expected, "role " + Identifiers.quote(role) + " does not exist", "apply_role " + role + " does not exist");
    }
    List<String> missing = new ArrayList<>();
    missing.addAll(Privileges.missingOnSchema(ctx.connection(), roleOid.get(), ids.get()[0], List.of("USAGE")).stream()
        .map(p -> p + " on schema " + Journal.SCHEMA).toList());
    missing.addAll(Privileges.missingOnTable(ctx.connection(), roleOid.get(), ids.get()[1], List.of("INSERT", "SELECT"))
        .stream().map(p -> p + " on " + Journal.QUALIFIED).toList());
    if (missing.isEmpty()) {
      return ctx.pass(expected, "granted", null);
    }
    return ctx.fail(expected, "missing: " + String.join(", ", missing), "apply_role " + role + " cannot write the journal"
        + ": run cutter init --grant " + role + " (or grant " + String.join(", ", missing) + ")");
  }

  /** The OIDs of schema cutter and table cutter.journal, read without needing USAGE on the schema. */
  private static Optional<long[]> journalOids(CheckContext ctx) throws SQLException {
    try (PreparedStatement ps = ctx.connection().prepareStatement("select n.oid, c.oid from pg_catalog.pg_class c"
        + " join pg_catalog.pg_namespace n on n.oid = c.relnamespace where n.nspname = ? and c.relname = ?"
        + " and c.relkind in ('r', 'p')")) {
      ps.setString(1, Journal.SCHEMA);
      ps.setString(2, Journal.TABLE);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new long[] {rs.getLong(1), rs.getLong(2)}) : Optional.empty();
      }
    }
  }
}
