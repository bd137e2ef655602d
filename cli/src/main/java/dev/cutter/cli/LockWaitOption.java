package dev.cutter.cli;

import dev.cutter.core.CutterException;
import dev.cutter.core.model.PackageLoader;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --lock-wait}: how long a run waits for another run on the same target, and (apply) then
 * for the sessions in the way of the change's locks (the blockers gate); each wait is bounded by it.
 */
final class LockWaitOption {

  @Option(names = "--lock-wait", paramLabel = "DURATION", defaultValue = "0s",
      description = "How long to wait for another cutter run on the same target to finish, and then (apply) for"
          + " the sessions in the way of the change's locks to go, each wait at most this long (e.g. 30s, 5min;"
          + " default ${DEFAULT-VALUE}: refuse at once).")
  String text;

  Duration duration() {
    return PackageLoader.parseDuration(text.trim()).orElseThrow(() ->
        CutterException.invalid("--lock-wait: '" + text + "' is not a duration such as 0s, 30s or 5min"));
  }
}
