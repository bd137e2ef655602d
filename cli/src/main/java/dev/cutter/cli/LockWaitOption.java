package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.model.PackageLoader;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --lock-wait}: how long a run waits for another run on the same target. */
final class LockWaitOption {

  @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "0s",
      description = "How long to wait for another cutter run on the same target to finish (e.g. 30s, 5min; "
          + "default ${DEFAULT-VALUE}: refuse at once).")
  String text;

  Duration duration() {
    return PackageLoader.parseDuration(text.trim()).orElseThrow(() ->
        CutterException.invalid("--lock-wait: '" + text + "' is not a duration such as 0s, 30s or 5min"));
  }
}
