package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A rule over the CLI tests' own sources: every {@link Cli} result a test method keeps has its
 * exact exit code asserted ({@code isEqualTo(n)} or {@code isZero()}), directly or through a
 * helper of the same class that does; and no test asserts an exit code only as non-zero, not
 * equal, greater or less than something. Exit codes name the verdicts one to one (0 PASS,
 * 3 BLOCKED, 4 FAILED, 5 ROLLED_BACK, 6 ESCALATE; 1 internal, 2 invalid), so an exact exit code is
 * an exact verdict.
 */
class CliTestsAssertExactExitCodesTest {

  private static final Path SOURCES = Path.of("src/test/java/dev/cutter/cli");

  /** {@code Class#method} that may keep a result without an exact exit code, and why. */
  private static final Set<String> ALLOWED = Set.of(
      // a server restart mid-apply: which ending the run reports is the subject of the run-level ending tests
      "FaultInjectionIT#serverRestartMidApplyLeavesTheTargetUnchangedAndTheNextRunPasses");

  private static final Pattern TEST_METHOD = Pattern.compile(
      "@(?:Test|ParameterizedTest|RepeatedTest)\\b[^{;]*?\\bvoid\\s+(\\w+)\\s*\\([^)]*\\)[^{;]*\\{");
  private static final Pattern HELPER = Pattern.compile(
      "\\b(?:private|static|protected|public)[\\w\\s<>\\[\\],]*?\\s(\\w+)\\s*\\(\\s*(?:final\\s+)?Cli\\s+(\\w+)\\s*\\)[^{;]*\\{");
  private static final Pattern KEPT = Pattern.compile("\\bCli\\s+(\\w+)\\s*=");
  private static final Pattern EXIT_ASSERTION = Pattern.compile("assertThat\\(\\s*([\\w\\[\\]]+)\\.exit\\(\\)\\s*\\)");
  private static final Pattern EXACT = Pattern.compile("\\.(?:isEqualTo|isZero)\\(");
  private static final Pattern WEAK = Pattern.compile("\\.(?:isNot\\w*|isGreaterThan\\w*|isLessThan\\w*|isPositive|isNegative|isIn|isBetween)\\(");

  record Finding(String where, String what) {}

  @Test
  void everyCliResultATestKeepsHasItsExactExitCodeAsserted() throws IOException {
    List<Finding> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        String name = f.getFileName().toString().replace(".java", "");
        found.addAll(scan(name, Files.readString(f)));
      }
    }
    assertThat(found).filteredOn(x -> !ALLOWED.contains(x.where())).isEmpty();
  }

  @Test
  void theRuleFindsAMissingAndAWeakExitAssertionAndAcceptsExactOnesAndHelpers() {
    String source = """
        class Sample {
          private static void assertRefused(Cli r) {
            assertThat(r.exit()).as("refused: %s", r.err()).isEqualTo(2);
          }
          @Test
          void exact() {
            Cli a = Cli.run("apply", "{");
            assertThat(a.exit()).as(a.out() + a.err()).isEqualTo(3);
            Cli b = Cli.run("verify");
            assertThat(b.exit()).isZero();
            Cli c = Cli.run("x");
            assertRefused(c);
          }
          @Test
          void missing() {
            Cli r = Cli.run("apply");
            assertThat(r.out()).contains("verdict: PASS");
          }
          @ParameterizedTest
          @MethodSource("all")
          void weak(String v) {
            Cli r = Cli.run(v, "}");
            assertThat(r.exit()).as(r.err()).isNotZero();
          }
        }
        """;

    assertThat(scan("Sample", source)).containsExactly(
        new Finding("Sample#missing", "r: no exact exit code asserted"),
        new Finding("Sample#weak", "r: no exact exit code asserted"),
        new Finding("Sample#weak", "weak exit assertion on r"));
  }

  static List<Finding> scan(String className, String source) {
    String code = blankLiteralsAndComments(source);
    Set<String> helpers = new HashSet<>();
    for (Matcher h = HELPER.matcher(code); h.find(); ) {
      if (assertsExactly(body(code, h.end()), h.group(2))) {
        helpers.add(h.group(1));
      }
    }
    List<Finding> found = new ArrayList<>();
    for (Matcher m = TEST_METHOD.matcher(code); m.find(); ) {
      String where = className + "#" + m.group(1);
      String body = body(code, m.end());
      for (Matcher k = KEPT.matcher(body); k.find(); ) {
        String v = k.group(1);
        boolean viaHelper = helpers.stream().anyMatch(h -> Pattern.compile("\\b" + h + "\\(\\s*" + v + "\\s*[,)]").matcher(body).find());
        if (!assertsExactly(body, v) && !viaHelper) {
          found.add(new Finding(where, v + ": no exact exit code asserted"));
        }
      }
      for (Matcher e = EXIT_ASSERTION.matcher(body); e.find(); ) {
        if (WEAK.matcher(statement(body, e.start())).find()) {
          found.add(new Finding(where, "weak exit assertion on " + e.group(1)));
        }
      }
    }
    return found;
  }

  private static boolean assertsExactly(String body, String variable) {
    for (Matcher e = EXIT_ASSERTION.matcher(body); e.find(); ) {
      if (e.group(1).equals(variable)) {
        String s = statement(body, e.start());
        if (EXACT.matcher(s).find() && !WEAK.matcher(s).find()) {
          return true;
        }
      }
    }
    return false;
  }

  /** From {@code from} to the end of its statement (the first {@code ;} outside parentheses). */
  private static String statement(String code, int from) {
    int depth = 0;
    for (int i = from; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ';' && depth == 0) {
        return code.substring(from, i);
      }
    }
    return code.substring(from);
  }

  /** The body of the block whose opening brace ends just before {@code open}. */
  private static String body(String code, int open) {
    int depth = 1;
    int i = open;
    while (i < code.length() && depth > 0) {
      char c = code.charAt(i++);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      }
    }
    return code.substring(open, Math.max(open, i - 1));
  }

  /** The source with the contents of string, text-block and char literals and of comments replaced by spaces. */
  static String blankLiteralsAndComments(String s) {
    StringBuilder b = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      if (s.startsWith("\"\"\"", i)) {
        int end = s.indexOf("\"\"\"", i + 3);
        end = end < 0 ? s.length() : end + 3;
        b.append("\"\"\"").append(" ".repeat(Math.max(0, end - i - 6))).append(end - i >= 6 ? "\"\"\"" : "");
        i = end;
      } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
        char q = s.charAt(i);
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != q) {
          j += s.charAt(j) == '\\' ? 2 : 1;
        }
        j = Math.min(j, s.length() - 1);
        b.append(q).append(" ".repeat(j - i - 1)).append(q);
        i = j + 1;
      } else if (s.startsWith("//", i)) {
        int end = s.indexOf('\n', i);
        end = end < 0 ? s.length() : end;
        b.append(" ".repeat(end - i));
        i = end;
      } else if (s.startsWith("/*", i)) {
        int end = s.indexOf("*/", i + 2);
        end = end < 0 ? s.length() : end + 2;
        b.append(" ".repeat(end - i));
        i = end;
      } else {
        b.append(s.charAt(i++));
      }
    }
    return b.toString();
  }
}
