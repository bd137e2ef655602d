package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.model.PackageLoader;
import java.time.Duration;

/** Parses {@code --lock-wait} with the package format's duration syntax. */
final class LockWaitOption {

  private LockWaitOption() {}

  static Duration parse(String text) {
    return PackageLoader.parseDuration(text.trim()).orElseThrow(() ->
        CutterException.invalid("--lock-wait: '" + text + "' is not a duration such as 0s, 30s or 5min"));
  }
}
