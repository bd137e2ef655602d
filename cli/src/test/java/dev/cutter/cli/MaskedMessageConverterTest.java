package dev.cutter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import dev.cutter.report.SecretScanner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      LogSetup.apply(context);
      context.getLogger("pool").warn("cannot reach postgresql://app:topsecret9@db/ledger",
          new IllegalStateException("boom"));
      context.getLogger("pool").info("an info line is not shown");
      context.getLogger("com.zaxxer.hikari.pool.HikariPool").warn("the pool's warnings are not shown either");
    } finally {
      context.stop();
      System.setErr(stderr);
    }

    assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo(
        "cutter: WARN pool: cannot reach postgresql://app:****@db/ledger (java.lang.IllegalStateException: boom)\n");
  }

  @Test
  void logbackFindsTheSetUpAsAServiceAndAConfigurationFilePropertyStillWins() {
    assertThat(java.util.ServiceLoader.load(ch.qos.logback.classic.spi.Configurator.class).stream()
        .map(p -> p.type().getName()).toList()).containsExactly(LogSetup.class.getName());
    LoggerContext context = new LoggerContext();
    String before = System.getProperty("logback.configurationFile");
    try {
      System.setProperty("logback.configurationFile", "elsewhere.xml");
      assertThat(new LogSetup().configure(context))
          .isEqualTo(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
      System.clearProperty("logback.configurationFile");
      assertThat(new LogSetup().configure(context))
          .isEqualTo(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNotNull();
    } finally {
      context.stop();
      if (before != null) {
        System.setProperty("logback.configurationFile", before);
      }
    }
  }
}
