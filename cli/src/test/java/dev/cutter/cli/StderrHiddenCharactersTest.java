package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A one-line error on stderr that quotes what it was given (a connection parameter, an unknown
 * option) shows a character that hides or reorders text as its escape, as the reports and the
 * summary do: a right-to-left override in an argument cannot make the terminal show another
 * parameter than the one refused.
 */
class StderrHiddenCharactersTest {

  private static boolean anyHidden(String text) {
    return text.codePoints().anyMatch(dev.cutter.core.text.YamlText::hidden);
  }

  @Test
  void aRefusedConnectionParameterIsNamedWithItsHiddenCharactersEscaped() {
    Cli r = Cli.run("target", "--target", "host=localhost dbname=shop sslmod\u202Eedom=x");

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(anyHidden(r.err())).as(r.err()).isFalse();
    assertThat(r.err()).contains("sslmod\\u202eedom");
  }

  @Test
  void anUnknownOptionIsNamedWithItsHiddenCharactersEscaped() {
    Cli r = Cli.run("target", "--lock\u2066-wait\u2069");

    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(anyHidden(r.err())).as(r.err()).isFalse();
    assertThat(r.err()).contains("--lock\\u2066-wait\\u2069");
  }
}
