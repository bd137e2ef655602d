package dev.cutter.core.run;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Run ids that sort by time: the UTC start second plus four random hex digits, e.g.
 * {@code 20260518T054609Z-3f2a}. Safe as a file name on every platform.
 */
public final class RunIds {

  /** The shape of every run id. */
  public static final Pattern PATTERN = Pattern.compile("\\d{8}T\\d{6}Z-[0-9a-f]{4}");

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final RandomGenerator RANDOM = new SecureRandom();

  private RunIds() {}

  /** A new run id for the current instant of {@code clock}. */
  public static String next(Clock clock) {
    return next(clock, RANDOM);
  }

  /** A new run id from {@code clock} and the given source of the random suffix. */
  public static String next(Clock clock, RandomGenerator random) {
    return STAMP.format(clock.instant()) + "-" + String.format(Locale.ROOT, "%04x", random.nextInt(0x10000));
  }

  public static boolean isValid(String runId) {
    return runId != null && PATTERN.matcher(runId).matches();
  }
}
