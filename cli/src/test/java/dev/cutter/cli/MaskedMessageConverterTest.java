package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import dev.cutter.report.SecretScanner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
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

  @Test
  void cuttersLogbackConfigurationUsesIt() throws Exception {
    URL config = MaskedMessageConverter.class.getResource("/logback.xml");
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JoranConfigurator joran = new JoranConfigurator();
      joran.setContext(context);
      joran.doConfigure(config);
      context.getLogger("pool").warn("cannot reach postgresql://app:topsecret9@db/ledger",
          new IllegalStateException("boom"));
    } finally {
      context.stop();
      System.setErr(stderr);
    }

    assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo(
        "cutter: WARN pool: cannot reach postgresql://app:****@db/ledger (java.lang.IllegalStateException: boom)\n");
  }
}
