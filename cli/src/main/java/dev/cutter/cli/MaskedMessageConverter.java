package dev.cutter.cli;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.cutter.report.SecretScanner;

/**
 * Logback's {@code %msg} for cutter: the message (and the message of an attached exception, whose
 * stack trace is left out) passed through the secret scanner, so that no log line carries a
 * password, token or key (SPEC section 6).
 */
public final class MaskedMessageConverter extends ClassicConverter {

  /**
   * The scanner, made at the first line logged (a run that logs nothing, the usual one, never makes
   * it: reading the environment's secrets took about a tenth of logging's set-up).
   */
  private static final class Scanner {
    static final SecretScanner SCANNER = SecretScanner.forEnvironment(System.getenv(), System.getProperty("user.home"));
  }

  @Override
  public String convert(ILoggingEvent event) {
    return mask(Scanner.SCANNER, event);
  }

  static String mask(SecretScanner scanner, ILoggingEvent event) {
    StringBuilder text = new StringBuilder(String.valueOf(event.getFormattedMessage()));
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      text.append(" (").append(t.getClassName()).append(": ").append(t.getMessage()).append(')');
    }
    return scanner.mask(text.toString());
  }
}
