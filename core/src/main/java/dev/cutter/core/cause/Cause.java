package dev.cutter.core.cause;

import dev.cutter.core.check.TargetAccess;
import dev.cutter.core.exec.RoleSwitch;
import dev.cutter.core.integrity.SignatureStatus;
import java.time.Instant;
import java.util.List;

/**
 * Why a gate or a check did not hold, as data: one record per way a run can be refused or fail.
 * Gates and checks attach the cause where they find it; the report's diagnosis is a switch over
 * this type (no default branch), so a new cause cannot be added without its diagnosis. The
 * result's message is for people only and is never read by code.
 *
 * <p>To add a cause: add a record here implementing {@code Cause}, produce it where the failure is
 * found, then let the compiler point at the diagnosis switch that must name it, and add its row to
 * the cause table test.
 */
public sealed interface Cause {

  /** Hands this cause to the visitor method for its type. */
  <R> R accept(Visitor<R> v);

  /**
   * One method per cause, none with a default: a new cause does not compile until every visitor
   * (the report's diagnosis first) handles it. Java 17's exhaustive switch over a sealed type.
   */
  interface Visitor<R> {
    R quorumNotMet(QuorumNotMet c);

    R signatureRefused(SignatureRefused c);

    R artifactHashMismatch(ArtifactHashMismatch c);

    R authorizationExpired(AuthorizationExpired c);

    R timeoutsForbidden(TimeoutsForbidden c);

    R tlsRequirementNotMet(TlsRequirementNotMet c);

    R cannotConnect(CannotConnect c);

    R runLockHeld(RunLockHeld c);

    R packageAlreadyConsumed(PackageAlreadyConsumed c);

    R identityMismatch(IdentityMismatch c);

    R loginRoleRefused(LoginRoleRefused c);

    R missingPrivilege(MissingPrivilege c);

    R unwantedPrivilege(UnwantedPrivilege c);

    R journalNotReady(JournalNotReady c);

    R objectsPresent(ObjectsPresent c);

    R objectsAbsent(ObjectsAbsent c);

    R baselineDiffers(BaselineDiffers c);

    R checkQueryDiffers(CheckQueryDiffers c);

    R outsideBackupScope(OutsideBackupScope c);

    R notInAnyBackup(NotInAnyBackup c);

    R nameUnproven(NameUnproven c);

    R targetChangedSinceP1(TargetChangedSinceP1 c);

    R backupRefused(BackupRefused c);

    R restoreProofFailed(RestoreProofFailed c);

    R sqlError(SqlError c);

    R outcomeUnknown(OutcomeUnknown c);

    R statementAmongFailed(StatementAmongFailed c);

    R lexingSettingChanged(LexingSettingChanged c);

    R verificationFailed(VerificationFailed c);

    R changeRolledBack(ChangeRolledBack c);

    R rollbackRefused(RollbackRefused c);

    R invalidCheck(InvalidCheck c);

    R checkCanOpenSessions(CheckCanOpenSessions c);

    R checkCanUseForeignServer(CheckCanUseForeignServer c);

    R checkCanWriteServerFiles(CheckCanWriteServerFiles c);

    R checkCanEmitLogicalMessages(CheckCanEmitLogicalMessages c);

    R sessionsInTheWay(SessionsInTheWay c);

    R lockHazardsDenied(LockHazardsDenied c);

    R lintFloorBroken(LintFloorBroken c);

    R onlineStepFailed(OnlineStepFailed c);

    R internalError(InternalError c);
  }


  // ---- the package and its approval (offline) ----------------------------------------------------

  /** Fewer distinct approvers signed validly than the trust policy requires. */
  record QuorumNotMet(int required, int valid) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.quorumNotMet(this);
    }
  }

  /** A signature that must stop the run (tamper evidence), or one that did not count, and why. */
  record SignatureRefused(int index, SignatureStatus status) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.signatureRefused(this);
    }
  }

  /** An artifact's sha256 is not the one the package pins; {@code found} is null when unreadable. */
  record ArtifactHashMismatch(String path, String pinned, String found) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.artifactHashMismatch(this);
    }
  }

  /** The authorization's expires_at had passed when checked ({@code atBegin}: again, right before BEGIN). */
  record AuthorizationExpired(Instant expiresAt, Instant checkedAt, boolean atBegin) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.authorizationExpired(this);
    }
  }

  /** The trust policy forbids disabling a timeout (allow_timeouts_off: false) and the package disables one. */
  record TimeoutsForbidden(String settings) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.timeoutsForbidden(this);
    }
  }

  /** The trust policy requires verified TLS to a target that is not local. */
  record TlsRequirementNotMet(String host, String sslmode) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.tlsRequirementNotMet(this);
    }
  }

  // ---- the target and the run ------------------------------------------------------------------

  /** The target could not be reached; {@code sqlstate} as the driver or server gave it (may be null). */
  record CannotConnect(String target, String sqlstate) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.cannotConnect(this);
    }
  }

  /** Another cutter run holds the target's run lock, or an earlier run's statement still executes. */
  record RunLockHeld(String holder, boolean changeStillRunning) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.runLockHeld(this);
    }
  }

  /** This package's sha256 already has a journal row on the target: its authorization is consumed. */
  record PackageAlreadyConsumed(long journalId, String runId, String verdict, boolean unfinished) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.packageAlreadyConsumed(this);
    }
  }

  /** The target is not the one the package names. */
  record IdentityMismatch(IdentityField field, String pinned, String found) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.identityMismatch(this);
    }
  }

  /** Which part of the target's identity differs. */
  enum IdentityField { SYSTEM_IDENTIFIER, DATABASE, SERVER_VERSION }

  /**
   * No session could act as apply_role: {@code refusal} says why; {@code excess} is what the
   * login role holds that apply_role lacks (empty unless PRIVILEGED_LOGIN).
   */
  record LoginRoleRefused(TargetAccess.Refusal refusal, String loginRole, String applyRole, RoleSwitch.Excess excess)
      implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.loginRoleRefused(this);
    }
  }

  /** {@code role} (in {@code as}) lacks {@code missing}; nothing else was wrong. */
  record MissingPrivilege(RoleKind as, String role, List<Grant> missing) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.missingPrivilege(this);
    }

    public MissingPrivilege {
      missing = List.copyOf(missing);
    }
  }

  /** Which role of the package a privilege is missing for. */
  enum RoleKind { APPLY_ROLE, BACKUP_ROLE, PACKAGE_CHECK }

  /**
   * One privilege on one object, e.g. SELECT on sequence "cutter.journal_id_seq"; privilege
   * {@link #OWNERSHIP} means the role must own (or act as the owner of) the object. {@code line}:
   * the artifact line of the first statement that needs it, 0 when no statement line is known.
   */
  record Grant(String privilege, String objectKind, String object, int line) {
    public static final String OWNERSHIP = "OWNERSHIP";

    /** A grant no statement line is known for. */
    public Grant(String privilege, String objectKind, String object) {
      this(privilege, objectKind, object, 0);
    }

    /** This grant, needed first by the statement at artifact line {@code l}. */
    public Grant at(int l) {
      return new Grant(privilege, objectKind, object, l);
    }

    /** e.g. {@code SELECT on sequence cutter.journal_id_seq}. */
    public String describe() {
      return (privilege.equals(OWNERSHIP) ? "ownership of " : privilege + " on ") + objectKind
          + (object == null ? "" : " " + object);
    }
  }

  /** A package privilege check found {@code role} holding what it must lack. */
  record UnwantedPrivilege(String role, List<Grant> held) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.unwantedPrivilege(this);
    }

    public UnwantedPrivilege {
      held = List.copyOf(held);
    }
  }

  /** cutter's journal is not ready for apply_role (cutter init not run, or unsafe). */
  record JournalNotReady(JournalProblem problem, String applyRole) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.journalNotReady(this);
    }
  }

  /** What is wrong with the journal. */
  enum JournalProblem { MISSING, FUNCTIONS_MISSING, OWNER_MEMBER, CREATEROLE, ROLE_CAN_REWRITE, NOT_GRANTED }

  /** Objects the package expects to be absent exist (it creates them). */
  record ObjectsPresent(List<String> objects) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.objectsPresent(this);
    }

    public ObjectsPresent {
      objects = List.copyOf(objects);
    }
  }

  /** Objects (schemas, relations, roles) the package expects to exist are missing. */
  record ObjectsAbsent(List<String> objects) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.objectsAbsent(this);
    }

    public ObjectsAbsent {
      objects = List.copyOf(objects);
    }
  }

  /** The catalog's counts differ from the baseline the package pins. */
  record BaselineDiffers(List<String> differences) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.baselineDiffers(this);
    }

    public BaselineDiffers {
      differences = List.copyOf(differences);
    }
  }

  /** A package's sql check returned another value than it expects. */
  record CheckQueryDiffers(String check, String expects, String returned) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.checkQueryDiffers(this);
    }
  }

  /**
   * The change destroys rows of tables no backup holds whatever its scope: members of an extension
   * (pg_dump dumps the extension, not its tables' data), each named with its extension.
   */
  record NotInAnyBackup(List<String> relations) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.notInAnyBackup(this);
    }

    public NotInAnyBackup {
      relations = List.copyOf(relations);
    }
  }

  /**
   * The change touches objects outside the backup's scope: the backup would not hold them. Each
   * as {@code schema name} (quoted as needed), or {@code large objects}, which no schema holds.
   */
  record OutsideBackupScope(List<String> objects) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.outsideBackupScope(this);
    }

    public OutsideBackupScope {
      objects = List.copyOf(objects);
    }
  }

  /**
   * Objects the artifact names unqualified after setting its own search_path that cutter cannot
   * prove PostgreSQL resolves where every check reads them (the first schema that search_path
   * lists): {@code names} are {@code statement 4 (line 7): table t}.
   */
  record NameUnproven(List<String> names) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.nameUnproven(this);
    }

    public NameUnproven {
      names = List.copyOf(names);
    }
  }

  /**
   * At BEGIN, the target was not as P1 found it; or, for {@link Recheck#CREATED_BY_ANOTHER_SESSION} and
   * {@link Recheck#CREATED_IN_ANOTHER_SCHEMA}, a relation the change creates first was, after BEGIN, not
   * the change's own: {@code relation} as the change names it and, for the second, the {@code schema} it
   * is in and the {@code expectedSchema} P1 and BEGIN saw an unqualified CREATE go to (null where they
   * do not apply).
   */
  record TargetChangedSinceP1(Recheck what, String relation, String schema, String expectedSchema) implements Cause {
    /** A re-check at BEGIN that names no relation. */
    public TargetChangedSinceP1(Recheck what) {
      this(what, null, null, null);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.targetChangedSinceP1(this);
    }
  }

  /**
   * What the recheck at BEGIN found changed. The last five are found after BEGIN, as the change runs: a
   * name and a schema cannot be locked (R41, R43, R45, R46, R47).
   */
  enum Recheck {
    CATALOG, SERVER, LOCKS_NOT_GRANTED, CHECK,
    /** A relation the change creates first exists and another session created it after BEGIN, not the change. */
    CREATED_BY_ANOTHER_SESSION,
    /** A relation the change creates under an unqualified name went to a schema another session made after BEGIN. */
    CREATED_IN_ANOTHER_SCHEMA,
    /**
     * A schema the artifact's own search_path lists first, where its unqualified names were proved (R47), was
     * dropped or made unusable for apply_role after BEGIN ({@code schema}).
     */
    SCHEMA_NO_LONGER_USABLE,
    /**
     * Before COMMIT the session's search_path ({@code schema}: the setting found) was not the one the
     * artifact's text leaves ({@code expectedSchema}): a function the change ran changed it unseen.
     */
    SEARCH_PATH_CHANGED_UNSEEN,
    /**
     * A schema the change creates and its own search_path lists first ({@code schema}) was made by another
     * session after BEGIN: its CREATE SCHEMA IF NOT EXISTS made nothing, and the change's objects went there.
     */
    SCHEMA_MADE_BY_ANOTHER_SESSION,
    /**
     * Before COMMIT the session had temporary relations ({@code relation}) named as relations the artifact names
     * unqualified and does not create temporary: a function the change ran created them, and the statements after
     * it wrote there (the temporary schema is searched first).
     */
    TEMPORARY_TABLE_TAKES_NAME
  }

  /** The P2 backup was refused. */
  record BackupRefused(BackupRefusal kind) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.backupRefused(this);
    }
  }

  /** Why the backup gate refused. */
  enum BackupRefusal {
    TOOL_MISSING, TOOL_TOO_OLD, CANNOT_CONNECT, UNREADABLE, SCOPE_MISSING, KEYS, DIRECTORY, NO_SPACE, DUMP_FAILED,
    TOO_SMALL, ARCHIVE_INVALID, WRONG_SERVER, INTERRUPTED, RESTORE_PROOF,
    /** The package's backup format cannot be written this way (the directory format through a pg_dump prefix). */
    FORMAT_UNSUPPORTED
  }

  /**
   * The backup's restore proof did not hold: the archive, restored into a scratch database, differs
   * from the source as of the dump's own snapshot, or could not be restored there, or no scratch
   * server fit. {@code tables} names the tables (or relations) that differ, as {@code schema.name}.
   */
  record RestoreProofFailed(ProofFailure kind, List<String> tables) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.restoreProofFailed(this);
    }

    public RestoreProofFailed {
      tables = List.copyOf(tables);
    }
  }

  /** How a restore proof failed. */
  enum ProofFailure {
    /** No usable scratch server (another major, cannot connect, cannot create the database). */
    SCRATCH_REFUSED,
    /** pg_restore of the archive into the scratch database failed. */
    RESTORE_FAILED,
    /** The restored relations are not those of the source. */
    RELATIONS_DIFFER,
    /** A table's row count differs from the source's in the dump's snapshot. */
    ROWS_DIFFER,
    /** The restored catalog baseline (counts and fingerprint) differs from the source's. */
    CATALOG_DIFFERS
  }

  /**
   * A server error. {@code at} says where; {@code statement} and {@code line} are the artifact's
   * statement and line (0 when not a statement); the names are the server's structured error
   * fields (null when it gave none); {@code role} is the role the SQL ran as.
   */
  record SqlError(String sqlstate, ErrorSite at, int statement, int line, String schema, String table, String column,
      String constraint, String datatype, String role) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.sqlError(this);
    }


    /** An error with no structured names. */
    public static SqlError of(String sqlstate, ErrorSite at, String role) {
      return new SqlError(sqlstate, at, 0, 0, null, null, null, null, null, role);
    }

    /** This error at statement {@code statement}, line {@code line}. */
    public SqlError atStatement(int statement, int line) {
      return new SqlError(sqlstate, at, statement, line, schema, table, column, constraint, datatype, role);
    }
  }

  /** Where a server error happened. */
  enum ErrorSite { STATEMENT, COMMIT, JOURNAL_ROW, CHECK, REHEARSAL, ROLLBACK }

  /**
   * A server error that belongs to one of the statements {@code first}..{@code last} (lines
   * {@code firstLine}..{@code lastLine}) of one joined Query message, and cannot be told which:
   * it came before any of them ran, without a position, and may have been raised while the server
   * parsed the whole message. None of them ran; the transaction rolled back.
   */
  record StatementAmongFailed(String sqlstate, int first, int last, int firstLine, int lastLine, String role)
      implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.statementAmongFailed(this);
    }
  }

  /**
   * Statement {@code statement} of {@code script} (first line {@code line}) was not sent: its
   * reading depends on the lexer's settings, and the server reported {@code standard_conforming_strings}
   * {@code reported} where the split assumed {@code assumed} (null: on for some of its lines, off for
   * others). A function an earlier statement ran changed the setting (or the session's default is
   * not the split's); the server would have read the statement otherwise than the listing and the
   * signed review show it. The transaction (in
   * autocommit mode: this statement and what follows) did not run it.
   */
  record LexingSettingChanged(String script, int statement, int line, Boolean assumed, boolean reported)
      implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.lexingSettingChanged(this);
    }
  }

  /** The connection dropped at a point where whether the change committed cannot be known. */
  record OutcomeUnknown(boolean atCommit) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.outcomeUnknown(this);
    }
  }

  /** Verify checks did not hold after the change committed. */
  record VerificationFailed(List<String> checks) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.verificationFailed(this);
    }

    public VerificationFailed {
      checks = List.copyOf(checks);
    }
  }

  /** A rollback could not run or did not restore the target. */
  /**
   * Verify found the change not in place, and the target's journal says why: {@code cutter rollback}
   * undid it (run {@code rollbackRunId}, verdict {@code rollbackVerdict}) after run {@code applyRunId}.
   */
  record ChangeRolledBack(String applyRunId, String rollbackRunId, String rollbackVerdict, Instant rolledBackAt,
      List<String> checks) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.changeRolledBack(this);
    }
  }

  record RollbackRefused(RollbackRefusal kind) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.rollbackRefused(this);
    }
  }

  /** Why. */
  enum RollbackRefusal { NO_ROLLBACK, NO_JOURNAL, NOT_APPLIED, ALREADY_ROLLED_BACK, PRECONDITION_FAILED, FAILED,
    BASELINE_DIFFERS }

  /** A check the package names is not installed, or its arguments are invalid. */
  record InvalidCheck(String check) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.invalidCheck(this);
    }
  }

  /**
   * Package SQL was not run: {@code role} (apply_role) may EXECUTE {@code function}: one of the
   * {@code dblink} extension's, or a SECURITY DEFINER function whose owner (or a role further along
   * such functions) may execute one; dblink opens a session of its own that is not read-only and
   * commits on its own, so no check run as it can be kept from writing.
   */
  record CheckCanOpenSessions(String role, String function) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.checkCanOpenSessions(this);
    }
  }

  /**
   * Package SQL was not run: {@code role} (apply_role) reaches a user mapping (its own, PUBLIC's,
   * or that of a role whose views or SECURITY DEFINER functions it may use) for {@code server}, a foreign server of {@code postgres_fdw}, whose session (not read-only on
   * PostgreSQL 15 and earlier) a foreign table is read through, so no check run as it can be kept
   * from writing there.
   */
  record CheckCanUseForeignServer(String role, String server) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.checkCanUseForeignServer(this);
    }
  }

  /**
   * Package SQL was not run: {@code role} (apply_role) may run code as a superuser or as a role
   * that may write the server's files or run its programs: {@code route} is the SECURITY DEFINER
   * function that leads there (or the role apply_role is a member of). In a READ ONLY transaction
   * such code may still {@code COPY … TO} a file or a program, so no check run as it can be kept
   * from writing.
   */
  record CheckCanWriteServerFiles(String role, String route) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.checkCanWriteServerFiles(this);
    }
  }

  /**
   * Package SQL was not run: {@code role} (apply_role) may execute {@code route}, PostgreSQL's
   * {@code pg_logical_emit_message} (or a SECURITY DEFINER function whose owner may), and the
   * target's database has the logical replication slot {@code slot}. A message emitted with
   * {@code transactional} false is written to the WAL at once, in a READ ONLY transaction too, and
   * reaches the slot's consumer although the check rolls back.
   */
  record CheckCanEmitLogicalMessages(String role, String route, String slot) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.checkCanEmitLogicalMessages(this);
    }
  }

  // ---- safety on a live database (issue 12) ----------------------------------------------------

  /**
   * Right before BEGIN, sessions held or awaited locks in the way of the change's locks (or were
   * idle in a transaction on its relations); {@code pids} names them, {@code relations} the
   * relations watched (with the mode the change takes), {@code earlierRun} says one
   * is an earlier cutter run's statement still executing.
   */
  record SessionsInTheWay(List<Integer> pids, List<String> relations, boolean earlierRun) implements Cause {
    public SessionsInTheWay {
      pids = List.copyOf(pids);
      relations = List.copyOf(relations);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.sessionsInTheWay(this);
    }
  }

  /** P1's lock-hazard rules found statements the package's lint policy denies ({@code rules}: their ids). */
  record LockHazardsDenied(List<String> rules) implements Cause {
    public LockHazardsDenied {
      rules = List.copyOf(rules);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.lockHazardsDenied(this);
    }
  }

  /** The package allows lock-hazard rules that the trust policy's {@code lint.floor} denies to every package. */
  record LintFloorBroken(List<String> rules) implements Cause {
    public LintFloorBroken {
      rules = List.copyOf(rules);
    }

    @Override
    public <R> R accept(Visitor<R> v) {
      return v.lintFloorBroken(this);
    }
  }

  /**
   * The online step, after the change committed, did not finish: {@code done} of {@code total}
   * statements ran; {@code sqlstate} of the failed one (null when none could run:
   * {@code refused}); {@code invalidIndexLeft} when a failed build's INVALID index could not be dropped.
   */
  record OnlineStepFailed(int done, int total, String sqlstate, boolean refused, boolean invalidIndexLeft)
      implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.onlineStepFailed(this);
    }
  }

  /** cutter failed (a bug): {@code what} names the place. */
  record InternalError(String what) implements Cause {
    @Override
    public <R> R accept(Visitor<R> v) {
      return v.internalError(this);
    }
  }
}
