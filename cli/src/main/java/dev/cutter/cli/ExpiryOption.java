package dev.cutter.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --expires}: a duration from now ({@code 90d}, {@code 2y}, {@code 12h}, {@code 30s},
 * {@code 2w}, or ISO-8601 {@code P1Y6M}), a date ({@code 2027-01-31}, midnight UTC) or an
 * RFC 3339 instant.
 */
final class ExpiryOption {

  private static final Pattern SHORT = Pattern.compile("(\\d+)([smhdwy])");

  private ExpiryOption() {}

  static Instant parse(String text, Instant now) {
    String t = text.trim();
    Matcher m = SHORT.matcher(t);
    try {
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "s" -> now.plusSeconds(n);
          case "m" -> now.plus(Duration.ofMinutes(n));
          case "h" -> now.plus(Duration.ofHours(n));
          case "d" -> now.plus(Duration.ofDays(n));
          case "w" -> now.plus(Duration.ofDays(7 * n));
          default -> now.atOffset(ZoneOffset.UTC).plusYears(n).toInstant();
        };
      }
      if (t.startsWith("P") && t.contains("T")) {
        return now.plus(Duration.parse(t));
      }
      if (t.startsWith("P")) {
        return now.atOffset(ZoneOffset.UTC).plus(Period.parse(t)).toInstant();
      }
      if (t.length() == 10) {
        return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return Instant.parse(t);
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is neither a duration (90d, 2y, 12h, P1Y) nor a date (2027-01-31)"
          + " nor an instant (2027-01-31T12:00:00Z)");
    }
  }
}
