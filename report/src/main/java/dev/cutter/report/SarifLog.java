package dev.cutter.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutter.core.cause.Cause;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.check.derived.ApplyRolePrivileges;
import dev.cutter.core.lint.LintFinding;
import dev.cutter.core.lint.Severity;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.FailedStatement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A report's findings as SARIF 2.1.0, for code scanning: each failed gate or check, and the
 * failing statement, as a result on the line of the package file it comes from. One rule per
 * check type and finding kind, with a stable id ({@code check/<type>}, {@code gate/<gate>},
 * {@code sql/<SQLSTATE>}, {@code lint/<rule>} for each lock-hazard finding, {@code privilege/<PRIVILEGE>}
 * for each grant a failed privilege check found missing). A new kind of finding is one call of {@link #result}.
 */
public final class SarifLog {

  public static final String VERSION = "2.1.0";
  public static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = VisibleJsonEscapes.mapper();

  /** A place in a package file: its path as a URI relative to the analysis root, and a 1-based line. */
  public record Location(String uri, int line) {
    public Location {
      line = Math.max(1, line);
    }
  }

  /** How bad a result is, as SARIF's {@code level}. */
  public enum Level {
    ERROR, WARNING, NOTE;

    String sarifName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Where the package's parts stand in its files. */
  public interface Locator {
    /** package.yaml itself (line 1: findings about the package as a whole). */
    Location packageFile();

    /** The package.yaml entry of check {@code checkId} ({@code type#n}) of gate {@code gateId}, when it has one. */
    Optional<Location> check(String gateId, String checkId);

    /** Line {@code line} of the artifact a run of {@code mode} executes (the rollback artifact for a rollback). */
    Location statement(RunMode mode, int line);

    /** The package.yaml entry that pins artifact {@code path} (a P3 finding), when there is one. */
    Optional<Location> artifactEntry(String path);

    /** package.yaml's {@code apply} section (where a finding on an apply setting stands), when it has one. */
    Optional<Location> applySection();
  }

  private record Rule(String id, String name, String description, String help, Level level) {}

  private final Map<String, Rule> rules = new LinkedHashMap<>();
  private final ArrayNode results = F.arrayNode();

  /**
   * Adds one result under rule {@code ruleId} (described once by {@code ruleName} and
   * {@code ruleDescription}) at {@code at}. Every kind of finding, including ones added later
   * (lock-hazard lint findings), goes through here.
   */
  public SarifLog result(String ruleId, String ruleName, String ruleDescription, Level level, String message,
      Location at) {
    return result(new Rule(ruleId, ruleName, ruleDescription, null, Level.ERROR), level, message, at);
  }

  private SarifLog result(Rule rule, Level level, String message, Location at) {
    rules.putIfAbsent(rule.id(), rule);
    ObjectNode r = results.addObject();
    r.put("ruleId", rule.id());
    r.put("level", level.sarifName());
    r.putObject("message").put("text", message == null || message.isBlank() ? rule.name() : message);
    ObjectNode physical = r.putArray("locations").addObject().putObject("physicalLocation");
    physical.putObject("artifactLocation").put("uri", at.uri());
    physical.putObject("region").put("startLine", at.line());
    return this;
  }

  /** The findings of {@code report} (already secret-scanned), located through {@code where}. */
  public static SarifLog of(ScannedReport scanned, Locator where) {
    return of(scanned, where, null, UnaryOperator.identity());
  }

  /**
   * The findings of {@code report}, and with them what the typed causes of {@code run} (the same
   * run before it was written; null for a report read back from its file, which keeps no causes)
   * say: one result per missing privilege. {@code mask} masks what is taken from {@code run} (the
   * secret scan the report had).
   */
  public static SarifLog of(ScannedReport scanned, Locator where, RunReport run, UnaryOperator<String> mask) {
    SarifLog log = new SarifLog();
    RunReport r = scanned.report();
    FailedStatement f = r.apply() == null ? null : r.apply().failedStatement();
    boolean statementFailed = f != null && f.index() > 0;
    for (GateResult g : r.gates()) {
      if (g.status() != GateStatus.FAIL) {
        continue;
      }
      boolean checked = false;
      for (CheckResult c : g.checks()) {
        if (c.status() == null || !c.status().blocks()) {
          continue;
        }
        checked = true;
        log.check(g, c, where);
        log.missingPrivileges(r.mode(), g, c.id(), causeOf(run, g.id(), c.id()), where, mask);
      }
      boolean saidByTheStatement = statementFailed && (g.id().equals(GateIds.APPLY) || g.id().equals(GateIds.ROLLBACK));
      if (!checked && !saidByTheStatement) {
        log.result("gate/" + g.id(), "gate " + g.id(), "The " + g.id() + " gate of a cutter run failed.", Level.ERROR,
            g.id() + ": " + Stream.of(g.message(), g.actual()).filter(Objects::nonNull).findFirst().orElse("failed"),
            where.packageFile());
      }
    }
    if (statementFailed) {
      String state = f.sqlstate() == null ? "unknown" : f.sqlstate();
      log.result("sql/" + state, "SQLSTATE " + state, "A statement of the artifact failed with SQLSTATE " + state + ".",
          Level.ERROR, "statement " + f.index() + " failed: " + f.message() + (f.sqlstate() == null ? ""
              : " (SQLSTATE " + f.sqlstate() + ")"), where.statement(r.mode(), f.line()));
    }
    if (r.lint() != null) {
      r.lint().forEach(finding -> log.lint(finding, where));
    }
    return log;
  }

  /** One lock-hazard finding: at its artifact line, or for a package setting (statement 0) in package.yaml. */
  private void lint(LintFinding f, Locator where) {
    Level level = f.denied() ? Level.ERROR : f.severity() == Severity.ERROR ? Level.WARNING : Level.NOTE;
    Level byDefault = f.severity() == Severity.ERROR ? Level.ERROR : f.severity() == Severity.WARNING ? Level.WARNING
        : Level.NOTE;
    Location at;
    if (f.statement() > 0) {
      // the linter reads the forward artifact only (P1 of a preflight or an apply)
      at = where.statement(RunMode.APPLY, f.line());
    } else {
      Location yaml = where.packageFile();
      at = f.line() > 0 ? new Location(yaml.uri(), f.line()) : where.applySection().orElse(yaml);
    }
    String lock = f.predictedLock() == null && f.measuredLock() == null ? ""
        : "; predicted " + (f.predictedLock() == null ? "no lock" : f.predictedLock())
            + (f.measuredLock() == null ? "" : " / measured " + f.measuredLock());
    String m = f.rule().id() + (f.object() == null ? "" : " on " + f.object()) + (f.detail() == null ? ""
        : ": " + f.detail()) + lock + (f.denied() ? " (denied by the lint policy)" : " (reported, not denied)");
    result(new Rule("lint/" + f.rule().id(), f.rule().id(), f.rule().why(), "The safe way: " + f.rule().fix()
        + ". See docs/lock-safety.md.", byDefault), level, m, at);
  }

  /**
   * One result per grant a failed check's typed cause found missing: at the artifact line of the
   * first statement that needs it when known (what apply_role_privileges derives from the
   * artifact), else at the check's entry in package.yaml.
   */
  private void missingPrivileges(RunMode mode, GateResult g, String checkId, Cause cause, Locator where,
      UnaryOperator<String> mask) {
    if (!(cause instanceof Cause.MissingPrivilege mp)) {
      return;
    }
    Location entry = where.check(g.id(), checkId).orElse(where.packageFile());
    for (Cause.Grant grant : mp.missing()) {
      Location at = grant.line() > 0 && checkId.equals(ApplyRolePrivileges.ID) ? where.statement(mode, grant.line())
          : entry;
      String role = mask.apply(mp.role());
      String what = mask.apply(grant.describe());
      String fix = mask.apply(CauseDiagnoses.grantStatement(grant, mp.role()));
      String kind = switch (mp.as()) {
        case APPLY_ROLE -> "apply_role";
        case BACKUP_ROLE -> "backup_role";
        case PACKAGE_CHECK -> "role";
      };
      String privilege = grant.privilege();
      result(new Rule("privilege/" + privilege, "privilege " + privilege, "A role of the package lacks "
          + (privilege.equals(Cause.Grant.OWNERSHIP) ? "the ownership" : "the " + privilege + " privilege")
          + " a statement or check needs.", null, Level.ERROR), Level.ERROR,
          kind + " " + role + " lacks " + what + " (" + g.id() + " " + checkId + "); fix: " + fix, at);
    }
  }

  /** The typed cause of check {@code checkId} of gate {@code gateId} in {@code run}, or null. */
  private static Cause causeOf(RunReport run, String gateId, String checkId) {
    return run == null ? null : run.gates().stream().filter(g -> g.id().equals(gateId)).flatMap(g -> g.checks().stream())
        .filter(c -> c.id().equals(checkId)).findFirst().map(CheckResult::cause).orElse(null);
  }

  private void check(GateResult g, CheckResult c, Locator where) {
    String detail = c.message() != null ? c.message() : "expected " + c.expected() + ", found " + c.actual();
    if (g.id().equals(GateIds.ARTIFACT_INTEGRITY)) {
      result("gate/" + g.id(), "artifact integrity", "A file the package pins does not have its pinned sha256.",
          Level.ERROR, c.id() + ": " + detail, where.artifactEntry(c.id()).orElse(where.packageFile()));
      return;
    }
    if (g.id().equals(GateIds.SIGNATURE)) {
      result("gate/" + g.id(), "signature", "A signature of package.yaml does not count toward the quorum.",
          Level.ERROR, c.id() + ": " + detail, where.packageFile());
      return;
    }
    int hash = c.id().indexOf('#');
    String type = hash < 0 ? c.id() : c.id().substring(0, hash);
    result("check/" + type, "check " + type, "A " + type + " check of the package (" + g.id() + ") does not hold.",
        Level.ERROR, g.id() + " " + c.id() + ": " + detail, where.check(g.id(), c.id()).orElse(where.packageFile()));
  }

  /** The SARIF document: one run of cutter {@code toolVersion}. */
  public String json(String toolVersion) {
    ObjectNode root = F.objectNode();
    root.put("$schema", SCHEMA);
    root.put("version", VERSION);
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "cutter");
    if (toolVersion != null) {
      driver.put("version", toolVersion);
    }
    ArrayNode ruleNodes = driver.putArray("rules");
    for (Rule rule : rules.values()) {
      ObjectNode n = ruleNodes.addObject();
      n.put("id", rule.id());
      n.put("name", rule.name());
      n.putObject("shortDescription").put("text", rule.description());
      if (rule.help() != null) {
        n.putObject("help").put("text", rule.help());
      }
      n.putObject("defaultConfiguration").put("level", rule.level().sarifName());
    }
    run.set("results", results);
    return ReportCodec.write(JSON, root) + "\n";
  }
}
