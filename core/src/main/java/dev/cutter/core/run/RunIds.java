package dev.cutter.core.run;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/** Run ids that sort by time: {@code 20260518T054609Z-3f2a}. */
public final class RunIds {

  private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  public static String next(Clock clock) {
    byte[] b = new byte[2];
    RANDOM.nextBytes(b);
    return FORMAT.format(clock.instant()) + "-" + HexFormat.of().formatHex(b);
  }
}
