package dev.cutter.cli;

import dev.cutter.core.CutterException;
import java.io.Console;
import java.util.Arrays;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where a key's passphrase comes from: the environment variable named by
 * {@code --passphrase-env}, else a prompt on the terminal. Never from argv, never printed.
 */
final class PassphraseOptions implements UsesEnvironment {

  @Option(names = "--passphrase-env", paramLabel = "VAR",
      description = "Read the passphrase from this environment variable instead of prompting on the terminal.")
  String variable;

  private Map<String, String> env = System.getenv();

  @Override
  public void environment(Map<String, String> env) {
    this.env = env;
  }

  /** The passphrase to unlock a key; the caller wipes it after use. */
  char[] unlock(String what) {
    return variable != null ? fromEnvironment() : prompt("Passphrase for " + what + ": ");
  }

  /** A new passphrase: asked twice on a terminal, and never empty. */
  char[] choose() {
    if (variable != null) {
      return fromEnvironment();
    }
    char[] first = prompt("Passphrase for the new secret key: ");
    char[] again = prompt("Repeat the passphrase: ");
    try {
      if (!Arrays.equals(first, again)) {
        Arrays.fill(first, '\0');
        throw CutterException.invalid("the two passphrases differ; nothing was written");
      }
      return first;
    } finally {
      Arrays.fill(again, '\0');
    }
  }

  private char[] fromEnvironment() {
    String value = env.get(variable);
    if (value == null || value.isEmpty()) {
      throw CutterException.invalid("--passphrase-env " + variable + ": the environment variable is not set or empty");
    }
    return value.toCharArray();
  }

  private static char[] prompt(String label) {
    Console console = System.console();
    if (console == null) {
      throw CutterException.invalid("no terminal to ask for the passphrase; name an environment variable that holds it with --passphrase-env VAR");
    }
    char[] p = console.readPassword("%s", label);
    if (p == null || p.length == 0) {
      throw CutterException.invalid("an empty passphrase is not accepted");
    }
    return p;
  }
}
