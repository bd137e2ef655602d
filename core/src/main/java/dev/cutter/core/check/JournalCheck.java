package dev.cutter.core.check;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.catalog.Identifiers;
import dev.cutter.core.exec.Journal;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal {@code cutter.journal} is there, apply_role can record a run through it, and cannot
 * rewrite it: USAGE on schema {@code cutter} and EXECUTE on {@code cutter.record_commit} and
 * {@code cutter.finish_run} (SECURITY DEFINER functions owned by the table's owner); no INSERT,
 * UPDATE, DELETE, TRUNCATE or TRIGGER on the table, and no membership in the owner of the table or
 * of its schema (a schema's owner may drop what is in it), nor CREATEROLE where that lets it
 * join a non-superuser owner (servers before 16). Run implicitly
 * in every preflight, and as the check type {@code journal_writable}.
 */
public final class JournalCheck {

  public static final String ID = "journal_writable";

  private JournalCheck() {}

  public static CheckResult run(CheckContext ctx) throws SQLException {
    String role = ctx.applyRole();
    String expected = "apply_role " + Identifiers.quote(role) + " records runs through " + Journal.SCHEMA
        + ".record_commit and " + Journal.SCHEMA + ".finish_run and cannot write " + Journal.QUALIFIED + " itself";
    try (PreparedStatement ps = ctx.connection().prepareStatement("""
        select t.oid is not null, r.oid is not null,
          (select count(*) from pg_catalog.pg_proc p
             where p.oid in (pg_catalog.to_regprocedure(?), pg_catalog.to_regprocedure(?))
               and p.prosecdef and p.proowner = t.relowner
               and 'search_path=pg_catalog, pg_temp' = any (p.proconfig)),
          pg_catalog.has_schema_privilege(r.oid, n.oid, 'USAGE'),
          coalesce(pg_catalog.has_function_privilege(r.oid, pg_catalog.to_regprocedure(?), 'EXECUTE'), false),
          coalesce(pg_catalog.has_function_privilege(r.oid, pg_catalog.to_regprocedure(?), 'EXECUTE'), false),
          pg_catalog.has_any_column_privilege(r.oid, t.oid, 'INSERT'),
          pg_catalog.has_any_column_privilege(r.oid, t.oid, 'UPDATE'),
          pg_catalog.has_table_privilege(r.oid, t.oid, 'DELETE'),
          pg_catalog.has_table_privilege(r.oid, t.oid, 'TRUNCATE'),
          pg_catalog.has_table_privilege(r.oid, t.oid, 'TRIGGER'),
          pg_catalog.pg_has_role(r.oid, t.relowner, 'MEMBER') or pg_catalog.pg_has_role(r.oid, n.nspowner, 'MEMBER'),
          case when pg_catalog.pg_has_role(r.oid, t.relowner, 'MEMBER') then pg_catalog.pg_get_userbyid(t.relowner)
            else pg_catalog.pg_get_userbyid(n.nspowner) end,
          r.rolcreaterole and pg_catalog.current_setting('server_version_num')::int < 160000
            and not (select bool_and(o.rolsuper) from pg_catalog.pg_roles o where o.oid in (t.relowner, n.nspowner))
        from (select 1) one
        left join pg_catalog.pg_namespace n on n.nspname = ?
        left join pg_catalog.pg_class t on t.relnamespace = n.oid and t.relname = ? and t.relkind in ('r', 'p')
        left join pg_catalog.pg_roles r on r.rolname = ?""")) {
      ps.setString(1, Journal.RECORD_COMMIT);
      ps.setString(2, Journal.FINISH_RUN);
      ps.setString(3, Journal.RECORD_COMMIT);
      ps.setString(4, Journal.FINISH_RUN);
      ps.setString(5, Journal.SCHEMA);
      ps.setString(6, Journal.TABLE);
      ps.setString(7, role);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return ctx.fail(new Cause.JournalNotReady(Cause.JournalProblem.MISSING, role), expected, "no table " + Journal.QUALIFIED,
              "journal " + Journal.QUALIFIED + " not found: run cutter init (as an administrator) with --grant " + role);
        }
        if (!rs.getBoolean(2)) {
          return ctx.fail(new Cause.ObjectsAbsent(List.of("role " + Identifiers.quote(role))), expected, "role " + Identifiers.quote(role) + " does not exist", "apply_role " + role + " does not exist");
        }
        if (rs.getInt(3) != 2) {
          return ctx.fail(new Cause.JournalNotReady(Cause.JournalProblem.FUNCTIONS_MISSING, role), expected, "the journal functions are missing or not SECURITY DEFINER of its owner",
              "journal " + Journal.QUALIFIED + " predates its functions: run cutter init --grant " + role
                  + " (as an administrator) to upgrade it in place");
        }
        if (!Journal.hasPhases(ctx.connection())) {
          return ctx.fail(new Cause.JournalNotReady(Cause.JournalProblem.FUNCTIONS_MISSING, role), expected,
              "no column phase or no function " + Journal.SCHEMA + ".record_phase",
              "journal " + Journal.QUALIFIED + " predates run phases (online steps): run cutter init --grant " + role
                  + " (as an administrator) to upgrade it in place");
        }
        List<String> rewrites = new ArrayList<>();
        String[] names = {"INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER"};
        for (int i = 0; i < names.length; i++) {
          if (rs.getBoolean(7 + i)) {
            rewrites.add(names[i]);
          }
        }
        String owner = rs.getString(13);
        if (rs.getBoolean(12)) {
          return ctx.fail(new Cause.JournalNotReady(Cause.JournalProblem.OWNER_MEMBER, role), expected, "member of " + Identifiers.quote(owner) + ", owner of the journal or its schema",
              "apply_role " + role + " may act as " + owner + ", the owner of " + Journal.QUALIFIED + " or of schema "
                  + Journal.SCHEMA + ": it could rewrite or drop the journal and replay a consumed package; use an apply"
                  + " role that is not a member of " + owner);
        }
        if (rs.getBoolean(14)) {
          return ctx.fail(new Cause.JournalNotReady(Cause.JournalProblem.CREATEROLE, role), expected, "CREATEROLE, and the journal's owner is not a superuser",
              "apply_role " + role + " has CREATEROLE, which on this server lets it grant itself membership in "
                  + owner + ", the journal's owner: use an apply role without CREATEROLE, or let a superuser own "
                  + Journal.QUALIFIED);
        }
        if (!rewrites.isEmpty()) {
          return ctx.fail(new Cause.JournalNotReady(Cause.JournalProblem.ROLE_CAN_REWRITE, role), expected, "may " + String.join(", ", rewrites) + " " + Journal.QUALIFIED,
              "apply_role " + role + " may write " + Journal.QUALIFIED + " directly (" + String.join(", ", rewrites)
                  + "): run cutter init --grant " + role + " (as an administrator): it revokes those grants");
        }
        List<String> missing = new ArrayList<>();
        if (!rs.getBoolean(4)) {
          missing.add("USAGE on schema " + Journal.SCHEMA);
        }
        if (!rs.getBoolean(5)) {
          missing.add("EXECUTE on " + Journal.SCHEMA + ".record_commit");
        }
        if (!rs.getBoolean(6)) {
          missing.add("EXECUTE on " + Journal.SCHEMA + ".finish_run");
        }
        if (!mayRecordPhase(ctx, role)) {
          missing.add("EXECUTE on " + Journal.SCHEMA + ".record_phase");
        }
        if (missing.isEmpty()) {
          return ctx.pass(expected, "granted; no direct write", null);
        }
        return ctx.fail(new Cause.JournalNotReady(Cause.JournalProblem.NOT_GRANTED, role), expected, "missing: " + String.join(", ", missing), "apply_role " + role
            + " cannot record its run in the journal: run cutter init --grant " + role + " (or grant "
            + String.join(", ", missing) + ")");
      }
    }
  }

  private static boolean mayRecordPhase(CheckContext ctx, String role) throws SQLException {
    try (PreparedStatement ps = ctx.connection().prepareStatement("select coalesce(pg_catalog.has_function_privilege("
        + "(select oid from pg_catalog.pg_roles where rolname = ?), pg_catalog.to_regprocedure(?), 'EXECUTE'), false)")) {
      ps.setString(1, role);
      ps.setString(2, Journal.RECORD_PHASE);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }
}
