package dev.cutter.core.model;

import static dev.cutter.core.model.TestPackages.MINIMAL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cutter.core.Diagnostic;
import dev.cutter.core.ExitCodes;
import dev.cutter.core.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19.11 and 19.12 at load time: a timeout says what it means (no sub-millisecond value
 * silently becoming "no timeout", no zero; {@code off} written out), and a rollback precondition
 * is never empty by accident ({@code precondition: none} written out).
 */
class HonestSettingsTest {

  @TempDir Path dir;

  private final PackageLoader loader = TestPackages.loader();

  private List<Diagnostic> refused(String yaml) {
    TestPackages.write(dir, yaml);
    try {
      loader.load(dir);
    } catch (InvalidInputException e) {
      assertThat(e.exitCode()).isEqualTo(ExitCodes.INVALID);
      return e.diagnostics();
    }
    throw new AssertionError("expected the package to be refused");
  }

  private ApplySettings applyOf(String yaml) {
    TestPackages.write(dir, MINIMAL + yaml);
    return loader.load(dir).apply();
  }

  @Test
  void aSubMillisecondTimeoutIsRefusedWithItsPosition() {
    List<Diagnostic> ds = refused(MINIMAL + "apply:\n  lock_timeout: 900us\n");

    assertThat(ds).singleElement().satisfies(d -> {
      assertThat(d.line()).isEqualTo(17);
      assertThat(d.column()).isEqualTo(17);
      assertThat(d.message()).startsWith("apply.lock_timeout: PostgreSQL counts this timeout in whole milliseconds: '900us'");
    });
    assertThat(refused(MINIMAL + "apply:\n  statement_timeout: 1500us\n")).singleElement()
        .extracting(Diagnostic::message).asString().contains("whole number of milliseconds");
  }

  @Test
  void aZeroTimeoutIsRefused() {
    assertThat(refused(MINIMAL + "apply:\n  statement_timeout: 0s\n")).singleElement().extracting(Diagnostic::message)
        .isEqualTo("apply.statement_timeout: a zero timeout is not allowed: write a duration of at least 1ms, or off to"
            + " disable the timeout");
    assertThat(refused(MINIMAL + "apply:\n  lock_timeout: 0ms\n")).hasSize(1);
  }

  @Test
  void offDisablesATimeoutExplicitlyAndWholeMillisecondsStay() {
    ApplySettings s = applyOf("apply:\n  lock_timeout: off\n  statement_timeout: 1000us\n");
    assertThat(s.lockTimeout()).isEqualTo(ApplySettings.OFF);
    assertThat(s.statementTimeout()).isEqualTo(Duration.ofMillis(1));
    assertThat(s.anyTimeoutOff()).isTrue();
    assertThat(s.summary()).isEqualTo("mode=transaction lock_timeout=off statement_timeout=1ms");
    assertThat(applyOf("apply:\n  statement_timeout: \"off\"\n").statementTimeout()).isEqualTo(ApplySettings.OFF);
    assertThat(applyOf("apply:\n  lock_timeout: 5s\n").anyTimeoutOff()).isFalse();
  }

  @Test
  void anEmptyOrMissingPreconditionIsRefused() {
    String rollback = "rollback:\n  artifact: { path: ddl/rollback.sql, sha256: %s }\n".formatted(
        Sha256.of("drop table t;\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(refused(MINIMAL + rollback + "  precondition: []\n")).singleElement().extracting(Diagnostic::message)
        .asString().startsWith("rollback.precondition: an empty precondition would let the rollback run unchecked");
    assertThat(refused(MINIMAL + rollback + "  precondition:\n")).singleElement().extracting(Diagnostic::message)
        .asString().contains("write precondition: none");
    assertThat(refused(MINIMAL + rollback)).singleElement().extracting(Diagnostic::message)
        .asString().startsWith("rollback: missing 'precondition'");

    TestPackages.write(dir, MINIMAL + rollback + "  precondition: none\n");
    assertThat(loader.load(dir).rollback()).get().extracting(Rollback::precondition).asList().isEmpty();
  }
}
