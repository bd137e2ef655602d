package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.catalog.Identity;
import dev.cutter.core.db.TlsState;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** What {@code cutter target} prints for names a reviewer could misread: escaped, and read back as the same names. */
class TargetCommandYamlTest {

  @Test
  void namesWithBidiControlsAndLineSeparatorsArePrintedEscapedAndReadBackTheSame() {
    String database = "app\u202Edb.exe";
    String role = "own\u2066er\u2069\u2028x";
    String yaml = TargetCommand.yaml(new TargetCommand.Found(new Identity("7390112233445566778", database, 15, "15.4"),
        role, "log\u200Bin", new TlsState(false, false, "prefer", null), Optional.empty()));

    assertThat(yaml.codePoints().allMatch(cp -> cp == '\n' || (cp >= 0x20 && cp < 0x7f))).as(yaml).isTrue();
    assertThat(yaml).contains("  database: \"app\\u202edb.exe\"", "  apply_role: \"own\\u2066er\\u2069\\u2028x\"",
        "# connected as session_user \"log\\u200bin\", current_user \"own\\u2066er\\u2069\\u2028x\"");
    Map<String, Map<String, Object>> read = new Yaml().load(yaml);
    assertThat(read.get("target")).containsEntry("database", database).containsEntry("apply_role", role);
  }
}
