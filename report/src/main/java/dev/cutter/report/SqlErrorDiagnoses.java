package dev.cutter.report;

import dev.cutter.core.cause.Cause;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Diagnoses one server error from its SQLSTATE and the structured fields the server gave
 * (schema, table, column, constraint, data type): the cause in plain words, the options and the
 * next action. The server's message is shown in the report, never read here.
 */
final class SqlErrorDiagnoses {

  /** The error and where it happened, as {@link Cause.SqlError} holds them. */
  private record SqlError(Cause.SqlError c, String at) {

    String code() {
      return c.sqlstate() == null ? "" : c.sqlstate();
    }

    /** e.g. {@code Statement 7 (line 42) failed with SQLSTATE 42501 (syntax error or access rule violation).} */
    String evidence() {
      String cls = code().length() >= 2 ? CLASSES.get(code().substring(0, 2)) : null;
      return Character.toUpperCase(at.charAt(0)) + at.substring(1) + " failed with SQLSTATE "
          + (c.sqlstate() == null ? "unknown" : c.sqlstate()) + (cls == null ? "" : " (" + cls + ")") + names() + ".";
    }

    /** The names the server gave, e.g. {@code , table billing.invoice, constraint invoice_pkey}. */
    private String names() {
      String where = c.table() != null ? named("table", qualified(c.table())) : named("schema", c.schema());
      return Stream.of(where, named("column", c.column()), named("constraint", c.constraint()),
          named("type", c.datatype())).filter(Objects::nonNull).map(n -> ", " + n).collect(Collectors.joining());
    }

    /** The object the server named, or {@code fallback}. */
    String object(String fallback) {
      return Stream.of(named("table", qualified(c.table())), named("constraint", c.constraint()),
          named("type", qualified(c.datatype())), named("schema", c.schema())).filter(Objects::nonNull).findFirst()
          .orElse(fallback);
    }

    /** {@code name} qualified by the schema the server gave, if any; null for null. */
    private String qualified(String name) {
      return name == null ? null : (c.schema() == null ? "" : c.schema() + ".") + name;
    }

    /** E.g. {@code table billing.invoice}; null for a null name. */
    private static String named(String kind, String name) {
      return name == null ? null : kind + " " + name;
    }
  }

  private static final Map<String, String> CLASSES = Map.ofEntries(
      Map.entry("0A", "feature not supported"), Map.entry("22", "data exception"),
      Map.entry("23", "integrity constraint violation"), Map.entry("25", "invalid transaction state"),
      Map.entry("28", "invalid authorization"), Map.entry("2B", "dependent objects still exist"),
      Map.entry("3D", "invalid database name"), Map.entry("3F", "invalid schema name"),
      Map.entry("40", "transaction rollback"), Map.entry("42", "syntax error or access rule violation"),
      Map.entry("53", "insufficient resources"), Map.entry("54", "program limit exceeded"),
      Map.entry("55", "object not in prerequisite state"), Map.entry("57", "operator intervention"),
      Map.entry("58", "system error"), Map.entry("08", "connection exception"), Map.entry("P0", "PL/pgSQL error"),
      Map.entry("XX", "internal error"));

  private static final String RERUN = "Correct the package or the target as chosen, then run it again with a new authorization.";

  private SqlErrorDiagnoses() {}

  /**
   * The diagnosis of {@code c}; {@code inCheck}: it happened in a preflight check or rehearsal,
   * so the words say which.
   */
  static Diagnosis diagnose(Cause.SqlError c, boolean inCheck) {
    String at = switch (c.at()) {
      case STATEMENT -> "statement " + c.statement() + (c.line() > 0 ? " (line " + c.line() + ")" : "");
      case REHEARSAL -> "the rehearsal of statement " + c.statement() + (c.line() > 0 ? " (line " + c.line() + ")" : "");
      case COMMIT -> "COMMIT";
      case JOURNAL_ROW -> "writing cutter's journal row";
      case CHECK -> "a preflight check's query";
      case ROLLBACK -> "the rollback";
    };
    Diagnosis d = diagnose(new SqlError(c, at));
    return inCheck && c.at() == Cause.ErrorSite.CHECK ? d.withRootCause("Preflight: " + d.rootCause()) : d;
  }

  private static Diagnosis diagnose(SqlError e) {
    String code = e.code();
    String cls = code.length() >= 2 ? code.substring(0, 2) : "";
    if (e.c().at() == Cause.ErrorSite.JOURNAL_ROW && (code.equals("42501") || code.equals("42P01") || code.equals("3F000"))) {
      return Diagnosis.of(
          "apply_role " + role(e) + " cannot write cutter's journal, so the change could not be recorded and was"
              + " rolled back. " + e.evidence(),
          "Run cutter init --grant " + role(e) + " as an administrator, then re-run; nothing was changed.",
          "Run cutter init --grant " + role(e) + " (an administrator's one-time step), then re-run this package.");
    }
    // a class whose codes are not listed one by one stands for all of them
    String key = cls.equals("23") || cls.equals("08") || cls.equals("53") ? cls : code;
    return switch (key) {
      case "42501" -> insufficientPrivilege(e);
      case "42P07", "42710", "42P06", "42723", "42P04", "42701" -> alreadyExists(e);
      case "42P01", "3F000", "42883", "42703", "42704" -> missing(e);
      case "40001", "40P01" -> conflict(e);
      case "57P01", "57P02", "57P03", "08" -> connectionLost(e);
      case "28P01", "28000" -> loginRefused("The server refused the login. " + e.evidence());
      case "2BP01" -> Diagnosis.of(
          "Other objects depend on " + e.object("an object the artifact drops") + ". " + e.evidence(),
          "Decide how the dependent objects should be handled; nothing was changed. " + RERUN,
          "Re-issue the package dropping or altering the dependent objects explicitly, in order.",
          "Re-issue the package without the drop, if the dependents must stay.");
      case "55P03" -> Diagnosis.of(
          "Other sessions held a conflicting lock on " + e.object("an object the artifact changes")
              + " for longer than lock_timeout. " + e.evidence(),
          "Retry the same package in a quieter window; nothing was changed.",
          "Retry in a quieter window (the transaction was rolled back, so the package can run again as it is).",
          "Find the sessions holding the lock (pg_locks joined with pg_stat_activity) and coordinate with their"
              + " owners before retrying.",
          "Re-issue the package with a longer lock_timeout, accepting that other sessions wait longer behind it.");
      case "57014" -> Diagnosis.of(
          "The statement was canceled: it ran longer than statement_timeout, or an operator or another tool canceled"
              + " it. " + e.evidence(),
          "Find out which (the server log names a statement timeout) before retrying; nothing was changed.",
          "Retry in a quieter window, when the statement competes less for I/O and locks.",
          "Re-issue the package with a larger statement_timeout, sized from a dry-run on a copy of production data.",
          "Split the change: run the long part (e.g. an index build with CONCURRENTLY) as its own package in"
              + " autocommit mode.");
      case "25001" -> Diagnosis.of(
          "The statement cannot run inside a transaction block; cutter's validation should have rejected it for"
              + " mode: transaction (please report that as a bug). " + e.evidence(),
          "Move the statement to its own package in apply mode autocommit; nothing was changed.",
          "Move the statement to its own package with apply mode autocommit (e.g. CREATE INDEX CONCURRENTLY).",
          "Rewrite it so that it can run in a transaction (e.g. a plain CREATE INDEX in a quiet window).");
      case "25006" -> Diagnosis.of(
          "The target refused a write: it is a standby, or default_transaction_read_only is on. " + e.evidence(),
          "Point --target at the primary and re-run; nothing was changed.",
          "Run against the primary server (check --target and the PG* environment).",
          "If the database is read-only on purpose, lift that through its own approved change first.");
      case "53" -> Diagnosis.of(
          "The server ran out of a resource (disk, memory or connections). " + e.evidence(),
          "Free the resource on the server, then re-run; nothing was changed.",
          "Free the resource (disk space, memory, connection slots) and re-run.",
          "Re-run in a quieter window when fewer sessions compete for it.");
      case "23" -> Diagnosis.of(
          "The data on the target violates " + (e.c().constraint() != null ? "constraint " + e.c().constraint()
              : e.c().column() != null ? "the rules of column " + e.c().column() : "a constraint") + ". "
              + e.evidence(),
          "Decide whether the data or the change is wrong; nothing was changed. " + RERUN,
          "Correct the offending rows in a separate approved change, then re-run this package.",
          "Change the artifact to handle the existing data (e.g. backfill first, or add the constraint NOT VALID and"
              + " validate it later) and re-issue the package.",
          "Add a sql preflight check that proves the data fits, so that this is BLOCKED before any change next time.");
      case "42601" -> Diagnosis.of(
          "The server rejected the statement as invalid SQL; a dry-run against the same server version would have"
              + " shown it. " + e.evidence(),
          "Fix the artifact, dry-run it, and re-issue the package; nothing was changed.",
          "Fix the statement, check it with cutter dry-run --pg-version matching the target, and re-issue the"
              + " package.");
      case "P0001" -> Diagnosis.of(
          "A guard in the artifact raised an exception: the target is not in the state the artifact requires. "
              + e.evidence(),
          "Read the guard's message: it names the condition the artifact requires; nothing was changed.",
          "Bring the target into the state the guard requires through its own approved change, then re-run.",
          "If the guard is wrong, correct the artifact and re-issue the package.");
      default -> Diagnosis.of(e.evidence() + " cutter has no specific diagnosis for this code.",
          "Read the server error and the server log; decide whether the package or the target must change. "
              + RERUN,
          "Correct the artifact and re-issue the package.",
          "Correct the target's state in a separate approved change, then re-run this package.");
    };
  }

  // ---- 42501 ---------------------------------------------------------------------------------

  private static Diagnosis insufficientPrivilege(SqlError e) {
    String what = e.object("an object the statement uses (the server's message in the apply section names it)");
    return Diagnosis.of(
        "apply_role " + role(e) + " lacks a privilege on " + what + ". " + e.evidence(),
        "Decide between the options with the approver; nothing was changed.",
        "Run as the owner: re-issue the package with apply_role set to the owner of " + what + ".",
        "Grant the missing privilege on " + what + " to " + role(e) + " as a separate approved change, then re-run.",
        "Re-issue the package with another apply role that holds the privilege.");
  }

  /** The apply role does not own {@code what} (e.g. "table billing.invoice"), which ALTER or DROP needs. */
  static Diagnosis notOwner(String role, String what, String evidence) {
    return Diagnosis.of(
        "apply_role " + role + " does not own " + what + ", and ALTER or DROP of it needs ownership. " + evidence,
        "Decide between the options with the approver; nothing was changed.",
        "Run as the owner: re-issue the package with apply_role set to the owner of " + what + ".",
        "Make " + role + " a member of the owning role, or transfer ownership of " + what
            + ", as a separate approved change; then re-run this package.",
        "Re-issue the package with another apply role that owns " + what + ".");
  }

  /**
   * The apply role cannot create objects in {@code schema} (42501 at apply, or a P1 privilege
   * check); {@code evidence} is the sentence that shows it.
   */
  static Diagnosis missingCreateOnSchema(String role, String schema, String evidence) {
    return Diagnosis.of(
        "apply_role " + role + " lacks CREATE on schema " + schema + ": the package pins a role that can use the"
            + " schema but not create objects in it, a gap in the package's authorization scope rather than a defect"
            + " of the SQL. " + evidence,
        "Decide between options A, B and C with the approver; nothing was changed, and any option needs a new"
            + " authorization. Take a fresh backup at the next attempt.",
        "Run as the schema owner: re-issue the package with apply_role set to the owner of schema " + schema
            + " (same artifact, same checks). The smallest change.",
        "Grant CREATE on schema " + schema + " to " + role + " as a separate, approved privilege change, then re-run"
            + " this package.",
        "Re-issue the package with another apply role that already has CREATE on schema " + schema + ".");
  }

  // ---- objects -------------------------------------------------------------------------------

  private static Diagnosis alreadyExists(SqlError e) {
    String what = e.object("an object the artifact creates");
    return Diagnosis.of(
        what + " already exists on the target: the target drifted since the package was written, or the change was"
            + " already made by other means. " + e.evidence(),
        "Inspect " + what + " on the target and decide whether the package or the target is out of date; nothing"
            + " was changed.",
        "If the existing object is the intended change, record that and do not re-apply; re-issue the package"
            + " without the statements that create it.",
        "If it is unrelated, re-issue the package with another name, and an objects_absent preflight check for it.",
        "Remove the conflicting object in a separate approved change, then re-run this package.");
  }

  private static Diagnosis missing(SqlError e) {
    String what = e.object("an object the artifact refers to");
    return Diagnosis.of(
        what + " does not exist on the target: drift since the package was written, a wrong search_path, or"
            + " statements in the wrong order. " + e.evidence(),
        "Compare the target with what the package expects; nothing was changed. " + RERUN,
        "If the object should exist, create it first in its own approved change, then re-run.",
        "If the artifact is wrong (name, schema qualification, order), correct it and re-issue the package; add an"
            + " objects_present preflight check for what it depends on.");
  }

  // ---- concurrency and time ------------------------------------------------------------------

  private static Diagnosis conflict(SqlError e) {
    String kind = e.code().equals("40P01") ? "a deadlock with another session" : "a serialization conflict with"
        + " another transaction";
    return Diagnosis.of(
        "The server rolled the transaction back because of " + kind + ". " + e.evidence(),
        "Retry the same package; nothing was changed.",
        "Retry the same package: the conflict is transient and the transaction was rolled back.",
        "If it recurs, retry in a quieter window or find the competing workload in pg_stat_activity.");
  }

  // ---- connection and server -----------------------------------------------------------------

  private static Diagnosis connectionLost(SqlError e) {
    boolean atCommit = e.c().at() == Cause.ErrorSite.COMMIT;
    String cause = (atCommit ? "The connection to the server was lost during COMMIT, so whether the change"
        + " committed is not known from the client side. "
        : "The connection to the server was lost; the server rolls back the open transaction of a lost session. ")
        + e.evidence();
    return Diagnosis.of(cause,
        atCommit ? "Check the journal and run cutter verify before anything else; do not re-run blindly."
            : "Confirm the server is up and stable (server log, restarts, failover), then re-run the same package.",
        "Check the server (restart, crash, failover, network) and re-run when it is stable.",
        "Confirm with cutter verify and the journal that the change is not in place before re-running.");
  }

  /** The server refused the login ({@code rootCause} says where and how). */
  static Diagnosis loginRefused(String rootCause) {
    return Diagnosis.of(rootCause,
        "Check the login role and its password source (PGPASSWORD, the password file or the prompt), then re-run.",
        "Check --target and the PG* environment name the intended login role.",
        "Check the password file (~/.pgpass or PGPASSFILE) and pg_hba.conf for this client.");
  }

  // ---- data and artifact ---------------------------------------------------------------------

  // ---- names -------------------------------------------------------------------------------

  private static String role(SqlError e) {
    return e.c().role() == null ? "(the apply role)" : e.c().role();
  }
}
