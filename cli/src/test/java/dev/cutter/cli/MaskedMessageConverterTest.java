package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.cutter.report.SecretScanner;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaskedMessageConverterTest {

  private final SecretScanner scanner = SecretScanner.forEnvironment(Map.of("PGPASSWORD", "pw-from-env-77"), null);
  private final Logger logger = new LoggerContext().getLogger("test");

  @Test
  void masksSecretsInTheMessageAndItsException() {
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN,
        "pool failed for postgresql://app:{}@db/ledger", new IllegalStateException("auth with pw-from-env-77",
            new RuntimeException("PGPASSWORD=hunter22")), new Object[] {"s3cret-pw"});

    String line = MaskedMessageConverter.mask(scanner, event);

    assertThat(line).contains("postgresql://app:****@db/ledger", "IllegalStateException: auth with ****",
        "PGPASSWORD=****").doesNotContain("s3cret-pw", "pw-from-env-77", "hunter22");
  }
}
