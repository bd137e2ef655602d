package dev.cutter.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rule of issue 13: nothing decides by reading the words of a message. The diagnosis code
 * reads no free text of a result at all (message, actual, expected, detail, hint, an exception's
 * message) and holds no tool for matching words (regular expressions, contains, indexOf); the
 * rest of report/ may read such text only in the files that print it.
 */
class DiagnosisReadsNoTextTest {

  private static final Path MAIN = Path.of("src/main/java/dev/cutter/report");

  /** The diagnosis: what decides the root cause, the options and the next action. */
  static final Set<String> DIAGNOSIS = Set.of("FailureClassifier.java", "CauseDiagnoses.java",
      "SqlErrorDiagnoses.java", "Diagnosis.java");

  /** Files that only print, mask or parse report text; they decide no diagnosis. */
  static final Set<String> RENDERING = Set.of("ReportTree.java", "ReportDocument.java", "ReportRenderer.java",
      "ReportWriter.java", "ReportCodec.java", "RowValues.java", "MarkdownEmitter.java", "HtmlEmitter.java",
      "ScannedReport.java", "SecretScanner.java", "SecretFindings.java", "WrittenReport.java", "Doc.java",
      "OnlineSection.java", "SarifLog.java");

  static final Pattern TEXT_READ = Pattern.compile(
      "\\.(message|actual|expected|detail|hint|where|reason|getMessage|getLocalizedMessage)\\(\\)");

  static final Pattern WORD_TOOLS = Pattern.compile(
      "java\\.util\\.regex|\\.contains\\(|\\.indexOf\\(|\\.matches\\(|\\.startsWith\\(|\\.endsWith\\(|toLowerCase|"
          + "toUpperCase\\(\\)\\.contains|\\.equalsIgnoreCase\\(");

  private static List<String> violations(Path file, Pattern p) throws IOException {
    List<String> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
        continue;
      }
      Matcher m = p.matcher(line);
      if (m.find()) {
        out.add(file.getFileName() + ":" + (i + 1) + ": " + m.group());
      }
    }
    return out;
  }

  private static List<Path> sources() throws IOException {
    try (Stream<Path> s = Files.list(MAIN)) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }

  @Test
  void theDiagnosisReadsNoMessageAndMatchesNoWords() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path f : sources()) {
      if (DIAGNOSIS.contains(f.getFileName().toString())) {
        found.addAll(violations(f, TEXT_READ));
        found.addAll(violations(f, WORD_TOOLS));
      }
    }
    assertThat(found).as("text reads or word matching in the diagnosis").isEmpty();
  }

  @Test
  void onlyRenderingCodeReadsResultText() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path f : sources()) {
      String name = f.getFileName().toString();
      if (!RENDERING.contains(name) && !DIAGNOSIS.contains(name)) {
        found.addAll(violations(f, TEXT_READ));
      }
    }
    assertThat(found).as("a new file in report/ reads message text: render it, or decide from the Cause").isEmpty();
  }

  /** Word matching on a message anywhere: {@code e.getMessage().contains(…)}, {@code "x".equals(r.message())}. */
  static final Pattern MATCHING_A_MESSAGE = Pattern.compile(
      "\\.(message|getMessage|actual|expected|detail|hint|reason)\\(\\)\\)?\\s*\\.(contains|startsWith|endsWith|matches|"
          + "indexOf|equals|equalsIgnoreCase)\\(|\\.(contains|startsWith|endsWith|equals|equalsIgnoreCase)\\([^()]*\\."
          + "(message|getMessage|detail|reason)\\(\\)\\)");

  @Test
  void noMainCodeOfAnyModuleMatchesWordsInAMessage() throws IOException {
    List<String> found = new ArrayList<>();
    for (String module : List.of("core", "checks", "backup", "report", "cli")) {
      try (Stream<Path> s = Files.walk(Path.of("..", module, "src", "main", "java"))) {
        for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
          found.addAll(violations(f, MATCHING_A_MESSAGE));
        }
      }
    }
    assertThat(found).isEmpty();
  }

  @Test
  void theRuleSeesAViolation() throws IOException {
    Path probe = Files.createTempFile("Probe", ".java");
    Files.writeString(probe, "class Probe {\n  boolean f(GateResult g) {\n    return g.message().contains(\"lock\");\n"
        + "  }\n}\n");
    assertThat(violations(probe, TEXT_READ)).hasSize(1);
    assertThat(violations(probe, WORD_TOOLS)).hasSize(1);
    assertThat(violations(probe, MATCHING_A_MESSAGE)).hasSize(1);
    Files.delete(probe);
  }
}
