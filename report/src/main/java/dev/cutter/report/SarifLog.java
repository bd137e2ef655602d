package dev.cutter.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cutter.core.check.CheckResult;
import dev.cutter.core.run.GateIds;
import dev.cutter.core.run.GateResult;
import dev.cutter.core.run.GateStatus;
import dev.cutter.core.run.RunMode;
import dev.cutter.core.run.RunReport;
import dev.cutter.core.run.RunReport.FailedStatement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A report's findings as SARIF 2.1.0, for code scanning: each failed gate or check, and the
 * failing statement, as a result on the line of the package file it comes from. One rule per
 * check type and finding kind, with a stable id ({@code check/<type>}, {@code gate/<gate>},
 * {@code sql/<SQLSTATE>}). A new kind of finding is one call of {@link #result}.
 */
public final class SarifLog {

  public static final String VERSION = "2.1.0";
  public static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

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
  }

  private record Rule(String id, String name, String description) {}

  private final Map<String, Rule> rules = new LinkedHashMap<>();
  private final ArrayNode results = F.arrayNode();

  /**
   * Adds one result under rule {@code ruleId} (described once by {@code ruleName} and
   * {@code ruleDescription}) at {@code at}. Every kind of finding, including ones added later
   * (lock-hazard lint findings), goes through here.
   */
  public SarifLog result(String ruleId, String ruleName, String ruleDescription, Level level, String message,
      Location at) {
    rules.putIfAbsent(ruleId, new Rule(ruleId, ruleName, ruleDescription));
    ObjectNode r = results.addObject();
    r.put("ruleId", ruleId);
    r.put("level", level.sarifName());
    r.putObject("message").put("text", message == null || message.isBlank() ? ruleName : message);
    ObjectNode physical = r.putArray("locations").addObject().putObject("physicalLocation");
    physical.putObject("artifactLocation").put("uri", at.uri());
    physical.putObject("region").put("startLine", at.line());
    return this;
  }

  /** The findings of {@code report} (already secret-scanned), located through {@code where}. */
  public static SarifLog of(ScannedReport scanned, Locator where) {
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
      }
      boolean saidByTheStatement = statementFailed && (g.id().equals(GateIds.APPLY) || g.id().equals(GateIds.ROLLBACK));
      if (!checked && !saidByTheStatement) {
        log.result("gate/" + g.id(), "gate " + g.id(), "The " + g.id() + " gate of a cutter run failed.", Level.ERROR,
            g.id() + ": " + firstNonNull(g.message(), g.actual(), "failed"), where.packageFile());
      }
    }
    if (statementFailed) {
      String state = f.sqlstate() == null ? "unknown" : f.sqlstate();
      log.result("sql/" + state, "SQLSTATE " + state, "A statement of the artifact failed with SQLSTATE " + state + ".",
          Level.ERROR, "statement " + f.index() + " failed: " + f.message() + (f.sqlstate() == null ? ""
              : " (SQLSTATE " + f.sqlstate() + ")"), where.statement(r.mode(), f.line()));
    }
    return log;
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

  private static String firstNonNull(String... values) {
    for (String v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
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
      n.putObject("defaultConfiguration").put("level", Level.ERROR.sarifName());
    }
    run.set("results", results);
    return ReportCodec.write(JSON, root) + "\n";
  }

  /** The ids of the rules used, in order of first use (tests). */
  List<String> ruleIds() {
    return List.copyOf(rules.keySet());
  }
}
