package dev.cutter.core.model;

import static dev.cutter.core.model.TestPackages.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.InvalidInputException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reviewers see what cutter parses: characters that the YAML parser reads as line breaks, or
 * that hide or reorder text, are refused outside quoted scalars with file:line:col.
 */
class HiddenCharactersTest {

  @TempDir Path dir;

  private final PackageLoader loader = TestPackages.loader();

  /** A reviewer sees one comment line; the parser sees a comment and then an apply section. */
  static final String HIDDEN_APPLY = MINIMAL + "# reviewed by the DBA team\u2028apply: {mode: autocommit, lock_timeout: 0s}\n";

  private Diagnostic refusal(String yaml) {
    TestPackages.write(dir, yaml);
    try {
      ApplyPackage p = loader.load(dir);
      throw new AssertionError("loaded, with apply " + p.apply());
    } catch (InvalidInputException e) {
      assertThat(e.exitCode()).isEqualTo(ExitCodes.INVALID);
      assertThat(e.diagnostics()).hasSize(1);
      return e.diagnostics().get(0);
    }
  }

  @Test
  void refusesAnApplySectionHiddenAfterALineSeparatorInAComment() {
    Map<String, Object> parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(HIDDEN_APPLY);
    assertThat(parsed).as("the parser itself sees the hidden section").containsKey("apply");

    Diagnostic d = refusal(HIDDEN_APPLY);

    assertThat(d.toString()).as("the line and column an editor shows")
        .isEqualTo(dir.resolve("package.yaml") + ":16:27: U+2028 (LINE SEPARATOR) outside a quoted string: YAML reads it"
            + " as a line break where editors, grep and diff show one line; remove it");
  }

  @Test
  void refusesTheOtherLineBreaksGrepDoesNotSee() {
    assertThat(refusal(MINIMAL + "# x\u2029apply: {mode: autocommit}\n").message()).startsWith("U+2029 (PARAGRAPH SEPARATOR)");
    assertThat(refusal(MINIMAL + "# x\u0085apply: {mode: autocommit}\n").message()).startsWith("U+0085 (");
    assertThat(refusal(MINIMAL + "# x\rapply: {mode: autocommit}\n").message()).startsWith("a carriage return not followed by a line feed");
  }

  @Test
  void refusesBidiControlsAndInvisibleFormatCharactersOutsideQuotes() {
    Diagnostic rlo = refusal(MINIMAL.replace("title: Test package", "title: Test \u202Epackage"));
    assertThat(rlo.line()).isEqualTo(4);
    assertThat(rlo.column()).isEqualTo(13);
    assertThat(rlo.message()).startsWith("U+202E (RIGHT-TO-LEFT OVERRIDE) outside a quoted string: an invisible bidirectional control");

    for (int cp : new int[] {0x202A, 0x202B, 0x202C, 0x202D, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C, 0x200B, 0xFEFF, 0x00AD}) {
      String hidden = new String(Character.toChars(cp));
      assertThat(refusal(MINIMAL.replace("risk: low", "risk: low" + hidden)).message()).as("U+%04X in a value", cp)
          .startsWith(String.format("U+%04X", cp));
      assertThat(refusal(MINIMAL.replace("  risk: low", "  ri" + hidden + "sk: low")).message()).as("U+%04X in a key", cp)
          .startsWith(String.format("U+%04X", cp));
      assertThat(refusal(MINIMAL + "# note " + hidden + "\n").message()).as("U+%04X in a comment", cp)
          .startsWith(String.format("U+%04X", cp));
    }
  }

  @Test
  void acceptsThemInsideSingleAndDoubleQuotedScalars() {
    TestPackages.write(dir, MINIMAL.replace("title: Test package", "title: \"say \\\"\u202E\u2028\\\" \u200B\""));
    assertThat(loader.load(dir).title()).contains("\u202E", "\u200B");

    TestPackages.write(dir, MINIMAL.replace("title: Test package", "title: 'it''s \u2066 \u2029 fine'"));
    assertThat(loader.load(dir).title()).contains("\u2066");

    TestPackages.write(dir, MINIMAL.replace("ref: CHG-1", "\"r\u200Bef\": CHG-1"));
    assertThat(firstProblem()).as("a quoted key is a quoted scalar too: the key is then simply unknown")
        .doesNotStartWith("U+200B").contains("r\u200Bef");
  }

  @Test
  void countsCharactersOutsideTheBasicPlaneAsTheParserDoes() {
    TestPackages.write(dir, MINIMAL.replace("ref: CHG-1", "ref: \"\uD83D\uDE00\uD83D\uDE00\"").replace("title: Test package", "title: \"a\u202Eb\""));
    assertThat(loader.load(dir).title()).isEqualTo("a\u202Eb");

    Diagnostic d = refusal(MINIMAL.replace("title: Test package", "title: \uD83D\uDE00\u200B"));
    assertThat(d.line()).isEqualTo(4);
    assertThat(d.column()).isEqualTo(9);
  }

  @Test
  void aQuoteInsideACommentDoesNotOpenAQuotedScalar() {
    assertThat(refusal(MINIMAL + "# don't \"\n# \u2028apply: {mode: autocommit}\n").line()).isEqualTo(17);
  }

  @Test
  void acceptsALeadingByteOrderMarkAndCrlfLineEnds() {
    TestPackages.write(dir, "\uFEFF" + MINIMAL.replace("\n", "\r\n"));
    assertThat(loader.load(dir).id()).isEqualTo("test-pkg");
  }

  @Test
  void reportsPositionsAsEditorsCountLinesAfterALineSeparatorInAQuotedScalar() {
    Diagnostic d = refusal(MINIMAL.replace("title: Test package", "title: \"a\u2028b\"").replace("risk: low", "risk: lo"));

    assertThat(d.line()).as("U+2028 inside the quotes does not count as a line").isEqualTo(8);
    assertThat(d.message()).startsWith("authorization.risk:");
  }

  private String firstProblem() {
    try {
      loader.load(dir);
      return "loaded";
    } catch (InvalidInputException e) {
      return e.diagnostics().stream().map(Diagnostic::message).filter(m -> m.contains("\u200B")).findFirst().orElse("");
    }
  }
}
