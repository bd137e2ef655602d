package dev.cutter.report;

import dev.cutter.core.cause.Cause;
import dev.cutter.core.cause.Cause.Grant;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The diagnosis of each {@link Cause}: one visitor method per cause type, so a cause without its
 * diagnosis does not compile. Every sentence is built from the cause's fields and the report's
 * structured fields (package, roles, backup); no message text is read.
 */
final class CauseDiagnoses implements Cause.Visitor<Diagnosis> {

  private static final String UNCHANGED = "nothing was changed.";

  private final RunReport r;

  private CauseDiagnoses(RunReport r) {
    this.r = r;
  }

  /** The diagnosis of {@code cause} in the run {@code r}. */
  static Diagnosis of(Cause cause, RunReport r) {
    return cause.accept(new CauseDiagnoses(r));
  }

  private static String role(String role) {
    return role == null ? "(the apply role)" : role;
  }

  // ---- the package and its approval ----------------------------------------------------------

  @Override
  public Diagnosis quorumNotMet(Cause.QuorumNotMet c) {
    return Diagnosis.of(
        "The signatures on package.yaml do not meet the trust policy: " + c.valid() + " of " + c.required()
            + " required distinct approvers signed validly.",
        "Run cutter package verify PKG to see each signature's status, then obtain the missing approvals; "
            + UNCHANGED,
        "Collect the missing approvals: each approver signs the exact package.yaml (cutter package sign).",
        "If an approver's key is missing, expired or revoked on this host, update the trust keyring through its"
            + " own change.",
        "If package.yaml changed after it was signed, restore the signed version, or have the new one signed again.");
  }

  @Override
  public Diagnosis signatureRefused(Cause.SignatureRefused c) {
    if (c.status() == dev.cutter.core.integrity.SignatureStatus.STALE) {
      return Diagnosis.of(
          "Signature " + c.index() + " on package.yaml is refused: an approver's key made it over other bytes of"
              + " package.yaml (the file changed after it was signed).",
          "Find out who changed package.yaml and why before anything runs; " + UNCHANGED,
          "If the change is intended: cutter package hash --drop-signatures PKG, then have it reviewed and signed again.",
          "Otherwise restore the signed package.yaml.");
    }
    boolean tamper = c.status().isTamperEvidence();
    return Diagnosis.of(
        "Signature " + c.index() + " on package.yaml is refused: " + c.status().label() + "."
            + (tamper ? " package.yaml is not the file that was signed, or the signature file is damaged." : ""),
        (tamper ? "Find out who changed package.yaml or its signature before anything runs; "
            : "Run cutter package verify PKG to see each signature's status; ") + UNCHANGED,
        tamper ? "Restore the signed package.yaml and package.yaml.asc, or have the changed file reviewed and signed"
            + " again." : "Have the package signed with a valid approver key (cutter package sign).",
        "If an approver's key is missing, expired or revoked on this host, update the trust keyring through its"
            + " own change.");
  }

  @Override
  public Diagnosis artifactHashMismatch(Cause.ArtifactHashMismatch c) {
    return Diagnosis.of(
        "Artifact " + c.path() + (c.found() == null ? " cannot be read" : " has sha256 " + c.found())
            + ", not the " + c.pinned() + " the package pins: the file changed after the package was approved.",
        "Find out who changed the artifact and why before anything runs; " + UNCHANGED,
        "Restore the approved artifact (the one whose sha256 package.yaml pins) and re-run.",
        "If the new content is intended, re-hash it (cutter package hash), have it reviewed and signed again.");
  }

  @Override
  public Diagnosis authorizationExpired(Cause.AuthorizationExpired c) {
    String ref = r.pkg() == null || r.pkg().authorizationRef() == null ? "The authorization"
        : "Authorization " + r.pkg().authorizationRef();
    return Diagnosis.of(
        ref + " expired at " + ReportTree.timestamp(c.expiresAt()) + " (checked at "
            + ReportTree.timestamp(c.checkedAt()) + (c.atBegin() ? ", right before BEGIN" : "")
            + "): cutter applies nothing after its authorization expires.",
        "Ask the approver for a new authorization window; " + UNCHANGED,
        "Obtain a fresh authorization (a new expires_at), have the package signed again, and re-run.");
  }

  @Override
  public Diagnosis timeoutsForbidden(Cause.TimeoutsForbidden c) {
    return Diagnosis.of(
        "The trust policy forbids disabling an apply timeout (allow_timeouts_off: false), and the package sets "
            + c.settings() + ".",
        "Re-issue the package with lock_timeout and statement_timeout set; " + UNCHANGED,
        "Set lock_timeout and statement_timeout in the package's apply section, and have it signed again.",
        "If a timeout must be off, change the trust policy (allow_timeouts_off: true) through its own change.");
  }

  @Override
  public Diagnosis tlsRequirementNotMet(Cause.TlsRequirementNotMet c) {
    return Diagnosis.of(
        "The trust policy requires a verified TLS connection to a target that is not local, and the connection to "
            + c.host() + " uses sslmode " + c.sslmode() + ".",
        "Connect with sslmode=verify-full and the server's root certificate; " + UNCHANGED,
        "Add sslmode=verify-full and sslrootcert=FILE to --target (or the service, or PGSSLMODE and PGSSLROOTCERT).",
        "If the server has no certificate a root you trust signed, have one issued before applying.");
  }

  // ---- the target and the run ----------------------------------------------------------------

  @Override
  public Diagnosis cannotConnect(Cause.CannotConnect c) {
    String code = c.sqlstate() == null ? "" : " (SQLSTATE " + c.sqlstate() + ")";
    if (c.sqlstate() != null && c.sqlstate().length() == 5 && c.sqlstate().substring(0, 2).equals("28")) {
      return SqlErrorDiagnoses.loginRefused("The server refused the login to " + c.target() + code + ".");
    }
    return Diagnosis.of(
        "cutter could not connect to " + c.target() + code + ".",
        "Check --target, the PG* environment and the password file, then re-run; " + UNCHANGED,
        "Check that --target (or PGHOST, PGPORT, PGDATABASE, PGUSER) names the intended server and database.",
        "Check the server is up and accepts this client (pg_hba.conf, network).");
  }

  @Override
  public Diagnosis runLockHeld(Cause.RunLockHeld c) {
    if (c.changeStillRunning()) {
      return Diagnosis.of(
          "An earlier run's statement still executes on the target (" + c.holder() + "): its client is gone, the"
              + " server runs it on, and no new change starts until it ends.",
          "Wait for that statement to end (pg_stat_activity), then re-run; " + UNCHANGED,
          "Re-run after the earlier statement has ended.",
          "If it must not finish, cancel it (pg_cancel_backend) after deciding with its owner, then run cutter verify.");
    }
    return Diagnosis.of(
        "Another cutter run holds the advisory lock on this target (" + c.holder() + "): two runs never overlap.",
        "Wait for the other run to end (its report, or pg_locks for the advisory lock), then re-run; " + UNCHANGED,
        "Re-run after the other run has ended.",
        "Re-run with --lock-wait so that the run queues behind the other one.");
  }

  @Override
  public Diagnosis packageAlreadyConsumed(Cause.PackageAlreadyConsumed c) {
    String sha = r.pkg() == null || r.pkg().sha256() == null ? "" : " (sha256 " + r.pkg().sha256() + ")";
    if (c.unfinished()) {
      return Diagnosis.of(
          "Run " + c.runId() + " committed this package" + sha + " and never finished (journal row " + c.journalId()
              + "): its verification and report may be missing.",
          "Run cutter verify PKG and read the earlier run's report before anything else; nothing was changed now.",
          "If cutter verify holds, the change is in place: record that and do not re-apply.",
          "If it does not hold, treat the target as ESCALATE: a person inspects it before any further change.");
    }
    return Diagnosis.of(
        "This package" + sha + " is already in this target's journal (row " + c.journalId() + ", run " + c.runId()
            + ", verdict " + c.verdict() + "), and an authorization is consumed once.",
        "Run cutter verify PKG to confirm the earlier change is in place; " + UNCHANGED,
        "If the earlier run is the intended change, nothing is left to do: confirm it with cutter verify PKG.",
        "To apply the change again, issue a new package with a new authorization.");
  }

  @Override
  public Diagnosis identityMismatch(Cause.IdentityMismatch c) {
    String field = switch (c.field()) {
      case SYSTEM_IDENTIFIER -> "system_identifier";
      case DATABASE -> "database";
      case SERVER_VERSION -> "server major version";
    };
    return Diagnosis.of(
        "The target is not the database the package was written for: its " + field + " is " + c.found()
            + ", the package names " + c.pinned() + ".",
        "Confirm which database is meant before anything else; " + UNCHANGED,
        "Point --target (or the PG* environment) at the database the package names and re-run.",
        "If the package pins the wrong identity or version, re-issue it with the right one and a new authorization.");
  }

  @Override
  public Diagnosis loginRoleRefused(Cause.LoginRoleRefused c) {
    String role = role(c.applyRole());
    String login = c.loginRole() == null ? "the login role" : "login role " + c.loginRole();
    return switch (c.refusal()) {
      case PRIVILEGED_LOGIN -> Diagnosis.of(
          "The " + login + " holds what apply_role " + role + " lacks (" + c.excess().describe()
              + "), so a statement could act beyond it.",
          "Let cutter log in as " + role + " itself; " + UNCHANGED,
          "Give " + role + " LOGIN and a password file entry, so that cutter logs in as it.",
          "Run cutter with --target logging in as a role that is a member of " + role + " and holds nothing more.",
          "Accept the risk in the trust policy (allow_privileged_login: true); the report will say so.");
      case ROLE_MISSING -> Diagnosis.of(
          "apply_role " + role + " does not exist on the target.",
          "Create the role or correct the package's apply_role; " + UNCHANGED,
          "Create role " + role + " as a separate approved change, then re-run.",
          "Re-issue the package with an apply_role that exists on the target.");
      case NOT_REACHABLE -> Diagnosis.of(
          "cutter could not act as apply_role " + role + ": the " + login + " is not a member of it, and logging in"
              + " as " + role + " failed.",
          "Decide with the administrator how the login role may act as " + role + "; " + UNCHANGED,
          "Make the login role a member of " + role + " (so that SET ROLE works), as a separate approved change.",
          "Provide a password for " + role + " in the password file, so that cutter can log in as it.",
          "Run cutter with --target logging in as " + role + " itself.");
    };
  }

  @Override
  public Diagnosis missingPrivilege(Cause.MissingPrivilege c) {
    String grants = c.missing().stream().map(Grant::describe).collect(Collectors.joining("; "));
    String role = role(c.role());
    String grantSql = c.missing().stream().map(g -> grantStatement(g, c.role())).collect(Collectors.joining(" "));
    Grant first = c.missing().get(0);
    boolean apply = c.as() == Cause.RoleKind.APPLY_ROLE;
    if (apply && first.privilege().equals(Grant.OWNERSHIP)) {
      return SqlErrorDiagnoses.notOwner(role, first.objectKind() + " " + first.object(),
          "Preflight found it missing: " + grants + ".");
    }
    if (apply && first.privilege().equals("CREATE") && first.objectKind().equals("schema")) {
      return SqlErrorDiagnoses.missingCreateOnSchema(role, first.object(),
          "Preflight found it missing: " + grants + ".");
    }
    if (c.as() == Cause.RoleKind.BACKUP_ROLE) {
      return Diagnosis.of(
          "backup_role " + role + " lacks " + grants + ": pg_dump would stop there, and a backup without those"
              + " objects is no backup.",
          "Grant what is missing to " + role + " as a separate approved change (" + grantSql + "), then re-run; "
              + UNCHANGED,
          "Grant it: " + grantSql,
          "Re-issue the package with a backup_role that can already read the whole scope.");
    }
    return Diagnosis.of(
        apply ? "apply_role " + role + " lacks " + grants + ", which the artifact needs."
            : "Role " + role + " lacks " + grants + ", which the package's privilege check requires.",
        "Decide with the approver how the role gets the privilege; " + UNCHANGED,
        "Grant it as a separate approved change (" + grantSql + "), then re-run this package.",
        apply ? "Re-issue the package with an apply_role that already holds it (e.g. the object's owner)."
            : "If the check's expectation is stale, re-issue the package with the corrected check.");
  }

  /** E.g. {@code GRANT SELECT ON SEQUENCE cutter.journal_id_seq TO backup;}. */
  static String grantStatement(Grant g, String role) {
    if (g.privilege().equals(Grant.OWNERSHIP)) {
      return "ALTER " + g.objectKind().toUpperCase(java.util.Locale.ROOT) + " " + g.object() + " OWNER TO " + role + ";";
    }
    String on = switch (g.objectKind()) {
      case "sequence" -> "SEQUENCE ";
      case "schema" -> "SCHEMA ";
      case "database" -> "DATABASE ";
      default -> "";
    };
    return "GRANT " + g.privilege() + " ON " + on + (g.object() == null ? "current_database()" : g.object()) + " TO "
        + role + ";";
  }

  @Override
  public Diagnosis unwantedPrivilege(Cause.UnwantedPrivilege c) {
    String grants = c.held().stream().map(Grant::describe).collect(Collectors.joining("; "));
    return Diagnosis.of(
        "Role " + role(c.role()) + " holds " + grants + ", which the package's privilege check requires it to lack.",
        "Decide with the approver whether the role or the check is wrong; " + UNCHANGED,
        "Revoke it as a separate approved change, then re-run this package.",
        "If the check's expectation is stale, re-issue the package with the corrected check.");
  }

  @Override
  public Diagnosis journalNotReady(Cause.JournalNotReady c) {
    String role = role(c.applyRole());
    String init = "Run cutter init --grant " + role + " as an administrator, then re-run; " + UNCHANGED;
    return switch (c.problem()) {
      case MISSING -> Diagnosis.of("The target has no cutter journal (cutter.journal): cutter init was not run there.",
          init, "Run cutter init --grant " + role + " (an administrator's one-time step), then re-run this package.");
      case FUNCTIONS_MISSING -> Diagnosis.of("cutter's journal on the target predates its functions.", init,
          "Run cutter init --grant " + role + " to upgrade the journal in place, then re-run.");
      case NOT_GRANTED -> Diagnosis.of("apply_role " + role + " cannot record its run in cutter's journal.", init,
          "Run cutter init --grant " + role + " (an administrator's one-time step), then re-run this package.");
      case ROLE_CAN_REWRITE -> Diagnosis.of("apply_role " + role + " may write cutter's journal directly, so it"
              + " could erase a consumed authorization.", init,
          "Run cutter init --grant " + role + ": it revokes the direct grants.");
      case OWNER_MEMBER, CREATEROLE -> Diagnosis.of("apply_role " + role + " may act as the owner of cutter's journal"
              + (c.problem() == Cause.JournalProblem.CREATEROLE ? " (through CREATEROLE)" : "")
              + ", so it could rewrite the journal and replay a consumed package.",
          "Use an apply role that cannot act as the journal's owner; " + UNCHANGED,
          "Re-issue the package with an apply_role that is not a member of the journal's owner and has no CREATEROLE.",
          "Let a superuser own cutter.journal (cutter init as a superuser).");
    };
  }

  @Override
  public Diagnosis objectsPresent(Cause.ObjectsPresent c) {
    return Diagnosis.of(
        "Objects the package creates already exist on the target: " + String.join("; ", c.objects())
            + ". The target drifted since the package was written, or the change was already made.",
        "Inspect those objects and decide whether the package or the target is out of date; " + UNCHANGED,
        "If they are the intended change, do not re-apply: confirm with cutter verify PKG.",
        "If they are unrelated, re-issue the package with other names.",
        "Remove the conflicting objects in a separate approved change, then re-run.");
  }

  @Override
  public Diagnosis objectsAbsent(Cause.ObjectsAbsent c) {
    return Diagnosis.of(
        "Objects the change depends on are missing on the target: " + String.join("; ", c.objects()) + ".",
        "Find out why they are missing before anything runs; " + UNCHANGED,
        "Create them first in their own approved change, then re-run this package.",
        "If the package expects the wrong objects, correct it and re-issue it.");
  }

  @Override
  public Diagnosis baselineDiffers(Cause.BaselineDiffers c) {
    return Diagnosis.of(
        "The catalog baseline differs from the one the package was written against: "
            + String.join("; ", c.differences()) + ". The schema drifted since the package was approved.",
        "Find the change that made the difference (who, when, why) before anything runs; " + UNCHANGED,
        "If the drift is expected, re-issue the package with the new baseline (cutter baseline) after review.",
        "If the drift is not expected, investigate and undo it through its own approved change.");
  }

  @Override
  public Diagnosis checkQueryDiffers(Cause.CheckQueryDiffers c) {
    return Diagnosis.of(
        "Check " + c.check() + " returned " + (c.returned() == null ? "no value" : c.returned()) + ", the package expects "
            + c.expects() + ".",
        "Bring the target into the state the check requires, or correct the check; " + UNCHANGED,
        "Bring the target into the state the check requires through its own approved change, then re-run.",
        "If the check's expectation is stale, re-issue the package with the corrected check.");
  }

  @Override
  public Diagnosis outsideBackupScope(Cause.OutsideBackupScope c) {
    return Diagnosis.of(
        "The change touches " + String.join(", ", c.objects()) + ", outside the backup scope: the backup would"
            + " not hold it.",
        "Widen the backup scope and re-issue the package; " + UNCHANGED,
        "Add the schema to backup.scope (or use scope: database) and have the package signed again.");
  }

  @Override
  public Diagnosis notInAnyBackup(Cause.NotInAnyBackup c) {
    return Diagnosis.of(
        "The change destroys rows of " + String.join(", ", c.relations()) + ", which no backup holds: pg_dump dumps an"
            + " extension, not the data of its member tables.",
        "Have the table taken out of its extension, or leave its destruction out of the package; " + UNCHANGED,
        "Take the table out of its extension (ALTER EXTENSION … DROP TABLE) through its own approved change, then re-run.",
        "If the table is the extension's own, leave the change that destroys its rows out of the package and have it signed"
            + " again.");
  }

  @Override
  public Diagnosis nameUnproven(Cause.NameUnproven c) {
    return Diagnosis.of(
        "The artifact names " + String.join("; ", c.names()) + " unqualified after setting its own search_path, and"
            + " cutter cannot prove PostgreSQL resolves it in the first schema that search_path lists, where every check"
            + " read it.",
        "Qualify the name in the artifact and re-issue the package; " + UNCHANGED,
        "Write the name schema-qualified (schema.name) in the artifact and have the package signed again.");
  }

  @Override
  public Diagnosis targetChangedSinceP1(Cause.TargetChangedSinceP1 c) {
    String what = switch (c.what()) {
      case CATALOG -> "the relations the change touches changed between the preflight and BEGIN";
      case SERVER -> "the apply session is connected to another server than the one the preflight checked";
      case LOCKS_NOT_GRANTED -> "other sessions held locks on relations the change touches past lock_timeout";
      case CHECK -> "a preflight check no longer held at BEGIN";
      case CREATED_BY_ANOTHER_SESSION, CREATED_IN_ANOTHER_SCHEMA, SCHEMA_NO_LONGER_USABLE, SEARCH_PATH_CHANGED_UNSEEN,
          SCHEMA_MADE_BY_ANOTHER_SESSION, TEMPORARY_TABLE_TAKES_NAME -> null;
    };
    if (what == null) {
      return createdElsewhere(c);
    }
    return Diagnosis.of(
        "The change did not begin: " + what + ". The transaction was rolled back before the first statement.",
        "Find what changed the target during the run, then re-run the same package; " + UNCHANGED,
        "Re-run in a quieter window (the package can run again as it is).",
        "Find the sessions involved (pg_stat_activity, pg_locks) and coordinate with their owners before retrying.");
  }

  /**
   * A relation the change creates first was not the change's own after BEGIN: names and schemas cannot be
   * locked, so cutter proved it as the change ran (R41, R43, R45, R46) and found another session's work.
   */
  private Diagnosis createdElsewhere(Cause.TargetChangedSinceP1 c) {
    String relation = c.relation() == null ? "A relation the change creates" : "Relation " + c.relation();
    boolean autocommit = r.applySettings() != null && "autocommit".equals(r.applySettings().mode());
    String ended = autocommit
        ? " The statement that created it was rolled back, and the statements after it did not run."
        : " The change was rolled back.";
    String retry = "Re-run the same package once the target is as the preflight found it (the package can run again"
        + " as it is).";
    if (c.what() == Cause.Recheck.SEARCH_PATH_CHANGED_UNSEEN && autocommit) {
      // R61: found right before a statement, which was kept back; each statement before it committed on its own
      return Diagnosis.of("Before the statement named above the session's search_path was '" + c.schema() + "', not '"
              + c.expectedSchema() + "' as the artifact's statements leave it: something an earlier statement ran (a"
              + " function calling set_config) changed it for the session without the artifact's text saying so, and"
              + " that statement's unqualified names would have resolved elsewhere than the preflight proved. It was"
              + " not sent, nor those after it; the statements before it committed and were not undone.",
          "Find which statement changed the search_path or the role (the functions the artifact calls), and inspect"
              + " what the committed statements did.",
          "Set the search_path in the artifact itself (SET search_path) or qualify every name, and issue a package for"
              + " the statements that did not run (this one is consumed).",
          "If the function must change it, have it set search_path in its own definition (SET clause) so the change ends with it.");
    }
    if (c.what() == Cause.Recheck.SEARCH_PATH_CHANGED_UNSEEN) {
      return Diagnosis.of("Before COMMIT the session's search_path was '" + c.schema() + "', not '" + c.expectedSchema()
              + "' as the artifact's statements leave it: something the change ran (a function calling set_config)"
              + " changed it without the artifact's text saying so, so unqualified names after it may have resolved"
              + " elsewhere than the preflight proved and BEGIN locked." + ended,
          "Find which statement changed the search_path (the functions the artifact calls) before re-running.",
          "Set the search_path in the artifact itself (SET search_path) or qualify every name, and re-issue the package.",
          "If the function must change it, have it set search_path in its own definition (SET clause) so the change ends with it.");
    }
    if (c.what() == Cause.Recheck.TEMPORARY_TABLE_TAKES_NAME) {
      return Diagnosis.of((autocommit ? "Before the statement named above" : "Before COMMIT") + " the session had"
              + " temporary relation(s) " + c.relation() + ", named as relations the artifact names without a schema and"
              + " does not create temporary itself: something the change ran (a function's CREATE TEMPORARY TABLE) made"
              + " them, and as the server searches the temporary schema first, the statements after it "
              + (autocommit ? "would have written there, not where the preflight proved. It was not sent, nor those after"
                  + " it; the statements before it committed and were not undone."
                  : "wrote there, not where the preflight proved." + ended),
          "Find which function the artifact calls creates a temporary table of that name.",
          "Qualify the names the artifact writes (schema.table), or have the function use another name, and re-issue"
              + " the package.",
          "If the temporary table is meant, create it in the artifact's own text (CREATE TEMPORARY TABLE).");
    }
    if (c.what() == Cause.Recheck.SCHEMA_MADE_BY_ANOTHER_SESSION) {
      String schema = c.schema() == null ? "A schema" : "Schema " + c.schema();
      return Diagnosis.of(schema + ", which the change creates and its own search_path lists first, was created by"
              + " another session after BEGIN: the change's CREATE SCHEMA IF NOT EXISTS made nothing, and its objects"
              + " would have gone into a schema another role rules over." + ended,
          "Find who created the schema and why before re-running.",
          "If it is not meant to be there, drop it through its own approved change; then: " + retry,
          "If it is meant to stay, re-issue the package for the target as it is now.");
    }
    if (c.what() == Cause.Recheck.SCHEMA_NO_LONGER_USABLE) {
      String schema = c.schema() == null ? "A schema" : "Schema " + c.schema();
      return Diagnosis.of(schema + ", which the artifact's own search_path lists first and where the preflight proved"
              + " its unqualified names, was dropped or made unusable for apply_role after BEGIN: PostgreSQL looked"
              + " further along that path, where nothing was locked or proved." + ended,
          "Find who changed the schema and why before re-running.",
          "Once the schema is as the preflight found it: " + retry,
          "Qualify the names in the artifact and re-issue the package.");
    }
    if (c.what() == Cause.Recheck.CREATED_IN_ANOTHER_SCHEMA) {
      String schema = c.schema() == null ? "another schema" : "schema " + c.schema();
      return Diagnosis.of(relation + ", which the change creates under an unqualified name, went to " + schema
              + ", not to " + (c.expectedSchema() == null ? "the schema" : c.expectedSchema()) + " where the preflight"
              + " and BEGIN saw an unqualified CREATE go: another session made " + schema + " on apply_role's"
              + " search_path after BEGIN (a schema named as the role comes first, as \"$user\")." + ended,
          "Find who made " + schema + " and why before re-running: a re-run would create the relation there.",
          "If " + schema + " is not meant to be there, drop it through its own approved change; then: " + retry,
          "Qualify the names the artifact creates (or have it set its own search_path) and re-issue the package.");
    }
    return Diagnosis.of(relation + ", which the change creates and which was absent at the preflight and at BEGIN,"
            + " was created by another session after BEGIN, not by the change: the change's CREATE … IF NOT EXISTS"
            + " created nothing, and its statements would have acted on that session's relation (its triggers, its"
            + " owner)." + ended,
        "Find the session that created it and why (pg_stat_activity, server log) before re-running: a re-run would"
            + " take that relation as the change's.",
        "If that relation is not meant to be there, remove it through its own approved change; then: " + retry,
        "If it is meant to stay, re-issue the package for the target as it is now.");
  }

  @Override
  public Diagnosis backupRefused(Cause.BackupRefused c) {
    String selftest = "Fix the cause, run cutter backup --selftest PKG, then re-run the apply; " + UNCHANGED;
    String reason = " (the P2 backup section below says what was found)";
    return switch (c.kind()) {
      case TOOL_MISSING -> Diagnosis.of("pg_dump or pg_restore cannot be run on this host" + reason + ".", selftest,
          "Install the PostgreSQL client tools of the server's major version and point cutter at them.");
      case TOOL_TOO_OLD -> Diagnosis.of("pg_dump is older than the server's major version and cannot dump it"
          + reason + ".", selftest, "Install pg_dump of the server's major version (or newer) and point cutter at it.");
      case CANNOT_CONNECT, UNREADABLE -> Diagnosis.of("backup_role cannot connect or read the backup scope" + reason
              + ".", selftest,
          "Grant the backup role CONNECT, USAGE on the schema and SELECT on its tables and sequences, as a separate"
              + " approved change.",
          "Re-issue the package with a backup_role that can already read the whole scope.");
      case SCOPE_MISSING -> Diagnosis.of("The backup scope names schemas that do not exist" + reason + ".", selftest,
          "Correct backup.scope and re-issue the package.");
      case KEYS -> Diagnosis.of("The backup could not be encrypted to the package's keys" + reason + ".", selftest,
          "Import the backup public key (encrypt_to) into the keyring cutter uses, or set recipient_keys.",
          "Check that the fingerprints in encrypt_to (and their ${ENV} values) are the intended keys.");
      case DIRECTORY -> Diagnosis.of("The backup directory cannot take the backup" + reason + ".", selftest,
          "Make backup.dir exist, owned by the user cutter runs as and writable by it alone, then re-run.",
          "Re-issue the package with another backup dir.");
      case NO_SPACE -> Diagnosis.of("The backup directory has too little free space" + reason + ".", selftest,
          "Free space in the backup directory (old backups past retention), then re-run.",
          "Re-issue the package with a backup dir on a larger volume.");
      case TOO_SMALL -> Diagnosis.of("The dump is smaller than min_bytes: an empty or truncated backup, which is never"
              + " accepted" + reason + ".", selftest,
          "Find why the dump is small (scope, privileges of the backup role, pg_dump errors) and fix it.",
          "If the database really is that small, re-issue the package with a lower min_bytes after review.");
      case DUMP_FAILED, ARCHIVE_INVALID -> Diagnosis.of("The dump failed or did not verify" + reason + ".", selftest,
          "Read pg_dump's error in the backup section, fix its cause (privileges of the backup role, tools), and"
              + " re-run.");
      case WRONG_SERVER -> Diagnosis.of("The backup came from another server than the target" + reason + ".",
          "Check that the backup role's connection reaches the target itself; " + UNCHANGED,
          "Point the backup connection (backup_role, service, PG* environment) at the target and re-run.");
      case INTERRUPTED -> Diagnosis.of("The backup was interrupted" + reason + ".", selftest,
          "Re-run the apply once the interruption is understood.");
      case RESTORE_PROOF -> Diagnosis.of("The backup's restore proof did not hold" + reason + ".", selftest,
          "Read the differences in the backup section and re-run once they are understood.");
      case FORMAT_UNSUPPORTED -> Diagnosis.of("The package's backup format cannot be written through the pg_dump command"
              + " prefix" + reason + ".", selftest,
          "Run cutter without --pg-dump-via, with client tools of the server's major version on this host.",
          "Re-issue the package with backup.format: custom, which the prefix can write.");
    };
  }

  @Override
  public Diagnosis restoreProofFailed(Cause.RestoreProofFailed c) {
    String tables = c.tables().isEmpty() ? "" : " (" + String.join(", ", c.tables().stream().limit(10).toList())
        + (c.tables().size() > 10 ? ", ..." : "") + ")";
    String selftest = "Fix the cause, then re-run; the backup was quarantined, not kept; " + UNCHANGED;
    return switch (c.kind()) {
      case SCRATCH_REFUSED -> Diagnosis.of("The backup's restore proof had no usable scratch server (the P2 backup"
              + " section below says why).", selftest,
          "Give the restore proof a server of the target's major version where cutter may create a database"
              + " (--restore-into URL), or use a build that bundles that major.");
      case RESTORE_FAILED -> Diagnosis.of("The backup could not be restored into a scratch database: the archive is not"
              + " a usable backup as it stands (the P2 backup section below has pg_restore's own lines of the error; the"
              + " server's message is withheld, as code the restore ran may have put rows into it).", selftest,
          "Restore the quarantined archive by hand (pg_restore --exit-on-error) to read the server's message, fix what the"
              + " restore needs (extensions, roles a policy names) and re-run.");
      case RELATIONS_DIFFER -> Diagnosis.of("The restored backup does not hold the source's relations" + tables + ".",
          selftest, "Compare the dump's scope with the source (backup.scope) and re-run.");
      case ROWS_DIFFER -> Diagnosis.of("The restored backup's row counts differ from the source's at the dump's snapshot"
              + tables + ".", selftest,
          "Treat the backup as unusable; find why the rows differ (pg_restore errors, triggers on restore) and re-run.");
      case CATALOG_DIFFERS -> Diagnosis.of("The restored backup's catalog differs from the source's at the dump's"
              + " snapshot" + tables + ".", selftest,
          "Read the differences in the backup section and re-run once they are understood.");
    };
  }

  @Override
  public Diagnosis sqlError(Cause.SqlError c) {
    return SqlErrorDiagnoses.diagnose(c, r.mode() == RunMode.PREFLIGHT || r.mode() == RunMode.UNSIGNED_PREFLIGHT || c.at() == Cause.ErrorSite.CHECK
        || c.at() == Cause.ErrorSite.REHEARSAL);
  }

  @Override
  public Diagnosis statementAmongFailed(Cause.StatementAmongFailed c) {
    return Diagnosis.of("One of statements " + c.first() + " to " + c.last() + " (lines " + c.firstLine() + " to "
            + c.lastLine() + ") failed with SQLSTATE " + c.sqlstate() + " before any of them ran, and the server did not"
            + " say which: they were sent as one message and the error has no position. None of them ran; the"
            + " change was rolled back.",
        "Find the failing statement among them (run them one by one against a copy of the target), fix it and"
            + " re-issue the package.",
        "Run statements " + c.first() + " to " + c.last() + " one by one against a copy of the target to find the"
            + " failing one, fix it and re-issue the package.");
  }

  @Override
  public Diagnosis lexingSettingChanged(Cause.LexingSettingChanged c) {
    String assumed = c.assumed() == null ? "on for some of its lines and off for others" : c.assumed() ? "on" : "off";
    String where = (c.script() == null ? "" : c.script() + ":") + c.line();
    return Diagnosis.of("Statement " + c.statement() + " (" + where + ") was not sent: it was split with"
            + " standard_conforming_strings " + assumed + ", but the server reported " + (c.reported() ? "on" : "off")
            + " after the statements before it ran (a function one of them ran changed the setting with set_config, or"
            + " the role's or database's default is not the split's), so the server would have read it otherwise than"
            + " the listing and the signed review show it. "
            + (r.applySettings() != null && "autocommit".equals(r.applySettings().mode())
                ? "It and the statements after it did not run." : "The change was rolled back."),
        "Set standard_conforming_strings explicitly in the script (a SET statement the split follows) or stop the"
            + " function from changing it, and re-issue the package.",
        "Find the function an earlier statement runs (a DEFAULT, a CHECK, an index expression) that calls set_config on"
            + " standard_conforming_strings, remove that call, and re-issue the package.",
        "If the change of setting is intended, or the target's default is off (ALTER ROLE/DATABASE … SET), write SET"
            + " standard_conforming_strings in the script before the statement, so that the split reads it as the"
            + " server will.");
  }

  @Override
  public Diagnosis outcomeUnknown(Cause.OutcomeUnknown c) {
    String run = r.runId() == null ? "this run" : "run " + r.runId();
    return Diagnosis.of(
        "The connection to the server was lost " + (c.atCommit() ? "during COMMIT"
            : r.applySettings() != null && "transaction".equals(r.applySettings().mode())
            ? "while a statement ran, and its transaction had not ended on the server when cutter looked"
            : "while a statement ran in autocommit mode") + ", and whether the change committed is not known from the"
            + " client side.",
        "Look for " + run + " in cutter.journal and run cutter verify before anything else; do not re-run blindly.",
        "Run cutter verify PKG: if it holds, the change is in place.",
        "If it does not hold and the journal has no row of this run, the change did not commit: re-run when the server"
            + " is stable.");
  }

  @Override
  public Diagnosis verificationFailed(Cause.VerificationFailed c) {
    return Diagnosis.of("Verification failed: " + checks(c.checks()) + " did not hold.",
        "Find out why the verify checks do not hold; correct the package or the target.",
        "If the change is missing, re-run the package after finding why it did not land.",
        "If a verify check is wrong, correct it and re-issue the package.");
  }

  @Override
  public Diagnosis changeRolledBack(Cause.ChangeRolledBack c) {
    return Diagnosis.of("The change was rolled back: cutter rollback run " + c.rollbackRunId() + " ("
        + c.rollbackVerdict() + (c.rolledBackAt() == null ? "" : ", " + c.rolledBackAt()) + ") undid apply run "
        + c.applyRunId() + ", so " + checks(c.checks()) + " no longer holds.",
        "Nothing to do if the rollback was meant; cutter history lists both runs.",
        "Nothing to do if the rollback was meant: the target is as it was before the change.",
        "To have the change again, issue it as a new package (this package's authorization is consumed).");
  }

  private static String checks(List<String> ids) {
    return ids.isEmpty() ? "no individual check" : "check " + String.join(", ", ids);
  }

  @Override
  public Diagnosis rollbackRefused(Cause.RollbackRefused c) {
    String refused = "cutter rollback refused: ";
    String next = "Check that --target names the database the package was applied to; " + UNCHANGED;
    return switch (c.kind()) {
      case NO_ROLLBACK -> Diagnosis.of(refused + "the package has no rollback section.",
          "Undo the change, if needed, with a new approved package; " + UNCHANGED,
          "Write a rollback for this change as its own approved package.");
      case NO_JOURNAL, NOT_APPLIED -> Diagnosis.of(refused + "this package was never applied on this target (no"
              + " journal row for its sha256). A rollback runs only where the package was applied, and only once.",
          next, "Run the rollback against the target the package was applied to.",
          "If the change was made there by other means, undo it with a new approved package.");
      case ALREADY_ROLLED_BACK -> Diagnosis.of(refused + "this package was already rolled back on this target."
              + " A rollback runs only once.", next,
          "Confirm the target's state with cutter verify; nothing is left to roll back.");
      case PRECONDITION_FAILED -> Diagnosis.of("The rollback's precondition does not hold on the target.",
          "Find out why the target is not in the state the rollback expects; " + UNCHANGED,
          "Adapt the rollback to the target's actual state and run it as its own approved package.",
          "Fix the rollback precondition: it must hold right after this change is applied.");
      case FAILED -> Diagnosis.of("The rollback could not run.",
          "Read the rollback gate, fix its cause, and decide with the approver before retrying.",
          "Find why the rollback failed, adapt it to the target's state and run it as its own approved package.");
      case BASELINE_DIFFERS -> Diagnosis.of("The rollback ran, but the catalog baseline is not the one before the"
              + " apply.", "Compare baseline_before and baseline_after below; a person decides.",
          "Remove what the rollback left behind, as its own approved change.",
          "Fix the rollback artifact so that it brings back the pre-apply baseline.");
    };
  }

  @Override
  public Diagnosis checkCanOpenSessions(Cause.CheckCanOpenSessions c) {
    return Diagnosis.of(
        "The package's SQL checks were not run: " + c.role() + " may execute " + c.function() + ", which opens a"
            + " session of its own that is not read-only (itself, or as a SECURITY DEFINER function whose owner may"
            + " use dblink), so a check could write on the target.",
        "Have the target's owner revoke what lets " + c.role() + " open sessions, then run again; " + UNCHANGED,
        "Revoke EXECUTE on " + c.function() + " (or on the dblink extension's functions) from " + c.role()
            + " and PUBLIC, or drop the extension: a check runs as " + c.role() + " and must not reach a session that"
            + " can write.");
  }

  @Override
  public Diagnosis checkCanUseForeignServer(Cause.CheckCanUseForeignServer c) {
    return Diagnosis.of(
        "The package's SQL checks were not run: " + c.role() + " can read foreign tables of the server "
            + c.server() + " (postgres_fdw) through a user mapping (its own, PUBLIC's, or that of the owner of a view"
            + " or SECURITY DEFINER function it may use), whose session is not read-only, so a check could write"
            + " through it.",
        "Have the target's owner drop that user mapping for " + c.server() + ", or " + c.role()
            + "'s access to that owner's views and functions, then run again; " + UNCHANGED,
        "Drop the user mappings on " + c.server() + " that " + c.role() + " can reach: a check runs as " + c.role()
            + " and must not reach a session that can write.");
  }
  @Override
  public Diagnosis checkCanWriteServerFiles(Cause.CheckCanWriteServerFiles c) {
    return Diagnosis.of(
        "The package's SQL checks were not run: " + c.role() + " may execute " + c.route() + ", whose code runs as a"
            + " superuser, a role that may write the server's files (COPY … TO, lo_export, adminpack) or run its"
            + " programs, or a REPLICATION role (a replication slot outlives the rollback), which a read-only"
            + " transaction does not stop, so a check could write on the server.",
        "Have the target's owner revoke EXECUTE on " + c.route() + " from " + c.role() + " and PUBLIC, then run again; "
            + UNCHANGED,
        "Give " + c.route() + " an owner that is no superuser and may not write the server's files, or revoke"
            + " EXECUTE on it from " + c.role() + " and PUBLIC: a check runs as " + c.role() + " and must not reach"
            + " code that can write.");
  }


  @Override
  public Diagnosis checkCanEmitLogicalMessages(Cause.CheckCanEmitLogicalMessages c) {
    return Diagnosis.of(
        "The package's SQL checks were not run: " + c.role() + " may execute " + c.route() + ", which writes a"
            + " logical decoding message to the WAL at once (a read-only transaction allows it), and the logical"
            + " replication slot " + c.slot() + " hands it to its consumer although the check rolls back.",
        "Have the target's owner revoke EXECUTE on " + c.route() + " from " + c.role() + " and PUBLIC, then run again; "
            + UNCHANGED,
        "Revoke EXECUTE on pg_catalog.pg_logical_emit_message (each of its forms) from " + c.role() + " and PUBLIC, or"
            + " on the SECURITY DEFINER function that leads there: a check runs as " + c.role() + " and must not"
            + " reach a write that outlives its rollback.");
  }

  @Override
  public Diagnosis invalidCheck(Cause.InvalidCheck c) {
    return Diagnosis.of(
        "Check " + c.check() + " cannot run as written: its type is not installed, its arguments are invalid, or its"
            + " query is not one read-only query.",
        "Correct the check in the package and have it signed again; " + UNCHANGED,
        "Correct the check (type, arguments, one read-only query) and re-issue the package.");
  }

  // ---- safety on a live database -------------------------------------------------------------

  @Override
  public Diagnosis sessionsInTheWay(Cause.SessionsInTheWay c) {
    String pids = c.pids().stream().map(String::valueOf).collect(Collectors.joining(", "));
    if (c.earlierRun()) {
      return Diagnosis.of(
          "An earlier cutter run's statement still executes on the target (pid " + pids + "): its client is gone,"
              + " the server runs it on, and no new change begins while it holds its locks.",
          "Wait for it to end, or cancel it after deciding with its owner (the Blockers section names it); "
              + UNCHANGED,
          "Re-run with --lock-wait DURATION to wait until it has ended.",
          "If it must not finish, end it (select pg_cancel_backend(pid), then pg_terminate_backend), then run"
              + " cutter verify before anything else.");
    }
    return Diagnosis.of(
        "Sessions were in the way of the locks the change takes (pid " + pids + ")"
            + (c.relations().isEmpty() ? "" : " on " + String.join(", ", c.relations()))
            + ": beginning would have queued every query on those tables behind them.",
        "Wait for them or end them (the Blockers section names each, with what to do); " + UNCHANGED,
        "Re-run with --lock-wait DURATION to wait until they are gone.",
        "End each session named (select pg_terminate_backend(pid)) once its owner agrees, then re-run.",
        "If old transactions count that should not, set apply.max_blocker_age in a new package.");
  }

  @Override
  public Diagnosis lockHazardsDenied(Cause.LockHazardsDenied c) {
    String rules = String.join(", ", c.rules());
    return Diagnosis.of(
        "The change takes locks the lint policy denies (" + rules + "): on a busy database those statements would"
            + " block reads or writes for as long as they run.",
        "Rewrite the statements the safe way (docs/lock-safety.md names it for each rule); " + UNCHANGED,
        "Use the safe form of each statement named in the Lock hazards section (e.g. CREATE INDEX CONCURRENTLY in"
            + " an online step, NOT VALID then VALIDATE CONSTRAINT), and have the package signed again.",
        "If the hazard is accepted (a small table, a quiet window), allow the rule in the package's lint.allow"
            + " and have the exception signed.");
  }

  @Override
  public Diagnosis lintFloorBroken(Cause.LintFloorBroken c) {
    String rules = String.join(", ", c.rules());
    return Diagnosis.of(
        "The package allows lock-hazard rules (" + rules + ") that this host's trust policy denies to every"
            + " package (lint.floor).",
        "Remove them from lint.allow and rewrite the statements the safe way; " + UNCHANGED,
        "Remove " + rules + " from lint.allow, change the statements (docs/lock-safety.md), and have the package"
            + " signed again.",
        "If this host must accept them, change the trust policy's lint.floor through its own change.");
  }

  @Override
  public Diagnosis onlineStepFailed(Cause.OnlineStepFailed c) {
    String what = c.refused() ? "could not begin" : "stopped at statement " + (c.done() + 1) + " of " + c.total()
        + (c.sqlstate() == null ? "" : " (SQLSTATE " + c.sqlstate() + ")");
    return Diagnosis.of(
        "The change committed, but its online step " + what + "; " + c.done() + " of " + c.total()
            + " online statements ran."
            + (c.invalidIndexLeft() ? " An INVALID index the failed build left could not be dropped." : ""),
        "A person decides what comes next: the transactional part stays, and the package is consumed.",
        "Fix the cause named in the Online step section, then issue a new package whose online artifact holds the"
            + " statements that did not run, and run cutter verify.",
        c.invalidIndexLeft() ? "Drop the INVALID index by hand (DROP INDEX CONCURRENTLY IF EXISTS) before re-trying."
            : "If the rest is not needed, record that the change is complete without it.");
  }

  @Override
  public Diagnosis internalError(Cause.InternalError c) {
    return Diagnosis.of(
        "cutter stopped on an internal error (a bug): " + c.what() + ". production_changed says whether the target"
            + " was touched.",
        r.productionChanged()
            ? "A person must check the target now (cutter verify PKG); then report the bug with this report."
            : "Report the bug with this report attached; the target was not changed, so the run can be retried.",
        "Report the bug with this report and the log (--verbose shows the stack trace).",
        "Check the target with cutter verify PKG before running anything else against it.");
  }
}
