package dev.cutter.core.model;

import static dev.cutter.core.model.TestPackages.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.InvalidInputException;
import dev.cutter.core.lint.LintPolicy;
import dev.cutter.core.lint.LintRule;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The package's {@code lint: { deny, allow }} section. */
class PackageLintTest {

  @TempDir Path dir;

  private final PackageLoader loader = TestPackages.loader();

  @Test
  void denyAndAllowAreRead() {
    TestPackages.write(dir, MINIMAL + "lint:\n  deny: [drop-table, truncate]\n  allow: [index-not-concurrent]\n");

    LintPolicy p = loader.load(dir).lint();

    assertThat(p.deny()).containsExactlyInAnyOrder(LintRule.DROP_TABLE, LintRule.TRUNCATE);
    assertThat(p.allow()).containsExactly(LintRule.INDEX_NOT_CONCURRENT);
  }

  @Test
  void withoutALintSectionThePolicyIsTheDefault() {
    TestPackages.write(dir, MINIMAL);
    assertThat(loader.load(dir).lint()).isEqualTo(LintPolicy.DEFAULT);
  }

  @Test
  void anUnknownRuleIsAnInvalidPackageAtItsPosition() {
    TestPackages.write(dir, MINIMAL + "lint:\n  deny: [drop-table]\n  allow: [index-not-concurrent, nope]\n");

    assertThatThrownBy(() -> loader.load(dir)).isInstanceOfSatisfying(InvalidInputException.class, e -> {
      assertThat(e.exitCode()).isEqualTo(ExitCodes.INVALID);
      List<Diagnostic> d = e.diagnostics();
      assertThat(d).hasSize(1);
      assertThat(d.get(0).toString()).startsWith(dir.resolve("package.yaml") + ":18:33: lint.allow: unknown lint rule 'nope';"
          + " expected one of index-not-concurrent, ");
    });
  }

  @Test
  void aRuleBothDeniedAndAllowedIsRefused() {
    TestPackages.write(dir, MINIMAL + "lint:\n  deny: [cluster]\n  allow: [cluster]\n");

    assertThatThrownBy(() -> loader.load(dir)).isInstanceOfSatisfying(InvalidInputException.class, e ->
        assertThat(e.diagnostics()).extracting(Diagnostic::message)
            .containsExactly("lint.allow: 'cluster' is also in lint.deny: a rule is denied or allowed, not both"));
  }

  @Test
  void anUnknownKeyUnderLintIsRefused() {
    TestPackages.write(dir, MINIMAL + "lint:\n  floor: [cluster]\n");

    assertThatThrownBy(() -> loader.load(dir)).isInstanceOfSatisfying(InvalidInputException.class, e ->
        assertThat(e.diagnostics()).extracting(Diagnostic::line, Diagnostic::column)
            .containsExactly(org.assertj.core.groups.Tuple.tuple(17, 3)));
  }

  @Test
  void thePositionOfASettingIsFoundAgainFromTheLoadedBytes() {
    TestPackages.write(dir, MINIMAL + "apply:\n  lock_timeout: off\n");
    ApplyPackage p = loader.load(dir);

    assertThat(PackageLoader.positionOf(p, "apply", "lock_timeout")).contains(new SourcePosition(17, 17));
    assertThat(PackageLoader.positionOf(p, "apply", "statement_timeout")).isEmpty();
  }

  @Test
  void theLintNamesTheLineOfALockTimeoutItFindsAndNoneOtherwise() {
    TestPackages.write(dir, MINIMAL + "apply:\n  lock_timeout: 2min\n");
    List<dev.cutter.core.lint.LintFinding> found = dev.cutter.core.lint.LintCheck.findings(loader.load(dir), List.of(),
        null);
    assertThat(found).extracting(f -> f.rule().id() + " " + f.line()).containsExactly("lock-timeout-long 17");
    TestPackages.write(dir, MINIMAL + "apply:\n  lock_timeout: 5s\n");
    assertThat(dev.cutter.core.lint.LintCheck.findings(loader.load(dir), List.of(), null)).isEmpty();
  }
}
