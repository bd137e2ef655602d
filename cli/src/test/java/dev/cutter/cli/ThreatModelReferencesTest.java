package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/threat-model.md names, for every threat, the tests that prove its mitigation. A test that is
 * renamed or deleted would leave a row proving nothing while it still reads as proven: every
 * {@code module: Class#method} (and every {@code #method} after it in the same row) must name a
 * test class of that module holding that method, and every threat row must name at least one.
 */
class ThreatModelReferencesTest {

  private static final Set<String> MODULES = Set.of("core", "checks", "backup", "report", "cli", "dist");
  /** {@code `module: Class`}, {@code `module: package.Class#method`} or, after one of these in a row, {@code `#method`}. */
  private static final Pattern REF = Pattern.compile("`(?:([a-z-]+): (?:[a-z]\\w*\\.)*([A-Z]\\w*))?(?:#(\\w+))?`");
  private static final Pattern THREAT_ROW = Pattern.compile("^\\| ([A-Z]\\d+) \\|");

  @Test
  void everyThreatNamesTestsAndEveryNamedTestExists() throws IOException {
    Path root = Path.of("..");
    List<String> rows = Files.readAllLines(root.resolve("docs/threat-model.md"));
    Map<String, String> sources = new HashMap<>();
    List<String> missing = new ArrayList<>();
    int threats = 0;
    int references = 0;
    for (String row : rows) {
      Matcher id = THREAT_ROW.matcher(row);
      if (!id.find()) {
        continue;
      }
      threats++;
      int named = 0;
      String lastClass = null;
      String lastModule = null;
      Matcher m = REF.matcher(row);
      while (m.find()) {
        String module = m.group(1);
        String cls = m.group(2);
        String method = m.group(3);
        if (module != null && MODULES.contains(module)) {
          lastModule = module;
          lastClass = cls;
        } else if (module != null || method == null || lastClass == null) {
          continue; // not a test reference (a package field such as `rehearse: true`)
        }
        String key = lastModule + ":" + lastClass;
        String text = sources.computeIfAbsent(key, k -> testSource(root, k));
        named++;
        references++;
        if (text.isEmpty()) {
          missing.add(id.group(1) + ": no test class " + key);
        } else if (method != null && !Pattern.compile("\\b" + method + "\\s*\\(").matcher(text).find()) {
          missing.add(id.group(1) + ": no method " + key + "#" + method);
        }
      }
      if (named == 0) {
        missing.add(id.group(1) + ": names no test");
      }
    }
    assertThat(threats).as("threat rows read").isGreaterThan(80);
    assertThat(references).as("test references read").isGreaterThan(threats);
    assertThat(missing).isEmpty();
  }

  /** The source of test class {@code module:Class} (every file of that name under the module's tests), or "". */
  private static String testSource(Path root, String key) {
    String module = key.substring(0, key.indexOf(':'));
    String file = key.substring(key.indexOf(':') + 1) + ".java";
    Path tests = root.resolve(module).resolve("src/test/java");
    if (!Files.isDirectory(tests)) {
      return "";
    }
    try (Stream<Path> walk = Files.walk(tests)) {
      StringBuilder text = new StringBuilder();
      for (Path p : walk.filter(p -> p.getFileName().toString().equals(file)).toList()) {
        text.append(Files.readString(p));
      }
      return text.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
