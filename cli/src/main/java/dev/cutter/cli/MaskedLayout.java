package dev.cutter.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import dev.cutter.report.SecretScanner;

/**
 * cutter's log line, {@code cutter: WARN PassFile: message}: the level, the logger's last name
 * segment, and the message (with the message of an attached exception, whose stack trace is left
 * out) passed through the secret scanner, so that no log line carries a password, token or key
 * (SPEC section 6). Written out rather than as a logback pattern: the pattern's layout class
 * registers some fifty converters when it is first loaded, on the path of every run's logging
 * set-up (docs/performance.md).
 */
public final class MaskedLayout extends LayoutBase<ILoggingEvent> {

  /**
   * The scanner, made at the first line logged (a run that logs nothing, the usual one, never makes
   * it: reading the environment's secrets took about a tenth of logging's set-up).
   */
  private static final class Scanner {
    static final SecretScanner SCANNER = SecretScanner.forEnvironment(System.getenv(), System.getProperty("user.home"));
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    String logger = String.valueOf(event.getLoggerName());
    return new StringBuilder("cutter: ").append(event.getLevel()).append(' ')
        .append(logger, logger.lastIndexOf('.') + 1, logger.length()).append(": ")
        .append(mask(Scanner.SCANNER, event)).append(CoreConstants.LINE_SEPARATOR).toString();
  }

  static String mask(SecretScanner scanner, ILoggingEvent event) {
    StringBuilder text = new StringBuilder(String.valueOf(event.getFormattedMessage()));
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      text.append(" (").append(t.getClassName()).append(": ").append(t.getMessage()).append(')');
    }
    return scanner.mask(text.toString());
  }
}
