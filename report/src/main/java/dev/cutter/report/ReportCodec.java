package dev.cutter.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cutter.core.Diagnostic;
import dev.cutter.core.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Report documents as YAML and JSON text, and back. */
public final class ReportCodec {

  private static final YAMLMapper YAML = new YAMLMapper(new VisibleYamlFactory(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)));
  private static final ObjectMapper JSON = VisibleJsonEscapes.mapper();

  private ReportCodec() {}

  /**
   * Writes a small tree of every node kind through the YAML mapper and returns the text: Jackson
   * builds its serializers on first use, which a run can pay for while it waits on the server.
   */
  public static String warm() {
    com.fasterxml.jackson.databind.node.ObjectNode n = YAML.createObjectNode();
    n.put("text", "line one\nline two").put("number", 1).put("flag", true).putNull("none");
    n.putArray("list").add("a").addObject().put("b", 2.5);
    BlockYaml.write(n.deepCopy().without("text"), YAML); // the hand layout too (a line break is left to the mapper)
    return write(YAML, n);
  }

  /** The report as YAML (SPEC section 5), ending with a newline. */
  public static String yaml(ScannedReport report) {
    StatementRows.Streamed rows = report.rows();
    if (rows != null) {
      // the statement rows written from their records where their list stands: the whole tree's text
      String text = BlockYaml.write(report.layoutTree(), YAML, rows);
      if (text != null) {
        return text;
      }
    }
    return yaml(report.treeToRead());
  }

  /** {@code tree} as the report's YAML: laid out by {@link BlockYaml} where it can, else by the mapper (same text). */
  static String yaml(JsonNode tree) {
    String text = BlockYaml.write(tree, YAML);
    return text != null ? text : yamlByMapper(tree);
  }

  /** The report's YAML mapper. */
  static ObjectMapper mapper() {
    return YAML;
  }

  /** {@code tree} as the report's YAML mapper writes it, event by event (what {@link BlockYaml} must equal). */
  static String yamlByMapper(JsonNode tree) {
    return VisibleYamlFactory.visible(write(YAML, tree));
  }

  /** The whole report as JSON, for {@code --output json}. */
  public static String json(ScannedReport report) {
    return write(JSON, report.treeToRead()) + "\n";
  }

  /**
   * The stdout summary for {@code --output json}: verdict, exit code, production_changed, the
   * verification status, the apply settings, each gate's status, root cause, next action, the scan result and the report files.
   */
  public static String summaryJson(WrittenReport written, SecretScanner scanner) {
    ObjectNode full = written.scanned().layoutTree().deepCopy(); // the fields read here, without the statement rows
    ObjectNode n = JSON.createObjectNode();
    for (String field : List.of("run_id", "mode", "verdict", "exit_code", "production_changed")) {
      n.set(field, full.get(field));
    }
    // a PASS that verified nothing says so here too (verification.status NOT_VERIFIED)
    if (full.path("verification").hasNonNull("status")) {
      n.set("verification", full.path("verification").get("status"));
    }
    if (full.has("apply_settings")) {
      n.set("apply_settings", full.get("apply_settings"));
    }
    ArrayNode gates = n.putArray("gates");
    full.path("gates").forEach(g -> gates.addObject().put("id", g.path("id").asText())
        .put("status", g.path("status").asText()));
    for (String field : List.of("root_cause", "next_action", "secrets_recorded")) {
      if (full.has(field)) {
        n.set(field, full.get(field));
      }
    }
    ObjectNode files = n.putObject("report");
    if (written.yaml() == null) {
      files.put("written", false);
    } else {
      files.put("yaml", scanner.tildeHome(written.yaml().toString()));
      files.put("markdown", scanner.tildeHome(written.markdown().toString()));
    }
    files.put("yaml_sha256", written.yamlSha256());
    return write(JSON, n) + "\n";
  }

  static String write(ObjectMapper mapper, JsonNode tree) {
    try {
      return mapper.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a report tree could not be serialized", e);
    }
  }

  /**
   * Reads a report YAML written by {@link ReportWriter} and scans it again.
   *
   * @throws InvalidInputException (exit 2) with {@code file:line:col: message} when the file is
   *     missing, not YAML, or not a report of this version
   */
  public static ScannedReport read(Path file, SecretScanner scanner) {
    String name = file.toString();
    JsonNode tree;
    try {
      tree = YAML.readTree(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new InvalidInputException(new Diagnostic(name, 0, 0, "no such file"));
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      int line = at == null ? 0 : Math.max(0, at.getLineNr());
      int column = at == null || line == 0 ? 0 : Math.max(0, at.getColumnNr());
      throw new InvalidInputException(new Diagnostic(name, line, column, "not valid YAML: " + firstLine(e.getOriginalMessage())));
    } catch (IOException e) {
      throw new InvalidInputException(new Diagnostic(name, 0, 0, "cannot be read: " + e.getMessage()));
    }
    try {
      return ScannedReport.rescan(tree, scanner);
    } catch (ReportTree.ReportFormatException e) {
      throw new InvalidInputException(new Diagnostic(name, 0, 0, "not a cutter report: " + e.getMessage()));
    }
  }

  private static String firstLine(String message) {
    return message == null ? "unreadable" : message.strip().split("\n", 2)[0].strip();
  }

  /** Parses report YAML text into its tree (tests, and callers that hold the text). */
  static JsonNode parseYaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
