package dev.cutter.core.lint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/lock-safety.md documents every rule: a table row with its severity and lock, and a section of its own. */
class LockSafetyDocTest {

  private static final Path DOC = Path.of("").toAbsolutePath().getParent().resolve("docs/lock-safety.md");

  /** Any text that does not start the next rule's section. */
  private static final String WITHIN_SECTION = "(?s:(?:(?!\\n### ).)*?)";

  @Test
  void everyRuleIsDocumentedWithItsSeverityAndLock() throws IOException {
    String doc = Files.readString(DOC);
    for (LintRule r : LintRule.values()) {
      String lock = r.lock() == null ? "" : r.lock();
      assertThat(doc).as(r.id() + ": table row").containsPattern(
          "\\n\\| `" + java.util.regex.Pattern.quote(r.id()) + "` \\| " + r.severity().yamlName() + " \\| [^\\n]*"
              + java.util.regex.Pattern.quote(lock));
      assertThat(doc).as(r.id() + ": its own section with an example that fires, why and the fix")
          .containsPattern("\\n### `" + java.util.regex.Pattern.quote(r.id()) + "` \\(" + r.severity().yamlName()
              + "\\)\\nFires: [^\\n]+\\n" + WITHIN_SECTION + "Why: " + WITHIN_SECTION + "Fix: ");
    }
  }
}
