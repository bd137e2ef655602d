package dev.cutter.core.check;

import dev.cutter.core.Background;
import dev.cutter.core.CutterException;
import dev.cutter.core.catalog.IdentityReader;
import dev.cutter.core.catalog.SearchPath;
import dev.cutter.core.check.derived.DerivedVerify;
import dev.cutter.core.check.derived.ApplyRolePrivileges;
import dev.cutter.core.check.derived.BackupRolePrivileges;
import dev.cutter.core.check.derived.BackupScopeCheck;
import dev.cutter.core.db.ConnectionSpec;
import dev.cutter.core.db.ConnectionSpec.Secret;
import dev.cutter.core.db.DbErrors;
import dev.cutter.core.exec.ExecStatement;
import dev.cutter.core.lint.LintCheck;
import dev.cutter.core.lint.LintFinding;
import dev.cutter.core.lint.LintRule;
import dev.cutter.core.model.ApplyPackage;
import dev.cutter.core.model.CheckSpec;
import dev.cutter.core.run.Steps;
import java.sql.SQLException;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.cause.Causes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The P1 preflight: identity first (nothing else runs against a target that is not the one
 * approved), then the journal, every package check and the derived privilege checks, on a few
 * pooled connections, each in its own READ ONLY transaction. Results come back in package order
 * whatever ran first: identity, journal_writable (unless the package lists it), the package's
 * checks as {@code name#n}, apply_role_privileges, backup_role_privileges, backup_scope,
 * lock_hazards ({@link LintCheck}). SQL text
 * from the package runs in {@link PackageQueries}, as apply_role, on sessions of its own.
 */
public final class Preflight implements Steps.Checks {

  /** Connections (and threads) the checks share. */
  public static final int DEFAULT_PARALLELISM = 3;

  /**
   * One check to run: what it does on a read-only connection. No result (empty): the check had nothing to
   * prove ({@code artifact_names} for an artifact that sets no search_path), and P1 reports nothing for it.
   */
  @FunctionalInterface
  private interface Task {
    Optional<CheckResult> run(CheckContext ctx) throws SQLException;

    /** A check that always has a result (an internal error where it returned none). */
    static Task of(Check check) {
      return ctx -> {
        CheckResult r = check.run(ctx);
        return Optional.of(r != null ? r : noResult(ctx.id()));
      };
    }
  }

  /** A check that always has a result. */
  @FunctionalInterface
  private interface Check {
    CheckResult run(CheckContext ctx) throws SQLException;
  }

  /**
   * The ordered results of a preflight; {@code lint} the lock-hazard findings (null: not run);
   * {@code lockPlan} what the rehearsal measured (null: no rehearsal).
   */
  public record Outcome(List<CheckResult> results, List<LintFinding> lint, dev.cutter.core.lock.LockPlan lockPlan) {
    public Outcome {
      results = List.copyOf(results);
      lint = lint == null ? null : List.copyOf(lint);
    }

    /** Results of a preflight that measured no lock plan (nothing was rehearsed). */
    public Outcome(List<CheckResult> results) {
      this(results, null, null);
    }

    /** True when no check failed or erred (SKIPPED does not block). */
    public boolean passed() {
      return results.stream().noneMatch(r -> r.status().blocks());
    }
  }

  private final Map<String, CheckType> types;
  private final Function<ApplyPackage, List<ExecStatement>> artifact;
  private final BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor;
  private final int parallelism;
  private final boolean privilegedLoginAllowed;
  private final Set<LintRule> lintFloor;
  private final boolean unsigned;
  /** Where the check sessions come from: a pool per list of checks, or the run's kept one. */
  private final CheckSessions sessions;

  /**
   * The package check types an unsigned preflight runs: cutter's own catalog reads, whose SQL is
   * cutter's and whose arguments are names. {@code sql} (the package's own query), {@code rehearse}
   * (the package's SQL) and check types installed from other jars never run unsigned.
   */
  public static final Set<String> UNSIGNED_TYPES = Set.of("schema_exists", "objects_absent", "objects_present",
      "baseline", "privilege", "server_version", "journal_writable");

  /**
   * @param types check types by name (see {@link #installedTypes()})
   * @param artifact the artifact's statements as apply sends them, for {@link Steps.Checks}
   * @param passwordFor another role's password (the password file), for rehearsal as apply_role
   */
  public Preflight(Map<String, CheckType> types, Function<ApplyPackage, List<ExecStatement>> artifact,
      BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor, int parallelism) {
    this(types, artifact, passwordFor, parallelism, false);
  }

  /** @param privilegedLoginAllowed the trust policy's {@code allow_privileged_login}, for rehearsal (see {@link TargetAccess}) */
  public Preflight(Map<String, CheckType> types, Function<ApplyPackage, List<ExecStatement>> artifact,
      BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor, int parallelism, boolean privilegedLoginAllowed) {
    this(types, artifact, passwordFor, parallelism, privilegedLoginAllowed, Set.of(), false);
  }

  private Preflight(Map<String, CheckType> types, Function<ApplyPackage, List<ExecStatement>> artifact,
      BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor, int parallelism, boolean privilegedLoginAllowed,
      Set<LintRule> lintFloor, boolean unsigned) {
    this(types, artifact, passwordFor, parallelism, privilegedLoginAllowed, lintFloor, unsigned, CheckSessions.perUse());
  }

  private Preflight(Map<String, CheckType> types, Function<ApplyPackage, List<ExecStatement>> artifact,
      BiFunction<ConnectionSpec, String, Optional<Secret>> passwordFor, int parallelism, boolean privilegedLoginAllowed,
      Set<LintRule> lintFloor, boolean unsigned, CheckSessions sessions) {
    this.unsigned = unsigned;
    this.sessions = sessions;
    this.types = Map.copyOf(types);
    this.artifact = artifact;
    this.passwordFor = passwordFor;
    this.parallelism = parallelism;
    this.privilegedLoginAllowed = privilegedLoginAllowed;
    this.lintFloor = Set.copyOf(lintFloor);
  }

  /** This preflight with the trust policy's {@code lint.floor}: rules denied whatever the package says. */
  public Preflight withLintFloor(Set<LintRule> floor) {
    return new Preflight(types, artifact, passwordFor, parallelism, privilegedLoginAllowed, floor, unsigned, sessions);
  }

  /** This preflight for an unsigned package: package checks outside {@link #UNSIGNED_TYPES} are reported, not run. */
  public Preflight unsigned() {
    return new Preflight(types, artifact, passwordFor, parallelism, privilegedLoginAllowed, lintFloor, true, sessions);
  }

  /**
   * This preflight taking its check sessions from {@code kept} (one pool for the run: P1's
   * sessions, reset, serve verify), which the caller closes when the run is over.
   */
  public Preflight keepingSessions(CheckSessions kept) {
    return new Preflight(types, artifact, passwordFor, parallelism, privilegedLoginAllowed, lintFloor, unsigned, kept);
  }

  /** Every check type on the class path (built-in and users' jars), by name. */
  public static Map<String, CheckType> installedTypes() {
    Map<String, CheckType> out = new LinkedHashMap<>();
    for (CheckType t : ServiceLoader.load(CheckType.class, Preflight.class.getClassLoader())) {
      out.putIfAbsent(t.name(), t);
    }
    return Collections.unmodifiableMap(out);
  }

  /** Starts opening P1's pool to {@code target} when the sessions are kept for the run (see {@link CheckSessions#openAhead}). */
  @Override
  public void connectAhead(ConnectionSpec target) {
    sessions.openAhead(target, poolSize(), "cutter preflight");
  }

  private int poolSize() {
    return Math.max(1, Math.min(4, parallelism));
  }

  /** P1 with the artifact given: identity, journal, package checks, derived privileges. */
  public Outcome run(ConnectionSpec target, ApplyPackage pkg, List<ExecStatement> statements, boolean sandbox) {
    return run(target, pkg, statements, sandbox, () -> { });
  }

  /** As above; {@code identityHeld} is called at once when the identity check held (see {@link Steps.Checks}). */
  public Outcome run(ConnectionSpec target, ApplyPackage pkg, List<ExecStatement> statements, boolean sandbox,
      Runnable identityHeld) {
    return run(target, pkg, statements, sandbox, identityHeld, () -> { });
  }

  /**
   * As above; once the identity check held, {@code identityHeld} at once and {@code routesKnown}
   * once the logins started ahead ended (see {@link Steps.Checks#preflightWithLint(ConnectionSpec,
   * ApplyPackage, boolean, Runnable, Runnable)}).
   */
  public Outcome run(ConnectionSpec target, ApplyPackage pkg, List<ExecStatement> statements, boolean sandbox,
      Runnable identityHeld, Runnable routesKnown) {
    Map<String, Task> tasks = new LinkedHashMap<>();
    boolean journalListed = pkg.preflight().stream().anyMatch(s -> s.name().equals(JournalCheck.ID));
    if (!journalListed) {
      tasks.put(JournalCheck.ID, Task.of(JournalCheck::run));
    }
    tasks.putAll(packageTasks(pkg.preflight()));
    tasks.put(ApplyRolePrivileges.ID, Task.of(ApplyRolePrivileges::run));
    if (pkg.online().isPresent()) {
      tasks.put(dev.cutter.core.online.OnlinePrivileges.ID, Task.of(dev.cutter.core.online.OnlinePrivileges::run));
    }
    tasks.put(BackupRolePrivileges.ID, Task.of(BackupRolePrivileges::run));
    tasks.put(BackupScopeCheck.ID, Task.of(BackupScopeCheck::run));
    if (dev.cutter.core.check.derived.ArtifactNames.mayApply(statements)) {
      tasks.put(dev.cutter.core.check.derived.ArtifactNames.ID, dev.cutter.core.check.derived.ArtifactNames::run);
    }
    AtomicReference<List<LintFinding>> lint = new AtomicReference<>();
    tasks.put(LintCheck.ID, Task.of(ctx -> {
      LintCheck.Outcome o = LintCheck.run(ctx, lintFloor);
      lint.set(o.findings());
      return o.result();
    }));
    TargetAccess access = new TargetAccess(target, passwordFor, privilegedLoginAllowed);
    CheckSessions.Lease lease;
    try {
      lease = sessions.lease(target, poolSize(), "cutter preflight");
    } catch (CutterException e) {
      return notRun(errorOf(IdentityCheck.ID, e), listed(tasks.keySet(), statements));
    }
    CheckPool pool = lease.pool();
    try (lease; PackageQueries queries = new PackageQueries(access, pkg.target().applyRole(), "cutter preflight")) {
      CheckResult identity = sandbox
          ? CheckResult.skipped(IdentityCheck.ID, "sandbox: a throwaway server has another identity by design")
          : runOne(pool, IdentityCheck.ID, Task.of(IdentityCheck::run), pkg, statements, access, queries, plan -> { }, null)
              .orElseThrow(); // a check that always has a result
      if (identity.status().blocks()) {
        return notRun(identity, listed(tasks.keySet(), statements));
      }
      List<CheckResult> out = new ArrayList<>();
      out.add(identity);
      java.util.concurrent.atomic.AtomicReference<dev.cutter.core.lock.LockPlan> plan =
          new java.util.concurrent.atomic.AtomicReference<>();
      // the identity held: the sessions as apply_role a check will open (the rehearsal's) open while the others run
      try (RoleSessionsAhead ahead = sessionsAhead(pkg, access)) {
        out.addAll(runAll(pool, tasks, alone(pkg.preflight()), rehearsalBeside(pkg, statements), pkg, statements,
            access, queries, plan::set, ahead, aloneNow -> whileTheyRun(ahead, identityHeld, routesKnown, aloneNow)));
      }
      return new Outcome(out, lint.get(), plan.get());
    }
  }

  /**
   * While the other checks run: {@code identityHeld} at once, and {@code routesKnown} once the
   * logins started ahead ended (what it starts may then take the routes they found), then {@code
   * aloneNow} (the checks that run alone, when they may run beside the others: {@link
   * RehearsalBeside}; null when they run after them). With logins under way, or something to run
   * alone now, the first runs on a thread of its own beside the rest, so that neither waits for the
   * other; all have ended when this returns.
   */
  private static void whileTheyRun(RoleSessionsAhead ahead, Runnable identityHeld, Runnable routesKnown,
      Runnable aloneNow) {
    if (!ahead.loginsUnderWay() && aloneNow == null) {
      routesKnown.run();
      identityHeld.run();
      return;
    }
    java.util.concurrent.FutureTask<Object> atOnce = Background.start("cutter-identity-held",
        Executors.callable(identityHeld));
    try {
      ahead.awaitLogins();
      routesKnown.run();
      if (aloneNow != null) {
        aloneNow.run();
      }
    } finally {
      Background.await(atOnce, RuntimeException.class);
    }
  }

  /**
   * Whether P1's checks that run alone (the rehearsal) may run beside the others: every package check
   * of a type that reads only the catalog, or runs alone only to run the artifact ({@link
   * CheckType#runsOnlyTheArtifact}: not a type from another jar that runs alone), and statements that take no lock
   * such a read waits for ({@link RehearsalBeside}). cutter's own P1 tasks (journal, derived
   * privileges, backup scope, lint) read only the catalog and the journal.
   */
  private boolean rehearsalBeside(ApplyPackage pkg, List<ExecStatement> statements) {
    boolean anyAlone = false;
    for (CheckSpec spec : pkg.preflight()) {
      CheckType type = types.get(spec.name());
      if (type == null || !(type.runsAlone() ? type.runsOnlyTheArtifact() : type.readsOnlyTheCatalog())) {
        return false;
      }
      anyAlone |= type.runsAlone();
    }
    // the statements' forms are read only for a package with a check that runs alone (10,000 statements: tens of ms)
    return anyAlone && RehearsalBeside.statementsAllow(statements);
  }

  /** Starts opening the sessions as apply_role that {@code pkg}'s P1 checks will open ({@link CheckType#sessionAhead}). */
  private RoleSessionsAhead sessionsAhead(ApplyPackage pkg, TargetAccess access) {
    RoleSessionsAhead ahead = new RoleSessionsAhead(access);
    for (CheckSpec spec : pkg.preflight()) {
      CheckType type = types.get(spec.name());
      String purpose = type == null || (unsigned && !UNSIGNED_TYPES.contains(spec.name())) ? null
          : type.sessionAhead(spec.args());
      if (purpose != null) {
        ahead.start(pkg.target().applyRole(), purpose, type.firstLook());
      }
    }
    return ahead;
  }

  /** The checks a report lists as not run: artifact_names only where the artifact sets a search_path of its own. */
  private static List<String> listed(java.util.Set<String> ids, List<ExecStatement> statements) {
    return ids.stream().filter(id -> !id.equals(dev.cutter.core.check.derived.ArtifactNames.ID)
        || dev.cutter.core.check.derived.ArtifactNames.applies(statements)).toList();
  }

  private static Outcome notRun(CheckResult identity, Iterable<String> ids) {
    List<CheckResult> out = new ArrayList<>();
    out.add(identity);
    ids.forEach(id -> out.add(CheckResult.skipped(id, "not run: the identity check did not hold")));
    return new Outcome(out);
  }

  @Override
  public List<CheckResult> preflight(ConnectionSpec target, ApplyPackage pkg, boolean sandbox) {
    return run(target, pkg, artifact.apply(pkg), sandbox).results();
  }

  @Override
  public Steps.P1 preflightWithLint(ConnectionSpec target, ApplyPackage pkg, boolean sandbox) {
    return preflightWithLint(target, pkg, sandbox, () -> { }, () -> { });
  }

  @Override
  public Steps.P1 preflightWithLint(ConnectionSpec target, ApplyPackage pkg, boolean sandbox, Runnable identityHeld,
      Runnable routesKnown) {
    Outcome o = run(target, pkg, artifact.apply(pkg), sandbox, identityHeld, routesKnown);
    return new Steps.P1(o.results(), o.lint(), o.lockPlan());
  }

  /** A list of package checks alone (verify, a rollback precondition), in order. */
  @Override
  public List<CheckResult> run(ConnectionSpec target, ApplyPackage pkg, List<CheckSpec> checks) {
    TargetAccess access = new TargetAccess(target, passwordFor, privilegedLoginAllowed);
    try (CheckSessions.Lease lease = sessions.lease(target, Math.max(1, Math.min(4, parallelism)), "cutter checks");
        PackageQueries queries = new PackageQueries(access, pkg.target().applyRole(), "cutter checks")) {
      return runAll(lease.pool(), packageTasks(checks), alone(checks), false, pkg, artifact.apply(pkg), access, queries,
          plan -> { }, null, aloneNow -> { });
    }
  }

  @Override
  public List<CheckSpec> derivedVerify(ConnectionSpec target, ApplyPackage pkg) {
    List<ExecStatement> statements = artifact.apply(pkg);
    java.util.function.Function<dev.cutter.core.catalog.ObjectName, Optional<String>> schemaOf = new java.util.function.Function<>() {
      private Optional<String> resolved;

      @Override
      public Optional<String> apply(dev.cutter.core.catalog.ObjectName name) {
        if (resolved == null) {
          resolved = creationSchema(target, pkg);
        }
        return resolved;
      }
    };
    return DerivedVerify.from(statements, schemaOf);
  }

  /** apply_role's creation schema (first usable schema of its search_path), read once; empty when unknown. */
  private Optional<String> creationSchema(ConnectionSpec target, ApplyPackage pkg) {
    try (CheckSessions.Lease lease = sessions.lease(target, 1, "cutter checks")) {
      return lease.pool().readOnly(c -> SearchPath.forApplyRole(c, pkg.target().applyRole(), target.user()))
          .flatMap(SearchPath::creationSchema);
    } catch (SQLException | CutterException e) {
      return Optional.empty();
    }
  }

  @Override
  public List<CheckResult> recheck(java.sql.Connection c, ConnectionSpec login, ApplyPackage pkg,
      List<dev.cutter.core.exec.ExecStatement> statements, boolean sandbox) {
    List<CheckResult> out = new ArrayList<>();
    TargetAccess access = new TargetAccess(login, passwordFor);
    if (!sandbox) {
      try {
        out.add(BeginRecheck.readOnly(c, conn -> {
          try {
            IdentityReader.read(conn);
          } catch (IdentityReader.NotExecutableException e) {
            return CheckResult.skipped(IdentityCheck.ID, "apply_role cannot read the system identifier; the run lock's"
                + " session, seen from the apply session (" + BeginRecheck.SAME_SERVER + "), proves the server");
          }
          return IdentityCheck.run(new CheckContext(IdentityCheck.ID, conn, pkg, List.of(), access));
        }));
      } catch (SQLException e) {
        out.add(errorOf(IdentityCheck.ID, e, login.user()));
      }
    }
    // what the change reaches past the relations it names (a partition attached, a cascading foreign
    // key or a table added to an extension by another session during the backup) is read again;
    // the apply session keeps apply_role's search_path, pinned here for the check's own queries
    if (pkg.backup().required()) {
      try {
        if (!pkg.backup().wholeDatabase()) {
          // first, so that nothing attaches after the reach is read (B16)
          BackupScopeCheck.holdAgainstAttach(c, statements);
        }
        out.add(BeginRecheck.readOnly(c, conn -> {
          try (java.sql.Statement st = conn.createStatement()) {
            st.execute("set local search_path = pg_catalog, pg_temp");
          }
          return BackupScopeCheck.run(new CheckContext(BackupScopeCheck.ID, conn, pkg, statements, access));
        }));
      } catch (SQLException e) {
        out.add(errorOf(BackupScopeCheck.ID, e, login.user()));
      }
    }
    for (int i = 0; i < pkg.preflight().size(); i++) {
      CheckSpec spec = pkg.preflight().get(i);
      CheckType type = types.get(spec.name());
      if (type == null || !type.rechecksAtBegin()) {
        continue;
      }
      String id = spec.name() + "#" + (i + 1);
      try {
        CheckResult r = BeginRecheck.readOnly(c, conn -> type.run(spec.args(), new CheckContext(id, conn, pkg, List.of(), access)));
        out.add(r != null ? r : noResult(id));
      } catch (SQLException e) {
        out.add(errorOf(id, e, pkg.target().applyRole()));
      } catch (CutterException e) {
        out.add(errorOf(id, e));
      }
    }
    return out;
  }

  private Map<String, Task> packageTasks(List<CheckSpec> specs) {
    Map<String, Task> tasks = new LinkedHashMap<>();
    for (int i = 0; i < specs.size(); i++) {
      CheckSpec spec = specs.get(i);
      CheckType type = types.get(spec.name());
      if (unsigned && !UNSIGNED_TYPES.contains(spec.name())) {
        String id = spec.name() + "#" + (i + 1);
        tasks.put(id, Task.of(ctx -> CheckResult.skipped(id, "not run: an unsigned preflight runs only cutter's built-in"
            + " catalog checks; " + spec.name() + " runs once the package is signed")));
        continue;
      }
      tasks.put(spec.name() + "#" + (i + 1), Task.of(type == null
          ? ctx -> ctx.error(new Cause.InvalidCheck(ctx.id()), "check type " + spec.name() + " is not installed (installed: " + String.join(", ", types.keySet()) + ")")
          : ctx -> type.run(spec.args(), ctx)));
    }
    return tasks;
  }

  /** The ids of the checks that run after all others, one at a time ({@link CheckType#runsAlone()}). */
  private Set<String> alone(List<CheckSpec> specs) {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < specs.size(); i++) {
      CheckType type = types.get(specs.get(i).name());
      if (type != null && type.runsAlone()) {
        ids.add(specs.get(i).name() + "#" + (i + 1));
      }
    }
    return ids;
  }

  /**
   * Runs the tasks in parallel, and those in {@code alone} one by one: after them, or, when {@code
   * beside}, as soon as {@code whileTheyRun} (on this thread, once the parallel ones are under way)
   * calls for them; results in the tasks' order. What ran beside a check that runs alone and was
   * stopped by a lock or a timeout runs again after it, and a check run alone beside the others that
   * did not pass runs again after them, alone ({@link RehearsalBeside}).
   */
  private List<CheckResult> runAll(CheckPool pool, Map<String, Task> tasks, Set<String> alone, boolean beside,
      ApplyPackage pkg, List<ExecStatement> statements, TargetAccess access, PackageQueries queries,
      java.util.function.Consumer<dev.cutter.core.lock.LockPlan> lockPlans, RoleSessionsAhead ahead,
      java.util.function.Consumer<Runnable> whileTheyRun) {
    // a check run alone beside the others keeps one of the pool's sessions for itself
    boolean aloneBeside = beside && !alone.isEmpty();
    ExecutorService exec = Executors.newFixedThreadPool(aloneBeside ? Math.max(1, pool.size() - 1) : pool.size(), r -> {
      Thread t = new Thread(r, "cutter-check");
      t.setDaemon(true);
      return t;
    });
    try {
      Map<String, Future<Optional<CheckResult>>> futures = new LinkedHashMap<>();
      tasks.forEach((id, task) -> {
        if (!alone.contains(id)) {
          futures.put(id, exec.submit(() -> runOne(pool, id, task, pkg, statements, access, queries, lockPlans, ahead)));
        }
      });
      Map<String, Optional<CheckResult>> done = new HashMap<>();
      Runnable aloneNow = () -> tasks.forEach((id, task) -> {
        if (alone.contains(id)) {
          done.put(id, runOne(pool, id, task, pkg, statements, access, queries, lockPlans, ahead));
        }
      });
      whileTheyRun.accept(aloneBeside ? aloneNow : null); // on this thread, which would otherwise only wait
      futures.forEach((id, f) -> done.put(id, await(id, f)));
      if (!aloneBeside) {
        aloneNow.run();
      } else {
        // the sequential order's results wherever running beside may have changed one
        tasks.forEach((id, task) -> {
          if (!alone.contains(id) && done.get(id).filter(RehearsalBeside::stoppedByALock).isPresent()) {
            done.put(id, runOne(pool, id, task, pkg, statements, access, queries, lockPlans, ahead));
          }
        });
        tasks.forEach((id, task) -> {
          if (alone.contains(id) && done.get(id).filter(r -> r.status() != CheckStatus.PASS).isPresent()) {
            lockPlans.accept(null); // the plan is the run's that gives the result
            done.put(id, runOne(pool, id, task, pkg, statements, access, queries, lockPlans, ahead));
          }
        });
      }
      return tasks.keySet().stream().map(done::get).flatMap(Optional::stream).toList();
    } finally {
      exec.shutdownNow();
    }
  }

  private static Optional<CheckResult> await(String id, Future<Optional<CheckResult>> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of(CheckResult.error(id, new Cause.InternalError("check " + id + " interrupted"), "interrupted"));
    } catch (ExecutionException e) {
      return Optional.of(CheckResult.error(id, new Cause.InternalError("check " + id + ": "
          + e.getCause().getClass().getSimpleName()), "internal error in the check: " + e.getCause()));
    }
  }

  /** Runs one task in its own read-only transaction; a database error is the check's ERROR, never a crash. */
  private static Optional<CheckResult> runOne(CheckPool pool, String id, Task task, ApplyPackage pkg,
      List<ExecStatement> statements, TargetAccess access, PackageQueries queries,
      java.util.function.Consumer<dev.cutter.core.lock.LockPlan> lockPlans, RoleSessionsAhead ahead) {
    try {
      Optional<CheckResult> r = pool.readOnly(c -> task.run(new CheckContext(id, c, pkg, statements, access, queries,
          lockPlans, ahead)));
      return r != null ? r : Optional.of(noResult(id));
    } catch (SQLException e) {
      return Optional.of(errorOf(id, e, pkg.target().applyRole()));
    } catch (CutterException e) {
      return Optional.of(errorOf(id, e));
    } catch (RuntimeException e) {
      return Optional.of(CheckResult.error(id, new Cause.InternalError("check " + id + ": " + e.getClass().getSimpleName()),
          "internal error in the check: " + e));
    }
  }

  private static CheckResult noResult(String id) {
    return CheckResult.error(id, new Cause.InternalError("check " + id + " returned no result"),
        "internal error: the check returned no result");
  }

  /** A check that could not run because the server refused its SQL (run as {@code role}). */
  static CheckResult errorOf(String id, SQLException e, String role) {
    return CheckResult.error(id, Causes.sql(e, Cause.ErrorSite.CHECK, role), DbErrors.oneLine(e));
  }

  /** A check that could not run; the exception's typed cause, else an internal error. */
  static CheckResult errorOf(String id, CutterException e) {
    Cause c = e.typedCause();
    if (c instanceof Cause.InvalidCheck ic && ic.check() == null) {
      c = new Cause.InvalidCheck(id);
    }
    if (c == null) {
      c = new Cause.InternalError("check " + id + ": an untyped refusal");
    }
    return CheckResult.error(id, c, e.getMessage());
  }
}
